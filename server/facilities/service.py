"""Finding facilities: nearby (from the in-memory index), in a map viewport
(aggregated when crowded), one by id; and operators changing a status."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from server import geo
from server.database import get_or_not_found, utcnow
from server.extensions import db
from server.facilities import versions
from server.facilities.index import KINDS, facility_index, invalidate_index
from server.facilities.models import AdminArea, Facility, FacilityKind, FacilityStatus


def nearby(lat: float, lon: float, radius_m: float, kinds: tuple[FacilityKind, ...] | None = None, limit: int = 10) -> list[dict[str, Any]]:
    """The nearest active facilities, each with distance, bearing and walking time."""
    hits = facility_index().nearby(lat, lon, radius_m, kinds or KINDS, limit)
    results = []
    for hit in hits:
        bearing = geo.bearing_deg(lat, lon, hit.lat, hit.lon)
        compass = geo.compass_index(bearing)
        results.append(
            {
                "id": hit.id,
                "kind": hit.kind.value,
                "lat": hit.lat,
                "lon": hit.lon,
                "label": hit.label,
                "distance_m": round(hit.distance_m, 1),
                "bearing_deg": round(bearing, 1),
                "compass": geo.COMPASS_EN[compass],
                "compass_ko": geo.COMPASS_KO[compass],
                "walking_minutes": round(geo.walking_minutes(hit.distance_m), 1),
            }
        )
    return results


def viewport(bbox: tuple[float, float, float, float], kinds: tuple[FacilityKind, ...] | None, max_points: int) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the facilities in ``bbox``.

    When more than ``max_points`` fall inside, they are aggregated on a grid
    aligned to fixed cell sizes (so clusters stay put while the map pans);
    each cluster says how many of each kind it holds.
    """
    index = facility_index()
    selected = index.in_bbox(bbox, kinds or KINDS)
    total = sum(len(rows) for _, rows in selected)
    if total <= max_points:
        features = []
        for kind, rows in selected:
            part = index.by_kind[kind]
            for row in rows.tolist():
                features.append(_point(part.lons[row], part.lats[row], {"id": int(part.ids[row]), "kind": kind.value, "label": part.labels[row]}))
        return {"type": "FeatureCollection", "features": features, "aggregated": False, "total": total}
    return {"type": "FeatureCollection", "features": _clusters(index, selected, bbox), "aggregated": True, "total": total}


def _point(lon: float, lat: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(float(lon), 7), round(float(lat), 7)]}, "properties": properties}


def _clusters(index, selected, bbox) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    min_lon, min_lat, max_lon, max_lat = bbox
    # About 16 cells across the wider side, rounded to a power of two of a degree.
    span = max(max_lon - min_lon, max_lat - min_lat, 1e-6)
    cell = 2.0 ** math.floor(math.log2(span / 16))
    sums: dict[tuple[int, int], list[float]] = {}
    counts: dict[tuple[int, int], Counter[str]] = {}
    for kind, rows in selected:
        part = index.by_kind[kind]
        lats, lons = part.lats[rows], part.lons[rows]
        keys = np.column_stack((np.floor(lons / cell), np.floor(lats / cell))).astype(np.int64)
        for (kx, ky), lat, lon in zip(map(tuple, keys.tolist()), lats.tolist(), lons.tolist(), strict=True):
            acc = sums.setdefault((kx, ky), [0.0, 0.0, 0])
            acc[0] += lat
            acc[1] += lon
            acc[2] += 1
            counts.setdefault((kx, ky), Counter())[kind.value] += 1
    features = []
    for key, (lat_sum, lon_sum, n) in sums.items():
        features.append(_point(lon_sum / n, lat_sum / n, {"cluster": True, "count": int(n), "kinds": dict(counts[key])}))
    return features


def get_facility(facility_id: int) -> Facility:
    return get_or_not_found(Facility, facility_id, "facility")


@dataclass
class FacilityDetails:
    """A facility with the names of the 구 and 동 it lies in."""

    facility: Facility
    gu_name: str | None
    dong_name: str | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.facility, name)


def details(facility: Facility) -> FacilityDetails:
    codes = [c for c in (facility.gu_code, facility.dong_code) if c]
    names = dict(db.session.execute(sa.select(AdminArea.code, AdminArea.name).where(AdminArea.code.in_(codes))).all()) if codes else {}
    return FacilityDetails(facility, names.get(facility.gu_code or ""), names.get(facility.dong_code or ""))


def set_status(facility: Facility, status: FacilityStatus) -> Facility:
    """An operator marks a facility out of order, or working again."""
    if facility.status != status:
        facility.status = status
        facility.updated_at = utcnow()
        versions.bump(versions.FACILITIES)
        db.session.commit()
        invalidate_index()
    return facility
