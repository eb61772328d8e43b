"""Designated safe-return paths (여성안심귀갓길), as imported.

The street graph itself lives in files (``instance/streets/``); a path is a
row, so that a new street graph is matched to the same paths again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.database import UTCDateTime, utcnow
from server.extensions import db


class SafePath(db.Model):
    """A line (GeoJSON LineString or MultiLineString, WGS84) with its name and origin."""

    __table_args__ = (sa.UniqueConstraint("source", "source_key", name="safe_path_natural_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    length_m: Mapped[float]
    #: The file or dataset it came from, and its key there (id or name).
    source: Mapped[str] = mapped_column(sa.String(80))
    source_key: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
