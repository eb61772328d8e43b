"""The declarative base, column types shared by every model, and engine set-up.

Coordinates are plain floats and timestamps timezone-aware UTC, so SQLite and
PostgreSQL store and return the same values.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no zone, so naive values coming back are UTC by construction;
    naive values going in are refused rather than guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def get_or_not_found(model: type[T], key: int, what: str) -> T:
    """The row with this primary key, or a NotFound naming ``what``."""
    from server.errors import NotFound
    from server.extensions import db

    row = db.session.get(model, key)
    if row is None:
        raise NotFound(f"No such {what}.")
    return row


def enum_column(enum_cls: type, length: int = 24, name: str | None = None) -> sa.Enum:
    """A portable enum: stored as its string values, checked by a constraint.

    ``name`` names the constraint; give one when a table has two columns of
    the same enum, or their constraints would share a name.
    """
    return sa.Enum(
        enum_cls,
        **({"name": name} if name else {}),
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


@sa.event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    """WAL lets readers work while one writer writes; foreign keys are off by
    default in SQLite; busy_timeout makes a second writer wait, not fail."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
