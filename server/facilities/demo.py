"""Generated demo facilities and areas for the demo district.

Nothing here comes from real data: a made-up 구 outline around the map
centre, split into four 동, with bells, cameras, lights, safe houses and
police boxes laid along a street grid by a seeded random generator, so every
demo shows the same town.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from shapely.geometry import Point, Polygon, box, mapping

from server import geo
from server.database import utcnow
from server.extensions import db
from server.facilities import versions
from server.facilities.models import AdminArea, AreaLevel, Facility, FacilityKind

SOURCE = "ansim-demo"
STREET_SPACING_M = 160


def district_outline(lat: float, lon: float) -> Polygon:
    """An irregular octagon about 3.4 km across."""
    radii = (1700, 1500, 1800, 1400, 1650, 1550, 1750, 1450)
    return Polygon([geo.destination(lat, lon, 22.5 + 45 * i, r)[::-1] for i, r in enumerate(radii)])


def _dongs(outline: Polygon, lat: float, lon: float) -> list[Polygon]:
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    quadrants = (box(min_lon, lat, lon, max_lat), box(lon, lat, max_lon, max_lat), box(min_lon, min_lat, lon, lat), box(lon, min_lat, max_lon, lat))
    return [outline.intersection(q) for q in quadrants]


def seed_demo_facilities(center: tuple[float, float], district_code: str, district_name: str, district_name_en: str) -> int:
    """Create the demo areas and facilities when there are no facilities; return how many were made."""
    if db.session.scalar(db.select(db.func.count()).select_from(Facility)):
        return 0
    lat, lon = center
    rng = random.Random(int(district_code) if district_code.isdigit() else 1)
    outline = district_outline(lat, lon)
    _add_area(AreaLevel.GU, district_code, f"{district_name}", district_name_en, None, outline)
    dong_shapes = _dongs(outline, lat, lon)
    dong_codes = [f"{district_code}{n:05d}" for n in range(1, 5)]
    for n, (code, shape) in enumerate(zip(dong_codes, dong_shapes, strict=True), start=1):
        _add_area(AreaLevel.DONG, code, f"데모{n}동", f"Demo {n}-dong", district_code, shape)

    crossings = _street_crossings(outline, lat, lon)
    rows: list[dict] = []
    today = dt.date.today()

    def add(kind: FacilityKind, point: tuple[float, float], **values) -> None:  # type: ignore[no-untyped-def]
        if not outline.covers(Point(point[1], point[0])):
            return  # jittered over the border: the demo district keeps to itself
        dong = next((code for code, shape in zip(dong_codes, dong_shapes, strict=True) if shape.covers(Point(point[1], point[0]))), None)
        rows.append(
            {
                "kind": kind,
                "lat": round(point[0], 7),
                "lon": round(point[1], 7),
                "gu_code": district_code,
                "dong_code": dong,
                "source": SOURCE,
                "source_key": f"{kind.value}-{len(rows)}",
                "source_date": today,
                "agency_name": f"{district_name}청 (데모)",
                "agency_phone": "02-0000-0000",
                **values,
            }
        )

    for n, point in enumerate(rng.sample(crossings, min(140, len(crossings)))):
        add(
            FacilityKind.BELL,
            _jitter(rng, point, 8),
            location=rng.choice(("골목길 전신주", "공원 입구", "버스정류장", "공중화장실 앞", "어린이공원", "주차장 입구")),
            road_address=f"데모로 {n + 1}",
            attributes={"purpose": "방범용", "police_link": True, "link_method": "양방향", "last_inspection_date": (today - dt.timedelta(days=rng.randint(10, 300))).isoformat(), "last_inspection_result": "정상"},
        )
    for n, point in enumerate(rng.sample(crossings, min(320, len(crossings)))):
        add(
            FacilityKind.CCTV,
            _jitter(rng, point, 10),
            location=rng.choice(("교차로", "골목 입구", "공원", "학교 앞", "주택가")),
            road_address=f"데모로 {n + 1}",
            attributes={"purpose": "생활방범", "camera_count": rng.choice((1, 1, 2, 3, 4)), "direction": rng.choice(("360도", "북측", "남측", "동측", "서측")), "retention_days": 30},
        )
    for point in crossings:
        for _ in range(rng.choice((1, 2, 2, 3))):
            add(FacilityKind.SECURITY_LIGHT, _jitter(rng, point, 60), attributes={"count": 1, "mount": rng.choice(("한전주", "건축물", "전용주"))})
    stores = ("GS25", "CU", "세븐일레븐", "이마트24", "약국")
    for n, point in enumerate(rng.sample(crossings, 12)):
        add(
            FacilityKind.SAFE_HOUSE,
            _jitter(rng, point, 15),
            location=f"{rng.choice(stores)} 데모{n + 1}호점",
            attributes={"opening_hours": "24시간" if n % 3 else "08:00-23:00", "police_station": f"{district_name} 데모경찰서", "operating": True},
        )
    for n, point in enumerate(rng.sample(crossings, 3), start=1):
        add(FacilityKind.POLICE, point, location=f"데모{n} 지구대", agency_phone="112")

    now = utcnow()
    db.session.execute(db.insert(Facility), [{**row, "attributes": row.get("attributes", {}), "content_hash": "", "created_at": now, "updated_at": now} for row in rows])
    versions.bump(versions.FACILITIES)
    versions.bump(versions.AREAS)
    db.session.commit()
    return len(rows)


def _add_area(level: AreaLevel, code: str, name: str, name_en: str, parent: str | None, shape: Polygon) -> None:
    if db.session.scalar(db.select(AdminArea.id).where(AdminArea.code == code)):
        return
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    db.session.add(
        AdminArea(level=level, code=code, name=name, name_en=name_en, parent_code=parent, geometry=mapping(shape), min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat, source=SOURCE)
    )


def street_grid(outline: Polygon, lat: float) -> tuple[list[float], list[float]]:
    """The latitudes and longitudes of the demo streets, every STREET_SPACING_M
    across the outline's bounds (the demo street graph is laid on the same grid)."""
    step_lat = STREET_SPACING_M / 111_320
    step_lon = step_lat / max(0.1, math.cos(math.radians(lat)))
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    lats, lons = [], []
    y = min_lat
    while y <= max_lat:
        lats.append(y)
        y += step_lat
    x = min_lon
    while x <= max_lon:
        lons.append(x)
        x += step_lon
    return lats, lons


def _street_crossings(outline: Polygon, lat: float, lon: float) -> list[tuple[float, float]]:
    """Grid points of the street grid inside the outline, as (lat, lon)."""
    lats, lons = street_grid(outline, lat)
    return [(y, x) for y in lats for x in lons if outline.contains(Point(x, y))]


def _jitter(rng: random.Random, point: tuple[float, float], metres: float) -> tuple[float, float]:
    return geo.destination(point[0], point[1], rng.uniform(0, 360), rng.uniform(0, metres))
