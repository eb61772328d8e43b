"""Facilities imported from Korea's public standard data, and 구/동 areas.

A facility's identity within its source is ``source_key`` (the importer's
natural key), so re-importing a file changes nothing and a newer snapshot
updates what changed and marks what vanished ``removed``.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.database import UTCDateTime, enum_column, utcnow
from server.extensions import db


class FacilityKind(enum.StrEnum):
    BELL = "bell"  # 안전비상벨
    CCTV = "cctv"
    SECURITY_LIGHT = "security_light"  # 보안등
    SAFE_HOUSE = "safe_house"  # 여성안심지킴이집
    POLICE = "police"  # 지구대·파출소


class FacilityStatus(enum.StrEnum):
    ACTIVE = "active"
    OUT_OF_ORDER = "out_of_order"
    REMOVED = "removed"


class Facility(db.Model):
    __table_args__ = (
        sa.UniqueConstraint("kind", "source", "source_key", name="natural_key"),
        sa.Index("ix_facility_kind_status", "kind", "status"),
        sa.Index("ix_facility_lat_lon", "lat", "lon"),
        sa.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FacilityKind] = mapped_column(enum_column(FacilityKind, 16))
    status: Mapped[FacilityStatus] = mapped_column(enum_column(FacilityStatus, 16), default=FacilityStatus.ACTIVE)
    lat: Mapped[float]
    lon: Mapped[float]
    #: Where it is, in words: 설치위치, 보안등위치명, 점포명…
    location: Mapped[str | None] = mapped_column(sa.String(200))
    road_address: Mapped[str | None] = mapped_column(sa.String(200))
    lot_address: Mapped[str | None] = mapped_column(sa.String(200))
    agency_name: Mapped[str | None] = mapped_column(sa.String(120))
    agency_phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: Kind-specific attributes: camera_count, purpose, police_link,
    #: last_inspection_date, last_inspection_result, opening_hours…
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    gu_code: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    dong_code: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    #: The dataset it came from and the key it has there.
    source: Mapped[str] = mapped_column(sa.String(80))
    source_key: Mapped[str] = mapped_column(sa.String(255))
    source_date: Mapped[dt.date | None]  # 데이터기준일자
    #: Hash of the imported values: an unchanged row is not written again.
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AreaLevel(enum.StrEnum):
    GU = "gu"  # 시군구
    DONG = "dong"  # 행정동


class AdminArea(db.Model):
    """A 구 or 동 polygon (GeoJSON, WGS84) with its bounding box for prefilters."""

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[AreaLevel] = mapped_column(enum_column(AreaLevel, 8))
    #: SIG_CD (5 digits) for a 구; adm_cd2 (10 digits) for a 동.
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    #: Another code of the same area: adm_cd (7-digit KOSTAT) for a 동.
    alt_code: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    name_en: Mapped[str | None] = mapped_column(sa.String(80))
    #: The 구 a 동 belongs to (SIG_CD).
    parent_code: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    min_lon: Mapped[float]
    min_lat: Mapped[float]
    max_lon: Mapped[float]
    max_lat: Mapped[float]
    source: Mapped[str | None] = mapped_column(sa.String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataVersion(db.Model):
    """A counter per dataset, bumped in the same transaction as any change, so
    every worker process can tell cheaply that its in-memory index is stale."""

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
