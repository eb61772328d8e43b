"""A report (an SOS, a suspicious person, a broken bell…) and its audit log.

Every report carries the client's idempotency key: a retry of the same write,
however often and however concurrent, finds the report the first one made.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import User
from server.database import UTCDateTime, enum_column, utcnow
from server.extensions import db


class ReportKind(enum.StrEnum):
    SOS = "sos"
    SUSPICIOUS_PERSON = "suspicious_person"
    WEAPON_SEEN = "weapon_seen"
    ASSAULT = "assault"
    CRIME_WARNING_POST = "crime_warning_post"  # 범죄예고글 found online
    FACILITY_FAULT = "facility_fault"  # a broken bell, camera or light
    DARK_STREET = "dark_street"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    RESOLVED = "resolved"
    FALSE_ALARM = "false_alarm"
    DUPLICATE = "duplicate"


class Report(db.Model):
    __table_args__ = (
        sa.Index("ix_report_status_received", "status", "received_at"),
        sa.CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180)", name="coordinates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind, 24))
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus, 16), default=ReportStatus.NEW)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(sa.Text)
    #: Where a crime warning post was seen.
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    facility_id: Mapped[int | None] = mapped_column(sa.ForeignKey("facility.id", ondelete="SET NULL"), index=True)
    #: A silent report must not make the phone ring, flash or speak.
    silent: Mapped[bool] = mapped_column(default=False)
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("device.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    client_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    gu_code: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    dong_code: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    #: What the operator tells the reporter ("순찰차가 출동했습니다").
    public_note: Mapped[str | None] = mapped_column(sa.String(500))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id", ondelete="SET NULL"))
    #: The guard the case was dispatched to, who then sees it in /guard.
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list[ReportEvent]] = relationship(back_populates="report", order_by="ReportEvent.id")
    photos: Mapped[list[ReportPhoto]] = relationship(back_populates="report", order_by="ReportPhoto.id")

    #: The name of its 동 or 구 once ``service.with_area_names`` labelled it (not stored).
    area_name = None

    @property
    def dispatch_note(self) -> str | None:
        """What the operator wrote when sending the current assignee."""
        for event in reversed(self.events):
            if event.assignee_id is not None:
                return event.note if event.assignee_id == self.assignee_id else None
        return None


class ReportEvent(db.Model):
    """One change of a report: who, when, from what, to what, and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("device.id", ondelete="SET NULL"))
    from_status: Mapped[ReportStatus | None] = mapped_column(enum_column(ReportStatus, 16, name="from_status"))
    to_status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus, 16, name="to_status"))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    #: Who the case was dispatched to by this change, if anyone.
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    report: Mapped[Report] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_user_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class ReportPhoto(db.Model):
    """A photo sent with a report: the original as received, kept with its
    hash, and a copy without metadata (no GPS, no camera) to show to others."""

    __table_args__ = (sa.UniqueConstraint("report_id", "sha256", name="photo_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    #: Paths relative to the instance folder.
    original_path: Mapped[str] = mapped_column(sa.String(200))
    shared_path: Mapped[str] = mapped_column(sa.String(200))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="photos")
