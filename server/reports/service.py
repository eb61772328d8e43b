"""Receiving reports exactly once, and the operators' case workflow.

``submit`` is idempotent on the client's key: the first request stores the
report, every retry — also one racing the first — gets that same report back.
Status changes follow ``TRANSITIONS`` and each one writes a ``ReportEvent``.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from server.accounts.models import Device, Role, User
from server import geo
from server.database import get_or_not_found, utcnow
from server.errors import Conflict, Invalid, NotFound
from server.extensions import db
from server.facilities import service as facilities
from server.facilities import versions
from server.facilities.areas import AreaLocator
from server.facilities.models import AdminArea, Facility, FacilityKind
from server.live import publish
from server.reports.models import Report, ReportEvent, ReportKind, ReportStatus

#: The live channel operators listen on. Only ids travel through it: the
#: stream reads the report itself, so no reporter data passes through Redis.
CHANNEL = "reports"
OPEN = (ReportStatus.NEW, ReportStatus.ACKNOWLEDGED, ReportStatus.DISPATCHED)
CLOSED = (ReportStatus.RESOLVED, ReportStatus.FALSE_ALARM, ReportStatus.DUPLICATE)
#: Where a report may go from each status. A closed case can be reopened.
TRANSITIONS: dict[ReportStatus, tuple[ReportStatus, ...]] = {
    ReportStatus.NEW: (ReportStatus.ACKNOWLEDGED, ReportStatus.DISPATCHED, *CLOSED),
    ReportStatus.ACKNOWLEDGED: (ReportStatus.DISPATCHED, *CLOSED),
    ReportStatus.DISPATCHED: CLOSED,
    **{closed: (ReportStatus.ACKNOWLEDGED,) for closed in CLOSED},
}


@dataclass
class Submitted:
    report: Report
    created: bool


def submit(values: dict[str, Any], *, idempotency_key: str, device: Device | None, user: User | None) -> Submitted:
    """Store a report once per idempotency key; a retry returns the stored one."""
    existing = _by_key(idempotency_key)
    if existing is not None:
        return Submitted(_same_reporter(existing, device, user), created=False)
    _validate(values)
    if values.get("client_time") is not None:
        values = {**values, "client_time": values["client_time"].astimezone(dt.UTC)}
    report = Report(**values, idempotency_key=idempotency_key, device_id=device.id if device else None, user_id=user.id if user else None)
    if report.lat is not None and report.lon is not None:
        report.gu_code, report.dong_code = _locator().locate(report.lon, report.lat)
    now = utcnow()
    report.received_at = report.updated_at = now
    event = ReportEvent(at=now, actor_device_id=report.device_id, actor_user_id=report.user_id, to_status=ReportStatus.NEW)
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
            event.report_id = report.id
            db.session.add(event)
            db.session.flush()
    except sa.exc.IntegrityError:
        # A concurrent retry with the same key stored it first: that one wins.
        db.session.rollback()
        existing = _by_key(idempotency_key)
        if existing is None:
            raise
        return Submitted(_same_reporter(existing, device, user), created=False)
    announcement = _announcement(event)
    db.session.commit()
    publish(CHANNEL, announcement)
    return Submitted(report, created=True)


def _announcement(event: ReportEvent) -> dict[str, Any]:
    """What live feeds are told; read before the commit expires the event."""
    return {"event_id": event.id, "report_id": event.report_id, "to_status": event.to_status.value}


def events_since(event_id: int, limit: int = 200) -> list[ReportEvent]:
    """What a reconnecting live feed missed (by ``Last-Event-ID``)."""
    return list(db.session.scalars(sa.select(ReportEvent).where(ReportEvent.id > event_id).order_by(ReportEvent.id).limit(limit)))


def is_stored(key: str) -> bool:
    return db.session.scalar(sa.select(Report.id).where(Report.idempotency_key == key)) is not None


def _by_key(key: str) -> Report | None:
    return db.session.scalar(sa.select(Report).where(Report.idempotency_key == key))


def _same_reporter(report: Report, device: Device | None, user: User | None) -> Report:
    if (device is not None and report.device_id == device.id) or (user is not None and report.user_id == user.id):
        return report
    raise Conflict("This idempotency key was used for another report; make a new key for each report.", {"headers": {"Idempotency-Key": ["Already used."]}})


def _validate(values: dict[str, Any]) -> None:
    kind = values["kind"]
    errors: dict[str, list[str]] = {}
    if kind is not ReportKind.CRIME_WARNING_POST and (values.get("lat") is None or values.get("lon") is None):
        errors["lat"] = ["A location is needed for this kind of report."]
    if kind is ReportKind.CRIME_WARNING_POST and not values.get("url") and not values.get("text"):
        errors["url"] = ["Give the address of the post, or describe where it was seen."]
    if kind is ReportKind.FACILITY_FAULT:
        if values.get("facility_id") is None:
            errors["facility_id"] = ["Say which facility is broken."]
        elif db.session.get(Facility, values["facility_id"]) is None:
            errors["facility_id"] = ["No such facility."]
    if errors:
        raise Invalid("Some fields are missing for this kind of report.", {"json": errors})


def _locator() -> AreaLocator:
    """The 구/동 locator, rebuilt when the areas change (checked at most once a second)."""
    now = time.monotonic()
    cached = current_app.extensions.get("ansim.report_locator")
    if cached is not None and now - cached[2] < current_app.config["INDEX_CHECK_SECONDS"]:
        return cached[1]
    version = versions.current(versions.AREAS)
    locator = cached[1] if cached is not None and cached[0] == version else AreaLocator.from_database()
    current_app.extensions["ansim.report_locator"] = (version, locator, now)
    return locator


def mine(device: Device | None, user: User | None) -> list[Report]:
    """The reports this device or account sent, newest first."""
    conditions = []
    if device is not None:
        conditions.append(Report.device_id == device.id)
    if user is not None:
        conditions.append(Report.user_id == user.id)
    if not conditions:
        return []
    newest_first = sa.select(Report).where(sa.or_(*conditions)).order_by(Report.received_at.desc(), Report.id.desc()).limit(100)
    return list(db.session.scalars(newest_first.options(selectinload(Report.photos))))


def search(
    *,
    statuses: list[ReportStatus] | None = None,
    kinds: list[ReportKind] | None = None,
    area: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> sa.Select[tuple[Report]]:
    """Operators' list: newest first, open SOS before everything else."""
    stmt = sa.select(Report)
    if statuses:
        stmt = stmt.where(Report.status.in_(statuses))
    if kinds:
        stmt = stmt.where(Report.kind.in_(kinds))
    if area:
        stmt = stmt.where(sa.or_(Report.gu_code == area, Report.dong_code == area))
    if since:
        stmt = stmt.where(Report.received_at >= since)
    if until:
        stmt = stmt.where(Report.received_at < until)
    urgent = sa.case((sa.and_(Report.kind == ReportKind.SOS, Report.status.in_(OPEN)), 0), else_=1)
    return stmt.options(selectinload(Report.photos)).order_by(urgent, Report.received_at.desc(), Report.id.desc())


def get(report_id: int) -> Report:
    return get_or_not_found(Report, report_id, "report")


@dataclass
class ReportDetails:
    """A report with its nearest cameras and bells."""

    report: Report
    nearest: dict[str, list[dict[str, Any]]]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.report, name)


def details(report: Report) -> ReportDetails:
    return ReportDetails(with_area_names([report])[0], nearest_facilities(report))


def nearest_facilities(report: Report) -> dict[str, list[dict[str, Any]]]:
    """The 3 nearest cameras and bells, for the operator to look and to call:
    each with its management number, address, the way a camera looks, and
    the distance and bearing from the report."""
    if report.lat is None or report.lon is None:
        return {"cctv": [], "bells": []}
    found = {
        "cctv": facilities.nearby(report.lat, report.lon, 1000, (FacilityKind.CCTV,), 3),
        "bells": facilities.nearby(report.lat, report.lon, 1000, (FacilityKind.BELL,), 3),
    }
    ids = [item["id"] for items in found.values() for item in items]
    rows = {f.id: f for f in db.session.scalars(sa.select(Facility).where(Facility.id.in_(ids)))} if ids else {}
    for items in found.values():
        for item in items:
            facility = rows[item["id"]]
            attributes = facility.attributes or {}
            item.update(
                ref=attributes.get("management_number") or attributes.get("bell_number"),
                address=facility.road_address or facility.lot_address or facility.location,
                view_direction=attributes.get("direction"),
                camera_count=attributes.get("camera_count"),
                agency_phone=facility.agency_phone,
            )
    return found


def with_area_names(reports: list[Report]) -> list[Report]:
    """Label each report with the name of its 동 (or 구), in one query."""
    codes = {c for r in reports for c in (r.dong_code, r.gu_code) if c}
    names = dict(db.session.execute(sa.select(AdminArea.code, AdminArea.name).where(AdminArea.code.in_(codes))).all()) if codes else {}
    for report in reports:
        report.area_name = names.get(report.dong_code or "") or names.get(report.gu_code or "")
    return reports


def change_status(
    report: Report,
    to: ReportStatus,
    *,
    by: User,
    note: str | None = None,
    public_note: str | None = None,
    assignee: User | None = None,
) -> Report:
    """Move a case along; an impossible move is a 409, and every move is logged.

    Dispatching may name the guard who goes (``assignee``); the case then shows
    in that guard's app until it is closed. Re-dispatching names another.
    """
    if to is not report.status and to not in TRANSITIONS[report.status]:
        raise Conflict(f"A {report.status.value} report cannot become {to.value}.", {"json": {"status": [f"Allowed: {', '.join(s.value for s in TRANSITIONS[report.status])}."]}})
    if assignee is not None:
        _check_assignable(assignee, to)
    if to is report.status and note is None and public_note is None and (assignee is None or assignee.id == report.assignee_id):
        return report
    now = utcnow()
    event = ReportEvent(report_id=report.id, at=now, actor_user_id=by.id, from_status=report.status, to_status=to, note=note, assignee_id=assignee.id if assignee else None)
    db.session.add(event)
    report.status = to
    if assignee is not None:
        report.assignee_id = assignee.id
    if public_note is not None:
        report.public_note = public_note
    report.updated_at = now
    db.session.flush()
    announcement = _announcement(event)
    db.session.commit()
    publish(CHANNEL, announcement)
    return report


def _check_assignable(assignee: User, to: ReportStatus) -> None:
    if to is not ReportStatus.DISPATCHED:
        raise Invalid("Only a dispatch names a guard.", {"json": {"assignee_id": ["Send it with status dispatched."]}})
    if assignee.role is not Role.GUARD or not assignee.active:
        raise Invalid("Cases are dispatched to active guards.", {"json": {"assignee_id": ["Not an active guard."]}})


def assignee_by_id(user_id: int | None) -> User | None:
    """The guard named in a request, or a field error."""
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None:
        raise Invalid("No such guard.", {"json": {"assignee_id": ["No such guard."]}})
    return user


def assigned_to(guard: User) -> list[Report]:
    """The open cases dispatched to this guard, newest first."""
    stmt = sa.select(Report).where(Report.assignee_id == guard.id, Report.status == ReportStatus.DISPATCHED)
    return list(db.session.scalars(stmt.options(selectinload(Report.photos)).order_by(Report.updated_at.desc(), Report.id.desc())))


def assigned_case(guard: User, report_id: int) -> Report:
    """One case dispatched to this guard; any other report is not theirs to see."""
    report = db.session.get(Report, report_id)
    if report is None or report.assignee_id != guard.id:
        raise NotFound("No such case dispatched to you.")
    return report


def guard_update(report: Report, *, by: User, note: str, resolved: bool = False) -> Report:
    """A guard on the case writes what they found, and may close it."""
    if report.status is not ReportStatus.DISPATCHED:
        raise Conflict("This case is no longer open.", {"json": {"status": [f"It is {report.status.value}."]}})
    return change_status(report, ReportStatus.RESOLVED if resolved else ReportStatus.DISPATCHED, by=by, note=note)


def merge(report: Report, into: Report, *, by: User, note: str | None = None) -> Report:
    """Mark a report a duplicate of another, which stays the case to follow."""
    if report.id == into.id or into.merged_into_id == report.id:
        raise Conflict("A report cannot be merged into itself.", {"json": {"into": ["Pick another report."]}})
    report.merged_into_id = into.id
    return change_status(report, ReportStatus.DUPLICATE, by=by, note=note or f"merged into #{into.id}")


#: Reports anyone may see on the map, at ~100 m and by day only. SOS calls,
#: crime warning posts and closed-as-wrong reports are never public.
PUBLIC_KINDS = (ReportKind.SUSPICIOUS_PERSON, ReportKind.WEAPON_SEEN, ReportKind.ASSAULT, ReportKind.DARK_STREET, ReportKind.FACILITY_FAULT)
PUBLIC_GRID_M = 100


def public_reports(bbox: tuple[float, float, float, float], days: int) -> dict[str, Any]:
    """Recent public reports in a box as GeoJSON, each snapped to a ~100 m grid
    and dated by day: no ids, no text, no reporter, no exact place or time."""
    min_lon, min_lat, max_lon, max_lat = bbox
    since = utcnow() - dt.timedelta(days=days)
    rows = db.session.execute(
        sa.select(Report.kind, Report.status, Report.lat, Report.lon, Report.received_at).where(
            Report.kind.in_(PUBLIC_KINDS),
            Report.status.not_in((ReportStatus.FALSE_ALARM, ReportStatus.DUPLICATE)),
            Report.received_at >= since,
            Report.lat.between(min_lat, max_lat),
            Report.lon.between(min_lon, max_lon),
        )
    ).all()
    features = []
    for kind, status, lat, lon, received_at in rows:
        snapped_lat, snapped_lon = geo.snap_to_grid(lat, lon, PUBLIC_GRID_M)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [snapped_lon, snapped_lat]},
                "properties": {"kind": kind.value, "open": status in OPEN, "day": received_at.date().isoformat()},
            }
        )
    return {"type": "FeatureCollection", "features": features}
