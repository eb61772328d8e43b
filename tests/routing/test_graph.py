"""Which ways are walkable, splitting ways into edges, and keeping the graph in a file."""

import numpy as np
import pytest

from server import geo
from server.routing.graph import HIGHWAY_CODE, StreetGraph
from server.routing.osm import lit_value, walkable
from tests.routing.streets import at, graph


@pytest.mark.parametrize(
    "tags, expected",
    [
        ({"highway": "footway"}, True),
        ({"highway": "steps"}, True),
        ({"highway": "residential"}, True),
        ({"highway": "primary"}, True),
        ({"highway": "trunk", "motorroad": "yes"}, False),  # 자동차전용도로
        ({"highway": "motorway"}, False),
        ({"highway": "motorway_link", "foot": "yes"}, False),
        ({"highway": "footway", "foot": "no"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "no", "foot": "yes"}, True),
        ({"highway": "service", "access": "customers"}, True),
        ({"highway": "cycleway"}, False),
        ({"highway": "cycleway", "foot": "designated"}, True),
        ({"highway": "construction"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_walkable_ways(tags, expected):
    assert walkable(tags) is expected


def test_lit_values():
    assert [lit_value(t) for t in ({"lit": "yes"}, {"lit": "24/7"}, {"lit": "no"}, {})] == [1, 1, 0, -1]


def test_ways_are_split_where_they_meet_and_keep_their_length():
    # A main road west–east through a crossing with an alley, and a footpath ending on the road.
    g = graph(
        ([(0, 0), (100, 0), (150, 0), (200, 0)], {"highway": "tertiary", "name": "큰길", "lit": 1}),
        ([(100, -80), (100, 0), (100, 60), (130, 90)], {"highway": "residential", "name": "골목"}),
        ([(150, 40), (150, 0)], {"highway": "footway", "surface": "paving_stones"}),
    )
    # The road is cut at the alley and at the path's end: 3 pieces; the alley at the road: 2; the path: 1.
    assert g.edge_count == 6 and g.node_count == 7
    assert g.edge_length.sum() == pytest.approx(200 + 80 + 60 + 30 * 2**0.5 + 40, abs=0.01)
    road = g.edges_named("큰길")
    assert sorted(np.round(g.edge_length[road]).tolist()) == [50, 50, 100]
    assert g.edge_main[road].all() and (g.edge_lit[road] == 1).all()
    alley = g.edges_named("골목")
    assert not g.edge_main[alley].any() and (g.edge_lit[alley] == -1).all()
    footway = np.flatnonzero(g.edge_highway == HIGHWAY_CODE["footway"])
    assert g.surfaces[g.edge_surface[footway[0]]] == "paving_stones"
    # Each edge's geometry runs from u to v and its length is measured along it.
    for e in range(g.edge_count):
        lats, lons = g.coordinates(e)
        assert (lats[0], lons[0]) == (g.node_lat[g.edge_u[e]], g.node_lon[g.edge_u[e]])
        assert (lats[-1], lons[-1]) == (g.node_lat[g.edge_v[e]], g.node_lon[g.edge_v[e]])
        assert sum(geo.haversine_m(lats[i], lons[i], lats[i + 1], lons[i + 1]) for i in range(len(lats) - 1)) == pytest.approx(g.edge_length[e])


def test_a_loop_and_two_ways_between_the_same_nodes_become_distinct_edges():
    g = graph(
        ([(0, 0), (50, 0)], {}),
        ([(0, 0), (25, 20), (50, 0)], {"highway": "footway"}),  # the same two ends as the first
        ([(50, 0), (80, 30), (110, 0), (80, -30), (50, 0)], {"highway": "footway"}),  # a loop back to its start
    )
    pairs = {tuple(sorted(p)) for p in zip(g.edge_u.tolist(), g.edge_v.tolist(), strict=True)}
    assert len(pairs) == g.edge_count  # a node pair names one edge
    assert not (g.edge_u == g.edge_v).any()
    assert g.edge_length.sum() == pytest.approx(50 + 2 * (25**2 + 20**2) ** 0.5 + 4 * (30**2 + 30**2) ** 0.5, abs=0.01)


def test_the_graph_is_kept_in_a_file_and_comes_back_the_same(tmp_path):
    g = graph(([(0, 0), (100, 0), (100, 100)], {"highway": "tertiary", "name": "데모로"}), ([(100, 0), (200, 0)], {"highway": "steps"}))
    g.version = 7
    g.save(tmp_path / "graph-7.npz")
    back = StreetGraph.load(tmp_path / "graph-7.npz")
    assert back.version == 7 and back.name(0) == "데모로"
    for name in ("node_lat", "edge_u", "edge_v", "edge_length", "edge_highway", "coord_cum", "names"):
        assert np.array_equal(getattr(back, name), getattr(g, name))
    assert back.is_steps.sum() == 1
    assert not list(tmp_path.glob("*.partial"))


def test_snapping_geometry_projects_onto_the_nearest_segment():
    g = graph(([(0, 0), (100, 0), (100, 100)], {}))
    x, y = g.geometry.project(*at(100 + 5, 50))
    distance, t, _, _ = g.geometry.project_onto(np.array([0]), float(x), float(y))
    assert distance[0] == pytest.approx(5, abs=0.01)
    assert t[0] == pytest.approx(0.75, abs=1e-3)  # 150 m along 200 m
