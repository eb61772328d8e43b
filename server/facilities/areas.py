"""구 and 동 areas: importing their boundaries, and ``AreaLocator``, which
answers which 구 and 동 a point lies in.

Two boundary files are understood, told apart by their properties:

- 구 (SGIS/JUSO 시군구): ``SIG_CD``, ``SIG_KOR_NM``, ``SIG_ENG_NM``; Polygon.
- 행정동 (vuski/admdongkor): ``adm_cd2`` (10-digit MOIS code), ``adm_cd``
  (7-digit KOSTAT), ``adm_nm`` (``서울특별시 성북구 돈암1동``), ``sgg``; MultiPolygon.

An import upserts by code and never deletes: a file may cover one 시·도 only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa
from shapely.geometry import shape

from server.database import utcnow
from server.extensions import db
from server.facilities import versions
from server.facilities.importing.datasets import KOREA_BBOX
from server.facilities.importing.readers import decode_text, features_of, parse_json, problem
from server.facilities.models import AdminArea, AreaLevel

COMPARED = ("level", "name", "name_en", "alt_code", "parent_code", "geometry", "min_lon", "min_lat", "max_lon", "max_lat", "source")


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: AreaLevel

    def describe(self) -> str:
        return f"{self.name} ({self.code})"


class AreaLocator:
    """Point-in-polygon against the imported 구 and 동.

    Many points are located at once by putting the *points* in an STRtree and
    querying it with each polygon: GEOS then prepares every polygon once,
    which is 20 times faster than querying a polygon tree point by point
    (22,500 points in 25 detailed 구 polygons: 15 ms instead of 330 ms).

    Each level is answered by its own polygons. The 구 and 동 files may come
    from different years (the Seoul ones: 2015 and 2021), so near a border a
    point can lie in one 구 and in a 동 of its neighbour.
    """

    def __init__(self, areas: Iterable[tuple[Area, dict[str, Any]]]):
        self._areas: dict[AreaLevel, list[Area]] = {AreaLevel.GU: [], AreaLevel.DONG: []}
        polygons: dict[AreaLevel, list[Any]] = {AreaLevel.GU: [], AreaLevel.DONG: []}
        for area, geometry in areas:
            polygon = shape(geometry)
            self._areas[area.level].append(area)
            polygons[area.level].append(polygon if polygon.is_valid else shapely.make_valid(polygon))
        self._polygons = {level: np.asarray(shapes, dtype=object) for level, shapes in polygons.items()}

    @classmethod
    def from_database(cls) -> AreaLocator:
        rows = db.session.execute(sa.select(AdminArea.code, AdminArea.name, AdminArea.level, AdminArea.geometry).order_by(AdminArea.code))
        return cls((Area(code, name, level), geometry) for code, name, level, geometry in rows)

    @property
    def has_areas(self) -> bool:
        return any(self._areas.values())

    def gus(self) -> list[Area]:
        return list(self._areas[AreaLevel.GU])

    def find_gu(self, name_or_code: str) -> Area | None:
        """The 구 called ``성북구`` or coded ``11290``."""
        wanted = name_or_code.strip()
        return next((a for a in self._areas[AreaLevel.GU] if wanted in (a.code, a.name)), None)

    def locate(self, lon: float, lat: float) -> tuple[str | None, str | None]:
        """(gu_code, dong_code) of a point; None where no area holds it."""
        return self.locate_many([lon], [lat])[0]

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> list[tuple[str | None, str | None]]:
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        gu = self._codes(AreaLevel.GU, points)
        dong = self._codes(AreaLevel.DONG, points)
        return list(zip(gu, dong, strict=True))

    def _codes(self, level: AreaLevel, points: np.ndarray) -> list[str | None]:
        areas = self._areas[level]
        if not areas or len(points) == 0:
            return [None] * len(points)
        # "intersects" keeps points that lie exactly on a boundary; where two
        # areas share that boundary, the first (from the database: the lowest code) wins.
        area_index, point_index = shapely.STRtree(points).query(self._polygons[level], predicate="intersects")
        chosen = np.full(len(points), len(areas))
        np.minimum.at(chosen, point_index, area_index)
        return [areas[i].code if i < len(areas) else None for i in chosen.tolist()]


@dataclass
class AreaImportResult:
    path: Path
    level: AreaLevel
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def describe(self) -> str:
        level = "구" if self.level is AreaLevel.GU else "행정동"
        lines = [f"{level} areas from {self.path.name}: read {self.read}, new {self.new}, updated {self.updated}, unchanged {self.unchanged}"]
        if self.dry_run:
            lines.append("dry run: nothing was changed")
        return "\n".join(lines)


def import_areas(path: Path, *, source: str | None = None, dry_run: bool = False) -> AreaImportResult:
    """Upsert the 구 or 행정동 boundaries of a GeoJSON file, in one transaction."""
    text, _encoding = decode_text(path, path.read_bytes())
    if not text.strip():
        raise problem(path, "the file is empty", "파일이 비어 있습니다")
    features = features_of(path, parse_json(path, text))
    if not features:
        raise problem(path, "the GeoJSON has no features", "GeoJSON에 피처가 없습니다")
    level = _level_of(path, features)
    incoming = [_area_values(path, level, feature, source or path.name) for feature in features]
    result = AreaImportResult(path, level, read=len(incoming), dry_run=dry_run)
    try:
        existing = {a.code: a for a in db.session.scalars(sa.select(AdminArea).where(AdminArea.code.in_([v["code"] for v in incoming])))}
        for values in incoming:
            area = existing.get(values["code"])
            if area is None:
                result.new += 1
                if not dry_run:
                    db.session.add(AdminArea(**values, updated_at=utcnow()))
            elif any(getattr(area, name) != values[name] for name in COMPARED):
                result.updated += 1
                if not dry_run:
                    for name in COMPARED:
                        setattr(area, name, values[name])
                    area.updated_at = utcnow()
            else:
                result.unchanged += 1
        if dry_run:
            db.session.rollback()
            return result
        if result.new or result.updated:
            versions.bump(versions.AREAS)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _level_of(path: Path, features: list[dict[str, Any]]) -> AreaLevel:
    keys = set().union(*((f.get("properties") or {}).keys() for f in features))
    if {"SIG_CD", "SIG_KOR_NM"} <= keys:
        return AreaLevel.GU
    if {"adm_cd2", "adm_nm"} <= keys:
        return AreaLevel.DONG
    raise problem(
        path,
        "not a 구 (SIG_CD, SIG_KOR_NM) or 행정동 (adm_cd2, adm_nm, sgg) boundary file",
        "구(SIG_CD) 또는 행정동(adm_cd2) 경계 파일이 아닙니다",
    )


def _area_values(path: Path, level: AreaLevel, feature: dict[str, Any], source: str) -> dict[str, Any]:
    properties = feature.get("properties") or {}
    geometry = feature.get("geometry") or {}
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise problem(path, f"a feature has a {geometry.get('type')} geometry, not a (Multi)Polygon", "폴리곤이 아닌 피처가 있습니다")
    min_lon, min_lat, max_lon, max_lat = shape(geometry).bounds
    box = KOREA_BBOX  # outside it the boundaries are not WGS84 degrees (e.g. EPSG:5179 metres)
    if not (box[0] <= min_lon and max_lon <= box[2] and box[1] <= min_lat and max_lat <= box[3]):
        raise problem(path, "the boundaries are not WGS84 longitude/latitude in Korea", "경계 좌표가 한국의 WGS84 경위도가 아닙니다")
    if level is AreaLevel.GU:
        code, name, name_en, alt_code, parent = properties.get("SIG_CD"), properties.get("SIG_KOR_NM"), properties.get("SIG_ENG_NM"), None, None
    else:
        full_name = str(properties.get("adm_nm") or "")
        code, name, name_en = properties.get("adm_cd2"), full_name.split()[-1] if full_name.strip() else None, None
        alt_code, parent = properties.get("adm_cd"), properties.get("sgg")
    if not code or not name:
        raise problem(path, "a feature has no code or name", "코드나 이름이 없는 피처가 있습니다")
    return {
        "level": level,
        "code": str(code),
        "name": str(name),
        "name_en": str(name_en) if name_en else None,
        "alt_code": str(alt_code) if alt_code else None,
        "parent_code": str(parent) if parent else None,
        "geometry": geometry,
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "source": source[:120],
    }
