"""Walking routes: milliseconds per request, against networkx in the same run.

    .venv/bin/python bench/routing.py [--size 250] [--queries 200] [--osm ../shared/data/osm/seoul_mapo_gongdeok.osm]

Two graphs: a synthetic city (a jittered grid of ``size``² ≥ 60,000 nodes,
80 m blocks, main roads every fifth street, gaps, diagonal footpaths and
steps, cameras, bells, lights, safe houses and reports scattered over it),
and the real OSM extract when it is there. For each: how long building the
graph and its evidence takes and how much memory they hold, then the median
time of a ~2 km request (random start, destination 2 km away in a random
direction) — one shortest path, the three alternatives (``Router.alternatives``:
snapping, searches, the detour bound), and the whole answer (GeoJSON, scores,
facilities along the way) — against networkx's Dijkstra (``single_source_dijkstra``
with a target, stopping there) between the same snapped nodes: once by
length, and three times for the three weightings. The script first checks
that both find paths of the same length.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server import geo
from server.config import defaults
from server.routing import osm
from server.routing.graph import StreetGraph, Ways, build
from server.routing.safety import Evidence, Points, SafetySettings
from server.routing.search import Router, SearchSettings

CENTER = (37.55, 126.98)
BLOCK_M = 80
OSM_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm" / "seoul_mapo_gongdeok.osm"


def synthetic_ways(size: int, seed: int = 5) -> Ways:
    """A jittered grid city: streets along rows and columns, cut here and there."""
    rng = np.random.default_rng(seed)
    step_lat = BLOCK_M / 111_320
    step_lon = step_lat / math.cos(math.radians(CENTER[0]))
    lat0, lon0 = CENTER[0] - size / 2 * step_lat, CENTER[1] - size / 2 * step_lon
    jitter = rng.uniform(-0.15, 0.15, (size, size, 2))
    lats = lat0 + (np.arange(size)[:, None] + jitter[:, :, 0]) * step_lat
    lons = lon0 + (np.arange(size)[None, :] + jitter[:, :, 1]) * step_lon
    ways = Ways()
    way_id = 0

    def add(cells: list[tuple[int, int]], highway: str, lit: int) -> None:
        nonlocal way_id
        way_id += 1
        ways.add(way_id, [i * size + j + 1 for i, j in cells], [float(lats[i, j]) for i, j in cells], [float(lons[i, j]) for i, j in cells], highway=highway, lit=lit)

    for axis in (0, 1):
        for k in range(size):
            main = k % 5 == 0
            cells = [(k, m) if axis == 0 else (m, k) for m in range(size)]
            # Side streets are cut into pieces: dead ends and missing links, as in a real city.
            cuts = [0] if main else sorted({0, *rng.choice(np.arange(1, size - 1), size // 12, replace=False).tolist()})
            for a, b in zip(cuts, [*cuts[1:], size], strict=True):
                piece = cells[a:b]
                if len(piece) >= 2:
                    add(piece, "primary" if main and k % 10 == 0 else "tertiary" if main else rng.choice(["residential", "residential", "service"]), 1 if main else int(rng.random() < 0.3))
    for _ in range(size * size // 20):
        i, j = int(rng.integers(0, size - 1)), int(rng.integers(0, size - 1))
        add([(i, j), (i + 1, j + 1)], "steps" if rng.random() < 0.1 else "footway", -1)
    return ways


def synthetic_facilities(graph: StreetGraph, seed: int = 9) -> tuple[dict[str, Points], Points]:
    """Facilities beside random edges, at about Seoul's density, and a month of reports."""
    rng = np.random.default_rng(seed)
    km = graph.edge_length.sum() / 1000

    def beside(n: int) -> Points:
        edges = rng.integers(0, graph.edge_count, n)
        lat = (graph.node_lat[graph.edge_u[edges]] + graph.node_lat[graph.edge_v[edges]]) / 2 + rng.normal(0, 5e-5, n)
        lon = (graph.node_lon[graph.edge_u[edges]] + graph.node_lon[graph.edge_v[edges]]) / 2 + rng.normal(0, 5e-5, n)
        return Points(np.arange(1, n + 1), lat, lon, [f"#{k}" for k in range(n)], np.ones(n), [((0, 1440),) if k % 2 else () for k in range(n)])

    facilities = {"cctv": beside(int(km * 4)), "bell": beside(int(km * 1.2)), "light": beside(int(km * 8)), "safe_house": beside(int(km * 0.1)), "police": beside(int(km * 0.02))}
    reports = beside(int(km * 0.3))
    reports.weight = np.power(0.5, rng.uniform(0, 30, len(reports)) / 7)
    return facilities, reports


def requests(graph: StreetGraph, count: int, distance_m: float, seed: int = 3) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Start at random nodes of the largest part; the destination ``distance_m`` away, where the part has a node."""
    rng = np.random.default_rng(seed)
    labels = graph.components
    big = np.flatnonzero(labels == np.bincount(labels).argmax())
    out = []
    tries = 0
    while len(out) < count and tries < count * 50:
        tries += 1
        a = int(rng.choice(big))
        lat, lon = geo.destination(float(graph.node_lat[a]), float(graph.node_lon[a]), float(rng.uniform(0, 360)), distance_m)
        near = geo.haversine_many(lat, lon, graph.node_lat[big], graph.node_lon[big])
        b = int(big[near.argmin()])
        if near.min() < 100 and a != b:
            out.append(((float(graph.node_lat[a]), float(graph.node_lon[a])), (float(graph.node_lat[b]), float(graph.node_lon[b]))))
    return out


def networkx_graph(graph: StreetGraph, risk: np.ndarray, weights: tuple[float, float]):  # type: ignore[no-untyped-def]
    import networkx as nx

    g = nx.Graph()
    length = graph.edge_length
    balanced, safest = length * (1 + weights[0] * risk), length * (1 + weights[1] * risk)
    for e, (u, v) in enumerate(zip(graph.edge_u.tolist(), graph.edge_v.tolist(), strict=True)):
        g.add_edge(u, v, length=float(length[e]), balanced=float(balanced[e]), safest=float(safest[e]))
    return g


def median_ms(fn, pairs) -> float:  # type: ignore[no-untyped-def]
    for pair in pairs[:10]:  # warm the caches first
        fn(*pair)
    times = []
    for pair in pairs:
        start = time.perf_counter_ns()
        fn(*pair)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1e6


def run(name: str, make_ways, facilities_for, count: int, distance_m: float) -> None:  # type: ignore[no-untyped-def]
    import networkx as nx

    from server.routing.service import _feature

    conf = defaults()
    started = time.perf_counter()
    ways = make_ways()
    read = time.perf_counter() - started
    started = time.perf_counter()
    graph = build(ways, version=1, source=name)
    built = time.perf_counter() - started
    del ways
    started = time.perf_counter()
    graph.prepare()
    prepared = time.perf_counter() - started
    facilities, reports = facilities_for(graph)
    started = time.perf_counter()
    evidence = Evidence.compute(graph, SafetySettings.from_config(conf), facilities, [], reports)
    evidenced = time.perf_counter() - started
    # Memory in a second build: tracing allocations slows the first one down.
    tracemalloc.start()
    again = build(make_ways(), version=1, source=name).prepare()
    Evidence.compute(again, SafetySettings.from_config(conf), facilities, [], reports)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del again
    router = Router(graph, evidence, SearchSettings.from_config(conf))
    at = dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)
    _, risk = evidence.risk(at)
    tracemalloc.start()
    started = time.perf_counter()
    nxg = networkx_graph(graph, risk, (conf["ROUTE_BALANCED_WEIGHT"], conf["ROUTE_SAFEST_WEIGHT"]))
    nx_built = time.perf_counter() - started
    nx_memory = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    print(f"\n## {name}: {graph.node_count:,} nodes, {graph.edge_count:,} edges, {graph.edge_length.sum() / 1000:,.0f} km")
    print(f"read {read:.2f} s · build {built:.2f} s · derive (CSR, components, points, KD-tree) {prepared:.2f} s · evidence {evidenced:.2f} s · peak memory while building {peak / 2**20:,.0f} MiB")
    print(f"held in memory: graph {graph.nbytes() / 2**20:,.1f} MiB; networkx graph {nx_built:.2f} s to build, {nx_memory / 2**20:,.0f} MiB")

    pairs = requests(graph, count, distance_m)
    cost, matrix = router.costs(0.0, b"", graph.edge_length)

    def snapped(origin, destination):  # type: ignore[no-untyped-def]
        return router.snap_pair(origin, destination)

    ends = [snapped(o, d) for o, d in pairs]
    node_of = [(int(graph.edge_u[s.edge] if s.t == 0 else graph.edge_v[s.edge]), int(graph.edge_u[e.edge] if e.t == 0 else graph.edge_v[e.edge])) for s, e in ends]
    straight = statistics.median(geo.haversine_m(s.lat, s.lon, e.lat, e.lon) for s, e in ends)
    # Both find the same shortest lengths (the requests start and end at nodes).
    for (s, e), (a, b) in zip(ends[:50], node_of[:50], strict=True):
        ours = router.search(cost, matrix, s, e, np.inf).length
        theirs = nx.single_source_dijkstra(nxg, a, b, weight="length")[0]
        assert abs(ours - theirs) < 1e-6 * max(1.0, theirs), (ours, theirs)

    def ours_one(origin, destination):  # type: ignore[no-untyped-def]
        s, e = router.snap_pair(origin, destination)
        straight = geo.haversine_m(s.lat, s.lon, e.lat, e.lon)
        return router.search(cost, matrix, s, e, 1.5 * straight + 250) or router.search(cost, matrix, s, e, np.inf)

    def ours_three(origin, destination):  # type: ignore[no-untyped-def]
        return router.alternatives(origin, destination, at, 1.3)

    def ours_answer(origin, destination):  # type: ignore[no-untyped-def]
        _, _, paths, risk = router.alternatives(origin, destination, at, 1.3)
        open_now = evidence.open_safe_houses(at)
        return [_feature(router, p, risk, open_now, paths[0].length) for p in paths]

    index = {pair: nodes for pair, nodes in zip(pairs, node_of, strict=True)}

    def nx_one(origin, destination):  # type: ignore[no-untyped-def]
        a, b = index[(origin, destination)]
        return nx.single_source_dijkstra(nxg, a, b, weight="length")

    def nx_three(origin, destination):  # type: ignore[no-untyped-def]
        a, b = index[(origin, destination)]
        return [nx.single_source_dijkstra(nxg, a, b, weight=w) for w in ("length", "balanced", "safest")]

    results = {
        "ours, shortest path": median_ms(ours_one, pairs),
        "ours, three alternatives": median_ms(ours_three, pairs),
        "ours, the whole answer (GeoJSON, scores, facilities)": median_ms(ours_answer, pairs),
        "networkx Dijkstra, one path": median_ms(nx_one, pairs),
        "networkx Dijkstra, three paths": median_ms(nx_three, pairs),
    }
    kinds = [len(router.alternatives(o, d, at, 1.3)[2]) for o, d in pairs]
    print(f"{len(pairs)} requests, median straight distance {straight:,.0f} m; distinct alternatives per request: mean {statistics.mean(kinds):.2f}")
    print("| what | median ms |")
    print("|---|---|")
    for what, ms in results.items():
        print(f"| {what} | {ms:.2f} |")
    print(f"ratio, one path: networkx / ours = {results['networkx Dijkstra, one path'] / results['ours, shortest path']:.1f}×")
    print(f"ratio, three: networkx three paths / ours three alternatives = {results['networkx Dijkstra, three paths'] / results['ours, three alternatives']:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=250, help="grid side: size² nodes (default 250: 62,500)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--distance", type=float, default=2000.0, help="metres between start and destination")
    parser.add_argument("--osm", type=Path, default=OSM_DEFAULT)
    args = parser.parse_args()
    run(f"synthetic city {args.size}×{args.size}", lambda: synthetic_ways(args.size), synthetic_facilities, args.queries, args.distance)
    if args.osm.exists():
        run(f"OSM {args.osm.name}", lambda: osm.read_ways(args.osm), synthetic_facilities, args.queries, min(args.distance, 1500.0))
    else:
        print(f"\n{args.osm} is not there: skipping the real extract.")


if __name__ == "__main__":
    main()
