"""Accounts (staff and residents who want one), organisations, and devices.

A resident needs no account: the PWA makes a random device key and the server
keeps only its SHA-256 hash in ``Device``.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.database import UTCDateTime, enum_column, utcnow
from server.extensions import db


class Role(enum.StrEnum):
    RESIDENT = "resident"
    GUARD = "guard"
    OPERATOR = "operator"
    ADMIN = "admin"


class Language(enum.StrEnum):
    KO = "ko"
    EN = "en"


class Organisation(db.Model):
    """A body people work for: the district office, a volunteer patrol group."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation")


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """An account. Its session token goes into the login cookie instead of the
    id, so rotating it (password change, deactivation) ends every session."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (sa.CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="email_or_phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, 16), default=Role.RESIDENT)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id", ondelete="SET NULL"))
    language: Mapped[Language] = mapped_column(enum_column(Language, 2), default=Language.KO)
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return self.session_token

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class Device(db.Model):
    """A phone or browser known only by the hash of the key it generated."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()
