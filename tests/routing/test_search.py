"""Routes on hand-built streets: snapping, lengths, the three alternatives, the detour
bound, and the errors (too far from a street, no connection)."""

import itertools

import pytest

from server import geo
from server.routing.search import NoConnection, Unsnappable
from tests.routing.streets import NIGHT, at, graph, points, router

MAIN = {"highway": "tertiary"}
ALLEY = {"highway": "residential"}


def route(r, start, end, max_detour=1.3):  # type: ignore[no-untyped-def]
    _, _, paths, _ = r.alternatives(at(*start), at(*end), NIGHT, max_detour)
    return {kind: p for p in paths for kind in p.kinds}, paths


def test_points_snap_to_the_nearest_point_of_a_street():
    r = router(graph(([(0, 0), (200, 0)], ALLEY)))
    snap = r.snap(*at(50, 20))
    assert snap.distance_m == pytest.approx(20, abs=0.01)
    assert snap.t == pytest.approx(0.25, abs=1e-4)
    assert geo.haversine_m(snap.lat, snap.lon, *at(50, 0)) < 0.01
    with pytest.raises(Unsnappable) as raised:
        r.snap(*at(50, 400), "to")
    assert raised.value.errors == {"query": {"to": [raised.value.message]}}
    assert "400 m from the nearest walkable street" in raised.value.message and "300 m" in raised.value.message


def test_a_route_is_as_long_as_its_pieces_of_edges():
    g = graph(([(0, 0), (100, 0), (200, 0)], ALLEY), ([(100, 0), (100, 100)], ALLEY))
    routes, paths = route(router(g), (30, 5), (170, -5))
    shortest = routes["shortest"]
    assert shortest.length == pytest.approx(140, abs=0.01)
    assert shortest.length == pytest.approx(sum(abs(b - a) * g.edge_length[e] for e, a, b in zip(shortest.edges, shortest.t_from, shortest.t_to, strict=True)))
    coordinates = shortest.coordinates(g)
    assert geo.haversine_m(coordinates[0][1], coordinates[0][0], *at(30, 0)) < 0.05
    assert geo.haversine_m(coordinates[-1][1], coordinates[-1][0], *at(170, 0)) < 0.05
    assert sum(geo.haversine_m(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(coordinates)) == pytest.approx(140, abs=0.05)
    # On one street there is one route: the three alternatives coincide.
    assert len(paths) == 1 and paths[0].kinds == ["shortest", "balanced", "safest"]


def test_a_route_along_one_edge_goes_straight_there():
    g = graph(([(0, 0), (200, 0)], ALLEY))
    (path,) = route(router(g), (150, 3), (20, -3))[1]
    assert path.edges.tolist() == [0] and path.length == pytest.approx(130, abs=0.01)
    assert path.t_from[0] > path.t_to[0]  # walked from v towards u


def test_steps_take_twice_as_long():
    g = graph(([(0, 0), (100, 0)], ALLEY), ([(100, 0), (150, 0)], {"highway": "steps"}))
    r = router(g)
    (path,) = route(r, (0, 0), (150, 0))[1]
    assert path.length == pytest.approx(150, abs=0.01)
    assert r.walking_minutes(path) == pytest.approx((100 + 2 * 50) / 75, abs=0.01)


# A street to walk along (200 m), and a lit main road around it with cameras: 260 m.
LADDER = (
    ([(-20, 0), (0, 0), (200, 0), (220, 0)], ALLEY),
    ([(0, 0), (0, 30), (200, 30), (200, 0)], {"highway": "tertiary", "lit": 1}),
)
CAMERAS_ON_MAIN = {"cctv": points(*[(x, 40) for x in range(0, 201, 40)])}


def test_the_safer_routes_detour_within_the_bound():
    g = graph(*LADDER)
    routes, paths = route(router(g, facilities=CAMERAS_ON_MAIN), (-20, 0), (220, 0))
    assert routes["shortest"].length == pytest.approx(240, abs=0.1)
    assert routes["safest"].length == pytest.approx(300, abs=0.1)  # 1.25 × the shortest
    assert routes["balanced"] is routes["safest"] and len(paths) == 2


def test_a_detour_longer_than_the_bound_is_not_taken():
    g = graph(*LADDER)
    routes, paths = route(router(g, facilities=CAMERAS_ON_MAIN), (-20, 0), (220, 0), max_detour=1.2)
    assert len(paths) == 1 and routes["safest"].length == pytest.approx(240, abs=0.1)
    # Asked for more room, it takes the main road again.
    routes, _ = route(router(g, facilities=CAMERAS_ON_MAIN), (-20, 0), (220, 0), max_detour=2.0)
    assert routes["safest"].length == pytest.approx(300, abs=0.1)


# Two ways between P (0, 0) and Q (100, 0): an alley bending south (122 m), a main road bending north (134 m).
DIAMOND = (
    ([(-30, 0), (0, 0)], MAIN),
    ([(0, 0), (50, -35), (100, 0)], ALLEY),
    ([(0, 0), (50, 45), (100, 0)], MAIN),
    ([(100, 0), (130, 0)], MAIN),
)


def test_one_camera_beside_an_alley_draws_the_safest_route_into_it():
    g = graph(*DIAMOND)
    before, _ = route(router(g), (-30, 0), (130, 0))
    assert before["shortest"].length == pytest.approx(60 + 2 * (50**2 + 35**2) ** 0.5, abs=0.1)  # through the alley
    assert before["safest"].length == pytest.approx(60 + 2 * (50**2 + 45**2) ** 0.5, abs=0.1)  # round it, by the main road
    camera = {"cctv": points((50, -38))}
    after, paths = route(router(g, facilities=camera), (-30, 0), (130, 0))
    assert after["safest"].length == pytest.approx(before["shortest"].length, abs=0.1)
    assert len(paths) == 1  # all three now take the alley
    # The camera stops counting (out of order: no longer among the working facilities): away again.
    again, _ = route(router(g, facilities={}), (-30, 0), (130, 0))
    assert again["safest"].length == pytest.approx(before["safest"].length, abs=0.1)


def test_points_on_unconnected_streets_have_no_route():
    g = graph(([(0, 0), (200, 0)], ALLEY), ([(0, 500), (200, 500)], ALLEY))
    with pytest.raises(NoConnection, match="not connected"):
        route(router(g), (100, 10), (100, 490))
    # A start within reach of both streets goes to the one the destination is on.
    routes, _ = route(router(g), (100, 240), (150, 490))
    assert routes["shortest"].length == pytest.approx(50, abs=0.01)


def test_a_start_near_a_stray_footpath_snaps_to_the_connected_streets():
    g = graph(([(0, 0), (400, 0)], ALLEY), ([(5, 10), (25, 10)], {"highway": "footway"}))
    r = router(g)
    start, end = r.snap_pair(at(15, 12), at(390, 5))
    assert start.distance_m == pytest.approx(12, abs=0.01) and start.component == end.component


def test_a_long_way_round_is_found_beyond_the_first_search_limit():
    g = graph(([(0, 0), (0, 500), (60, 500), (60, 0)], ALLEY))
    routes, _ = route(router(g), (-5, 0), (65, 0))
    assert routes["shortest"].length == pytest.approx(1060, abs=0.1)
