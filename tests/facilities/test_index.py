"""The in-memory index answers exactly what a brute-force haversine search does."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from server import geo
from server.facilities.index import KIND_CODE, KINDS, TIE_M, FacilityIndex
from server.facilities.models import FacilityKind

SEOUL = (37.5665, 126.9780)


def brute_force(points, lat, lon, radius, kinds, limit):  # type: ignore[no-untyped-def]
    found = []
    for pid, kind, plat, plon in points:
        if kind in kinds:
            d = geo.haversine_m(lat, lon, plat, plon)
            if d <= radius:
                found.append((d, pid))
    return sorted(found, key=lambda f: (round(f[0] / TIE_M), f[1]))[:limit]


def build(points) -> FacilityIndex:  # type: ignore[no-untyped-def]
    return FacilityIndex.from_arrays(
        1, [p[0] for p in points], [KIND_CODE[p[1]] for p in points], [p[2] for p in points], [p[3] for p in points]
    )


coordinate_offsets = st.tuples(st.floats(-0.05, 0.05), st.floats(-0.06, 0.06))
points_strategy = st.lists(st.tuples(st.sampled_from(KINDS), coordinate_offsets), min_size=0, max_size=300)


@settings(max_examples=300, deadline=None)
@given(
    points=points_strategy,
    query=coordinate_offsets,
    radius=st.floats(1, 5000),
    kinds=st.sets(st.sampled_from(KINDS), min_size=1),
    limit=st.integers(1, 100),
)
def test_nearby_equals_brute_force(points, query, radius, kinds, limit):
    rows = [(i + 1, kind, SEOUL[0] + dlat, SEOUL[1] + dlon) for i, (kind, (dlat, dlon)) in enumerate(points)]
    lat, lon = SEOUL[0] + query[0], SEOUL[1] + query[1]
    hits = build(rows).nearby(lat, lon, radius, tuple(kinds), limit)
    expected = brute_force(rows, lat, lon, radius, kinds, limit)
    assert [h.id for h in hits] == [pid for _, pid in expected]
    assert np.allclose([h.distance_m for h in hits], [d for d, _ in expected], rtol=0, atol=1e-6)


@settings(max_examples=100, deadline=None)
@given(bearing=st.floats(0, 360), radius=st.floats(5, 5000), margin=st.floats(0.01, 1.0))
def test_points_just_inside_are_found_and_just_outside_are_not(bearing, radius, margin):
    lat, lon = SEOUL
    inside = geo.destination(lat, lon, bearing, radius - margin)
    outside = geo.destination(lat, lon, (bearing + 90) % 360, radius + margin)
    rows = [(1, FacilityKind.BELL, *inside), (2, FacilityKind.BELL, *outside)]
    hits = build(rows).nearby(lat, lon, radius, (FacilityKind.BELL,), 10)
    assert [h.id for h in hits] == [1]
    assert abs(hits[0].distance_m - (radius - margin)) < 1e-3


def test_ties_are_ordered_by_id_even_at_the_cut():
    lat, lon = SEOUL
    # Eight points at the same distance in symmetric directions, plus duplicates.
    rows = [(10 - i, FacilityKind.BELL, *geo.destination(lat, lon, 45 * i, 250)) for i in range(8)]
    rows += [(20, FacilityKind.BELL, *rows[0][2:]), (21, FacilityKind.BELL, *rows[0][2:])]
    index = build(rows)
    for limit in range(1, 11):
        assert [h.id for h in index.nearby(lat, lon, 1000, (FacilityKind.BELL,), limit)] == [pid for _, pid in brute_force(rows, lat, lon, 1000, {FacilityKind.BELL}, limit)]


def test_nearest_first_across_kinds_and_limit():
    lat, lon = SEOUL
    rows = [
        (1, FacilityKind.CCTV, *geo.destination(lat, lon, 0, 300)),
        (2, FacilityKind.BELL, *geo.destination(lat, lon, 90, 100)),
        (3, FacilityKind.BELL, *geo.destination(lat, lon, 180, 200)),
        (4, FacilityKind.SAFE_HOUSE, *geo.destination(lat, lon, 270, 50)),
    ]
    index = build(rows)
    assert [h.id for h in index.nearby(lat, lon, 1000, KINDS, 10)] == [4, 2, 3, 1]
    assert [h.id for h in index.nearby(lat, lon, 1000, (FacilityKind.BELL,), 1)] == [2]
    assert index.nearby(lat, lon, 40, KINDS, 10) == []
    assert build([]).nearby(lat, lon, 1000, KINDS, 10) == []


def test_bearing_and_compass_words():
    lat, lon = SEOUL
    north_east = geo.destination(lat, lon, 45, 500)
    assert round(geo.bearing_deg(lat, lon, *north_east)) == 45
    assert geo.COMPASS_KO[geo.compass_index(45)] == "북동" and geo.COMPASS_EN[geo.compass_index(359)] == "N"
    assert geo.COMPASS_EN[geo.compass_index(200)] == "S" and geo.COMPASS_EN[geo.compass_index(247.6)] == "W"
    assert round(geo.walking_minutes(750), 6) == 10
