"""Importing one snapshot of a facility dataset: read and validate every row,
place it in its 구/동, and upsert the lot in ONE transaction.

A file is a snapshot of its source (``source``, e.g. 전국안전비상벨위치표준데이터):

- A row whose natural key is new becomes a facility; a known row whose
  content hash is unchanged is not written at all (re-importing a file is a
  no-op: no ``updated_at`` moves); a changed row is updated in place.
- A facility of the source that the snapshot lacks is marked ``removed``.
  With ``--district`` only facilities in that 구 can be removed, so a
  district-filtered import never touches the rest of the city. A rejected
  row counts as absent.

Status rules, in order:

1. A row that says it is out of service (a safe house with 운영여부 N) makes
   the facility ``removed``; the row is kept, so it can come back.
2. ``out_of_order`` is set by operators, never by an import, and an import
   keeps it — unless the row reports a passing inspection (최종점검결과구분 Y)
   dated after the facility last changed, i.e. after the operator set it.
3. Otherwise the facility is ``active``: new rows, and ``removed`` facilities
   that reappear in a snapshot.

Reading, validation and locating happen before the first write, so a file
that turns out to be damaged halfway changes nothing; any error rolls back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from server.database import utcnow
from server.errors import Invalid
from server.extensions import db
from server.facilities import versions
from server.facilities.areas import Area, AreaLocator
from server.facilities.importing.datasets import Candidate, Dataset, Rejected, to_candidate
from server.facilities.importing.readers import SourceRow, open_table, problem
from server.facilities.importing.results import ImportResult, Reason, Rejection
from server.facilities.models import Facility, FacilityStatus

Progress = Callable[[Iterator[SourceRow]], AbstractContextManager[Iterable[SourceRow]]]
SOURCE_MAX_LENGTH = 80


class UnknownDistrict(Invalid):
    """--district names no imported 구."""


@dataclass
class Placed:
    candidate: Candidate
    row: SourceRow
    gu_code: str | None
    dong_code: str | None


@dataclass
class Known:
    """What the database holds for one natural key of the source."""

    id: int
    content_hash: str
    status: FacilityStatus
    gu_code: str | None
    updated_at: dt.datetime | None = None  # loaded for out_of_order facilities only


def import_facilities(
    dataset: Dataset,
    path: Path,
    *,
    district: str | None = None,
    source: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` as a snapshot of ``dataset``; see the module docstring."""
    source = (source or dataset.default_source)[:SOURCE_MAX_LENGTH]
    try:
        locator = AreaLocator.from_database()
        area = find_district(locator, district) if district else None
        result = ImportResult(dataset.command, source, path, district=area.describe() if area else None, dry_run=dry_run, located=locator.has_areas)
        candidates = _read(dataset, path, result, progress or nullcontext)
        placed = _place(candidates, locator, area, result)
        _apply(dataset, source, placed, area, result)
        if dry_run:
            db.session.rollback()
        else:
            if result.changed:
                versions.bump(versions.FACILITIES)
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    result.rejections.sort(key=lambda r: r.line)
    return result


def find_district(locator: AreaLocator, name_or_code: str) -> Area:
    gus = locator.gus()
    if not gus:
        raise UnknownDistrict(
            "No 구 boundaries are imported, so --district cannot be checked: run "
            "`ansim import areas <구 GeoJSON, e.g. seoul_gu_juso2015.geojson>` first. / "
            "구 경계가 없습니다. 먼저 `ansim import areas`로 구 경계를 가져오세요."
        )
    area = locator.find_gu(name_or_code)
    if area is None:
        known = ", ".join(a.describe() for a in gus[:30])
        raise UnknownDistrict(
            f"No imported 구 is named or coded {name_or_code!r} (imported: {known}). Give a name like 성북구 "
            "or a SIG_CD like 11290, or run `ansim import areas` with its boundaries first. / 해당 구가 없습니다."
        )
    return area


def _read(dataset: Dataset, path: Path, result: ImportResult, progress: Progress) -> list[tuple[SourceRow, Candidate]]:
    candidates = []
    with open_table(path) as table:
        layout = dataset.resolve(path, table.headers, table.has_geometry)
        result.headers = table.headers
        result.file_format = f"{table.format}, {table.encoding}" if table.encoding else table.format
        with progress(table.rows) as rows:
            for row in rows:
                result.read += 1
                try:
                    candidates.append((row, to_candidate(dataset, layout, row)))
                except Rejected as rejected:
                    result.rejections.append(Rejection(row.line, rejected.reason, rejected.detail, row.values))
    if result.read == 0:
        raise problem(path, "there are no data rows, only a header", "머리글만 있고 데이터 행이 없습니다")
    return candidates


def _place(candidates: list[tuple[SourceRow, Candidate]], locator: AreaLocator, area: Area | None, result: ImportResult) -> list[Placed]:
    """Locate every row at once (one STRtree query), then keep the rows in the
    district and the first row of each natural key."""
    codes = locator.locate_many([c.lon for _, c in candidates], [c.lat for _, c in candidates])
    first_line: dict[str, int] = {}
    placed = []
    for (row, candidate), (gu_code, dong_code) in zip(candidates, codes, strict=True):
        if area is not None and gu_code != area.code:
            result.rejections.append(Rejection(row.line, Reason.OUTSIDE_DISTRICT, f"in {gu_code or 'no imported 구'}, not {area.code}", row.values))
        elif candidate.key in first_line:
            detail = f"same key as line {first_line[candidate.key]}: {candidate.key}"
            result.rejections.append(Rejection(row.line, Reason.DUPLICATE, detail, row.values))
        else:
            first_line[candidate.key] = row.line
            placed.append(Placed(candidate, row, gu_code, dong_code))
    return placed


def _apply(dataset: Dataset, source: str, placed: list[Placed], area: Area | None, result: ImportResult) -> None:
    """Count and (unless a dry run) write the new, changed and vanished facilities."""
    known = _known(dataset, source)
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for item in placed:
        candidate = item.candidate
        values = {**candidate.values, "lat": candidate.lat, "lon": candidate.lon, "gu_code": item.gu_code, "dong_code": item.dong_code}
        digest = content_hash(values, candidate.in_service)
        old = known.get(candidate.key)
        if old is None:
            status = FacilityStatus.ACTIVE if candidate.in_service else FacilityStatus.REMOVED
            identity = {"kind": dataset.kind, "source": source, "source_key": candidate.key}
            inserts.append({**values, **identity, "status": status, "content_hash": digest, "created_at": now, "updated_at": now})
            continue
        status = next_status(old, candidate)
        if old.content_hash == digest and old.status is status:
            result.unchanged += 1
            continue
        updates.append({**values, "id": old.id, "status": status, "content_hash": digest, "updated_at": now})
        result.reactivated += int(old.status is FacilityStatus.REMOVED and status is not FacilityStatus.REMOVED)
    present = {item.candidate.key for item in placed}
    removals = [
        {"id": old.id, "status": FacilityStatus.REMOVED, "updated_at": now}
        for key, old in known.items()
        if key not in present and old.status is not FacilityStatus.REMOVED and (area is None or old.gu_code == area.code)
    ]
    result.new, result.updated, result.removed = len(inserts), len(updates), len(removals)
    if result.dry_run:
        return
    # Core-style bulk statements: one executemany each, no per-row ORM flush.
    if inserts:
        db.session.execute(sa.insert(Facility), inserts)
    for batch in (updates, removals):
        if batch:
            db.session.execute(sa.update(Facility), batch)


def _known(dataset: Dataset, source: str) -> dict[str, Known]:
    of_source = (Facility.kind == dataset.kind, Facility.source == source)
    rows = db.session.execute(sa.select(Facility.source_key, Facility.id, Facility.content_hash, Facility.status, Facility.gu_code).where(*of_source))
    known = {key: Known(*rest) for key, *rest in rows}
    # When each out-of-order facility last changed decides whether an inspection clears it.
    changed = sa.select(Facility.source_key, Facility.updated_at).where(*of_source, Facility.status == FacilityStatus.OUT_OF_ORDER)
    for key, updated_at in db.session.execute(changed):
        known[key].updated_at = updated_at
    return known


def next_status(old: Known, candidate: Candidate) -> FacilityStatus:
    """The status rules of the module docstring."""
    if not candidate.in_service:
        return FacilityStatus.REMOVED
    if old.status is FacilityStatus.OUT_OF_ORDER and not _inspected_fine_since(candidate, old.updated_at):
        return FacilityStatus.OUT_OF_ORDER
    return FacilityStatus.ACTIVE


def _inspected_fine_since(candidate: Candidate, moment: dt.datetime | None) -> bool:
    attributes = candidate.values["attributes"]
    inspected = attributes.get("last_inspection_date")
    since = moment.date().isoformat() if moment else ""
    return attributes.get("last_inspection_result") == "Y" and inspected is not None and inspected > since


def content_hash(values: dict[str, Any], in_service: bool) -> str:
    """A digest of everything an import writes, so unchanged rows are skipped."""
    payload = json.dumps({**values, "in_service": in_service}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
