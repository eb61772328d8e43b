"""Routes over real Seoul streets: the OSM extract of 공덕/아현 (마포구) in ../shared/data.

The graph is built once for the module; tests that need the database (a camera
as a facility, marked out of order by an operator) install it in their app.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from server import geo
from server.facilities import service as facilities
from server.facilities.models import FacilityKind, FacilityStatus
from server.routing.graph import HIGHWAY_CODE, StreetGraph, build
from server.routing.importing import store_graph
from server.routing.osm import read_ways
from server.routing.service import current_router
from tests.conftest import SHARED_DATA, add_facilities, make_app
from tests.routing.streets import NIGHT, Points, evidence, router

OSM = SHARED_DATA / "osm" / "seoul_mapo_gongdeok.osm"
pytestmark = pytest.mark.skipif(not OSM.exists(), reason="the shared OSM extract (../shared/data/osm) is not here")

#: Two points where the shortest route takes an alley (a service lane) that the safest, by the sidewalks, avoids.
ALLEY_START = (37.5511189, 126.9596405)
ALLEY_END = (37.5471421, 126.9550481)


@pytest.fixture(scope="module")
def gongdeok() -> StreetGraph:
    return build(read_ways(OSM), version=1, source=OSM.name).prepare()


@pytest.fixture(scope="module")
def plain(gongdeok):  # type: ignore[no-untyped-def]
    """A router without facilities: risk comes from the kind of street only."""
    return router(gongdeok)


def middle_of(graph: StreetGraph, edge: int) -> tuple[float, float]:
    lats, lons = graph.coordinates(edge)
    along = graph.coord_cum[graph.edge_from[edge] : graph.edge_to[edge] + 1] - graph.coord_cum[graph.edge_from[edge]]
    half = graph.edge_length[edge] / 2
    return float(np.interp(half, along, lats)), float(np.interp(half, along, lons))


def by_kind(paths):  # type: ignore[no-untyped-def]
    return {kind: p for p in paths for kind in p.kinds}


def pairs(graph: StreetGraph, count: int, seed: int = 1) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Random node pairs 300–1,500 m apart in the largest connected part."""
    rng = np.random.default_rng(seed)
    big = np.flatnonzero(graph.components == np.bincount(graph.components).argmax())
    out = []
    while len(out) < count:
        a, b = rng.choice(big, 2)
        start, end = (float(graph.node_lat[a]), float(graph.node_lon[a])), (float(graph.node_lat[b]), float(graph.node_lon[b]))
        if 300 < geo.haversine_m(*start, *end) < 1500:
            out.append((start, end))
    return out


def test_the_graph_holds_footways_steps_and_streets(gongdeok):
    kinds = {name: int((gongdeok.edge_highway == HIGHWAY_CODE[name]).sum()) for name in ("footway", "steps", "residential", "service", "primary")}
    assert kinds["footway"] > 300 and kinds["residential"] > 300 and kinds["service"] > 100 and kinds["primary"] > 10
    assert len(np.unique(gongdeok.edge_way[gongdeok.is_steps])) == 5  # every flight of steps in the extract
    assert (gongdeok.edge_length > 0).all()
    assert len(gongdeok.edges_named("마포대로")) and len(gongdeok.edges_named("효창원로"))


def test_routes_join_two_named_streets_and_each_is_as_long_as_its_edges(gongdeok, plain):
    start, end = middle_of(gongdeok, gongdeok.edges_named("마포대로")[0]), middle_of(gongdeok, gongdeok.edges_named("효창원로")[0])
    _, _, paths, _ = plain.alternatives(start, end, NIGHT, 1.3)
    assert 1 <= len(paths) <= 3 and sorted(k for p in paths for k in p.kinds) == ["balanced", "safest", "shortest"]
    for path in paths:
        pieces = np.abs(path.t_to - path.t_from) * gongdeok.edge_length[path.edges]
        assert path.length == pytest.approx(pieces.sum(), rel=1e-12)
        whole = path.edges[1:-1]  # every edge but the first and the last is walked whole
        assert pieces[1:-1] == pytest.approx(gongdeok.edge_length[whole])
        line = path.coordinates(gongdeok)
        assert sum(geo.haversine_m(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(line)) == pytest.approx(path.length, abs=0.5)
        assert plain.walking_minutes(path) >= path.length / 75


@pytest.mark.parametrize("max_detour", [1.0, 1.3, 2.0])
def test_the_safer_routes_never_exceed_the_detour_bound(gongdeok, max_detour):
    # Cameras and lights on some main roads make detours tempting.
    rng = np.random.default_rng(4)
    main = np.flatnonzero(gongdeok.edge_main)
    lit = [middle_of(gongdeok, e) for e in rng.choice(main, 60, replace=False)]

    def as_points(where):  # type: ignore[no-untyped-def]
        return Points(np.arange(1, len(where) + 1), np.array([w[0] for w in where]), np.array([w[1] for w in where]), [None] * len(where), np.ones(len(where)), [() for _ in where])

    tempting = router(gongdeok, facilities={"cctv": as_points(lit), "light": as_points(lit * 2)})
    detoured = 0
    for start, end in pairs(gongdeok, 40):
        routes = by_kind(tempting.alternatives(start, end, NIGHT, max_detour)[2])
        bound = max_detour * routes["shortest"].length + 1e-6
        assert routes["balanced"].length <= bound and routes["safest"].length <= bound
        detoured += routes["safest"] is not routes["shortest"]
    assert detoured >= (0 if max_detour == 1.0 else 10)


def test_a_camera_beside_an_alley_draws_the_safest_route_into_it_until_it_is_out_of_order(tmp_path, gongdeok, plain):
    before = by_kind(plain.alternatives(ALLEY_START, ALLEY_END, NIGHT, 1.3)[2])
    alley = [int(e) for e in before["shortest"].edges if e not in before["safest"].edges and not gongdeok.edge_main[e]]
    assert alley, "the shortest route takes an alley the safest avoids"
    assert gongdeok.edge_length[alley].sum() < 60  # one camera sees all of it
    # The camera: on the middle of the alley stretch.
    stretch = [(e, a, b) for e, a, b in zip(before["shortest"].edges.tolist(), before["shortest"].t_from.tolist(), before["shortest"].t_to.tolist(), strict=True) if e in alley]
    lengths = [abs(b - a) * gongdeok.edge_length[e] for e, a, b in stretch]
    n = int(np.searchsorted(np.cumsum(lengths), sum(lengths) / 2))
    camera = middle_of(gongdeok, stretch[n][0])

    app = make_app(tmp_path, INDEX_CHECK_SECONDS=0)  # every request sees a status change at once
    client = app.test_client()
    url = f"/api/v1/routes?from={ALLEY_START[0]},{ALLEY_START[1]}&to={ALLEY_END[0]},{ALLEY_END[1]}&at=2026-11-26T23:30:00"
    with app.app_context():
        store_graph(gongdeok)
        (camera_id,) = add_facilities({"kind": FacilityKind.CCTV, "lat": camera[0], "lon": camera[1], "location": "골목 CCTV"})

        def safest():  # type: ignore[no-untyped-def]
            body = client.get(url).get_json()
            feature = next(f for f in body["features"] if "safest" in f["properties"]["kinds"])
            paths = by_kind(current_router().alternatives(ALLEY_START, ALLEY_END, NIGHT, 1.3)[2])
            return feature["properties"], set(paths["safest"].edges.tolist())

        drawn, edges = safest()
        assert set(alley) <= edges
        assert camera_id in [f["id"] for f in drawn["facilities"] if f["kind"] == "cctv"]
        assert drawn["explanation"]["camera_share"] > 0

        facilities.set_status(facilities.get_facility(camera_id), FacilityStatus.OUT_OF_ORDER)
        away, edges = safest()
        assert not set(alley) & edges
        assert away["explanation"]["camera_share"] == 0 and not away["facilities"]


def test_no_route_uses_a_foot_no_way(tmp_path, gongdeok, plain):
    start, end = middle_of(gongdeok, gongdeok.edges_named("마포대로")[0]), middle_of(gongdeok, gongdeok.edges_named("효창원로")[0])
    shortest = by_kind(plain.alternatives(start, end, NIGHT, 1.3)[2])["shortest"]
    closed = int(gongdeok.edge_way[shortest.edges[len(shortest.edges) // 2]])
    text = OSM.read_text(encoding="utf-8")
    text, changed = re.subn(rf'(<way id="{closed}"[^>]*>)', r'\1\n  <tag k="foot" v="no"/>', text)
    assert changed == 1
    (tmp_path / "foot_no.osm").write_text(text, encoding="utf-8")
    without = build(read_ways(tmp_path / "foot_no.osm"), version=2).prepare()
    assert closed not in without.edge_way and without.edge_count < gongdeok.edge_count
    reroute = router(without)
    for path in reroute.alternatives(start, end, NIGHT, 2.0)[2]:
        assert closed not in without.edge_way[path.edges]
        assert path.length > shortest.length


def test_evidence_from_the_shared_data_is_plausible(gongdeok):
    # With no facilities only the kind of street speaks: main roads and their sidewalks are safer than alleys.
    risk = evidence(gongdeok).risk(NIGHT)[1]
    assert risk[gongdeok.edge_main].max() < risk[~gongdeok.edge_main].min()
