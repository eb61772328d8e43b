"""What safety evidence is computed from, read from the database: the working
facilities, recent public reports (faded with age) and the safe-return paths."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import sqlalchemy as sa

from server.extensions import db
from server.facilities.models import Facility, FacilityKind, FacilityStatus
from server.reports.models import Report, ReportStatus
from server.routing.models import SafePath
from server.routing.safety import NEVER, Points, SafetySettings, parse_hours


def load_facilities() -> dict[str, Points]:
    """The active facilities evidence is computed from."""
    label = sa.func.coalesce(Facility.location, Facility.road_address, Facility.lot_address)
    kinds = {FacilityKind.CCTV: "cctv", FacilityKind.BELL: "bell", FacilityKind.SECURITY_LIGHT: "light", FacilityKind.SAFE_HOUSE: "safe_house", FacilityKind.POLICE: "police"}
    rows: dict[str, list[Any]] = {name: [] for name in kinds.values()}
    # Attributes only where they matter: a light's count, a safe house's hours.
    needs_attributes = sa.case((Facility.kind.in_([FacilityKind.SECURITY_LIGHT, FacilityKind.SAFE_HOUSE]), Facility.attributes), else_=sa.null())
    query = sa.select(Facility.id, Facility.kind, Facility.lat, Facility.lon, label, needs_attributes).where(Facility.status == FacilityStatus.ACTIVE).order_by(Facility.id)
    for row in db.session.execute(query):
        rows[kinds[row[1]]].append(row)
    points = {}
    for name, found in rows.items():
        attributes = [r[5] or {} for r in found]
        points[name] = Points(
            ids=np.array([r[0] for r in found], dtype=np.int64),
            lat=np.array([r[2] for r in found], dtype=float),
            lon=np.array([r[3] for r in found], dtype=float),
            labels=[r[4] for r in found],
            weight=np.array([_count(a.get("count")) for a in attributes], dtype=float),
            hours=[_hours(a) for a in attributes],
        )
    return points


def _hours(attributes: dict[str, Any]) -> tuple[tuple[int, int], ...]:
    """Known hours; () when unknown (the day-only default applies); never open when it closed for good."""
    if attributes.get("operating") is False:
        return NEVER
    return parse_hours(attributes.get("opening_hours"), ())


def _count(value: Any) -> float:
    try:
        return max(1.0, float(value))
    except (TypeError, ValueError):
        return 1.0


def load_reports(settings: SafetySettings, now: dt.datetime) -> Points:
    """Public reports of the last days, each weighted by its fading with age."""
    from server.reports.service import PUBLIC_KINDS  # the public view's kinds: one list for both

    since = now - dt.timedelta(days=settings.report_days)
    rows = db.session.execute(
        sa.select(Report.id, Report.lat, Report.lon, Report.received_at).where(
            Report.kind.in_(PUBLIC_KINDS),
            Report.status.not_in([ReportStatus.FALSE_ALARM, ReportStatus.DUPLICATE]),
            Report.lat.is_not(None),
            Report.received_at >= since,
        )
    ).all()
    age_days = np.array([max(0.0, (now - r[3]).total_seconds() / 86400) for r in rows], dtype=float)
    return Points(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        lat=np.array([r[1] for r in rows], dtype=float),
        lon=np.array([r[2] for r in rows], dtype=float),
        weight=np.power(0.5, age_days / settings.report_half_life_days),
    )


def safe_path_lines(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The lines of a LineString or MultiLineString, as (lon, lat) vertices."""
    if geometry.get("type") == "LineString":
        return [[(float(p[0]), float(p[1])) for p in geometry["coordinates"]]]
    return [[(float(p[0]), float(p[1])) for p in line] for line in geometry.get("coordinates", [])]


def load_safe_paths() -> list[list[tuple[float, float]]]:
    return [line for geometry in db.session.scalars(sa.select(SafePath.geometry).order_by(SafePath.id)) for line in safe_path_lines(geometry)]
