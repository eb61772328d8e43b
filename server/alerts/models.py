"""Area warnings over Web Push: the residents' subscriptions, the alerts
(shaped after CAP 1.2), and one delivery row per alert × subscription.

Deliveries are the durable outbox: written in the transaction that sends
the alert, drained by senders that claim rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so a sender that dies mid-send leaves at most its claimed rows
to be retried and nothing is sent twice beyond them.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import Language, User
from server.database import UTCDateTime, enum_column, utcnow
from server.extensions import db


class PushSubscription(db.Model):
    """One browser's push subscription (RFC 8030) and the areas it follows:
    home (a point and radius), chosen 동/구, and "where I am" (a coarse point
    the app refreshes). One device, one subscription: upserted by endpoint."""

    # Covering indexes: targeting reads only these columns (and the row id).
    __table_args__ = (
        sa.Index("ix_push_subscription_home", "home_lat", "home_lon", "home_radius_m"),
        sa.Index("ix_push_subscription_here", "here_lat", "here_lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sha256 of the endpoint: endpoints are long URLs; the hash keeps them unique.
    endpoint_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    endpoint: Mapped[str] = mapped_column(sa.String(2000))
    p256dh: Mapped[str] = mapped_column(sa.String(100))
    auth: Mapped[str] = mapped_column(sa.String(40))
    language: Mapped[Language] = mapped_column(enum_column(Language, 2), default=Language.KO)
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("device.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    home_lat: Mapped[float | None]
    home_lon: Mapped[float | None]
    home_radius_m: Mapped[float | None]
    here_lat: Mapped[float | None]
    here_lon: Mapped[float | None]
    here_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    areas: Mapped[list[SubscriptionArea]] = relationship(back_populates="subscription", cascade="all, delete-orphan", order_by="SubscriptionArea.code")

    @property
    def area_codes(self) -> list[str]:
        return [area.code for area in self.areas]

    def info(self) -> dict[str, Any]:
        """The subscription as the Push API gives it (what pywebpush takes)."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class SubscriptionArea(db.Model):
    """A 동 or 구 a subscription follows (by code)."""

    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("push_subscription.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), primary_key=True, index=True)

    subscription: Mapped[PushSubscription] = relationship(back_populates="areas")


class AlertStatus(enum.StrEnum):  # CAP <status>
    ACTUAL = "actual"
    EXERCISE = "exercise"
    TEST = "test"


class MsgType(enum.StrEnum):  # CAP <msgType>
    ALERT = "alert"
    UPDATE = "update"
    CANCEL = "cancel"


class Urgency(enum.StrEnum):
    IMMEDIATE = "immediate"
    EXPECTED = "expected"
    FUTURE = "future"
    PAST = "past"
    UNKNOWN = "unknown"


class Severity(enum.StrEnum):
    EXTREME = "extreme"
    SEVERE = "severe"
    MODERATE = "moderate"
    MINOR = "minor"
    UNKNOWN = "unknown"


class Certainty(enum.StrEnum):
    OBSERVED = "observed"
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"
    UNKNOWN = "unknown"


class Category(enum.StrEnum):  # CAP <category>, the ones a district uses
    SAFETY = "safety"
    SECURITY = "security"
    RESCUE = "rescue"
    FIRE = "fire"
    HEALTH = "health"
    ENV = "env"
    TRANSPORT = "transport"
    INFRA = "infra"
    OTHER = "other"


class AlertState(enum.StrEnum):
    """Where a warning is in its life (Ansim's, not CAP's)."""

    DRAFT = "draft"
    APPROVED = "approved"
    SENT = "sent"
    UPDATED = "updated"  # replaced by a later update
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Alert(db.Model):
    """A warning, one CAP <alert> with one <info> per language.

    An update or a cancel is a new Alert whose ``references_id`` points at
    the one it replaces; the replaced one becomes ``updated`` or ``cancelled``.
    All of a chain share ``topic``, so a phone shows only the latest.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(sa.String(120), unique=True)
    sender: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[AlertStatus] = mapped_column(enum_column(AlertStatus, 10), default=AlertStatus.ACTUAL)
    msg_type: Mapped[MsgType] = mapped_column(enum_column(MsgType, 8), default=MsgType.ALERT)
    references_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alert.id", ondelete="SET NULL"), index=True)
    #: Web Push Topic (≤ 32 URL-safe characters), shared by an alert and its updates.
    topic: Mapped[str] = mapped_column(sa.String(32))
    category: Mapped[Category] = mapped_column(enum_column(Category, 10), default=Category.SAFETY)
    event: Mapped[str] = mapped_column(sa.String(120))
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, 10))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, 10))
    certainty: Mapped[Certainty] = mapped_column(enum_column(Certainty, 10))
    headline_ko: Mapped[str] = mapped_column(sa.String(160))
    headline_en: Mapped[str] = mapped_column(sa.String(160))
    description_ko: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    instruction_ko: Mapped[str] = mapped_column(sa.Text, default="")
    instruction_en: Mapped[str] = mapped_column(sa.Text, default="")
    area_desc_ko: Mapped[str] = mapped_column(sa.String(200))
    area_desc_en: Mapped[str] = mapped_column(sa.String(200))
    #: {"circles": [{"lat", "lon", "radius_m"}], "polygons": [[[lon, lat], …]], "geocodes": ["11290…"]}
    areas: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    onset: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[AlertState] = mapped_column(enum_column(AlertState, 10), default=AlertState.DRAFT)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    approver_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    source_report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])
    references: Mapped[Alert | None] = relationship(remote_side=[id])


class DeliveryState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"  # the push service took it (201)
    FAILED = "failed"  # gave up after retries
    GONE = "gone"  # 404/410: the subscription no longer exists


class Delivery(db.Model):
    """One push of one alert to one subscription: the outbox row."""

    __table_args__ = (
        sa.UniqueConstraint("alert_id", "subscription_id", name="once_per_subscription"),
        sa.Index("ix_delivery_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(sa.ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    #: Kept (SET NULL) when the subscription is deleted, so the counts stay true.
    subscription_id: Mapped[int | None] = mapped_column(sa.ForeignKey("push_subscription.id", ondelete="SET NULL"), index=True)
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState, 8), default=DeliveryState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: A sender's claim: rows claimed longer ago than the lease are due again.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    alert: Mapped[Alert] = relationship()
    subscription: Mapped[PushSubscription | None] = relationship()
