"""A generated street graph for the demo district, so that routes work in
``ansim run --demo`` without an OSM file.

The streets follow the grid the demo facilities are laid on
(``server.facilities.demo.street_grid``): every fourth street each way is a
lit main road (대로), the rest are residential alleys (길); footpaths cross
some blocks diagonally, a few of them as steps. One residential street near
the centre is a designated safe-return path.
"""

from __future__ import annotations

import itertools
import random

import sqlalchemy as sa
from shapely.geometry import Point

from server.extensions import db
from server.facilities import versions
from server.facilities.demo import SOURCE, district_outline, street_grid
from server.geo import haversine_m
from server.routing.graph import Ways, build
from server.routing.importing import store_graph
from server.routing.models import SafePath

MAIN_EVERY = 4


def demo_ways(center: tuple[float, float]) -> tuple[Ways, list[list[tuple[float, float]]]]:
    """The demo streets, and the safe-return path among them ((lon, lat) vertices)."""
    lat, lon = center
    outline = district_outline(lat, lon)
    lats, lons = street_grid(outline, lat)
    inside = {(i, j) for i, y in enumerate(lats) for j, x in enumerate(lons) if outline.contains(Point(x, y))}
    ways = Ways()
    way_id = 0

    def node(i: int, j: int) -> int:
        return i * 10_000 + j + 1

    def add(cells: list[tuple[int, int]], **tags) -> None:  # type: ignore[no-untyped-def]
        nonlocal way_id
        way_id += 1
        ways.add(way_id, [node(i, j) for i, j in cells], [lats[i] for i, _ in cells], [lons[j] for _, j in cells], **tags)

    def runs(cells: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
        """Stretches of consecutive crossings inside the district."""
        out: list[list[tuple[int, int]]] = [[]]
        for cell in cells:
            if cell in inside:
                out[-1].append(cell)
            elif out[-1]:
                out.append([])
        return [run for run in out if len(run) >= 2]

    for i in range(len(lats)):
        main = i % MAIN_EVERY == 0
        for run in runs([(i, j) for j in range(len(lons))]):
            add(run, highway="tertiary" if main else "residential", name=f"데모대로{i}" if main else f"데모로{i}길", lit=1 if main else -1)
    for j in range(len(lons)):
        main = j % MAIN_EVERY == 0
        for run in runs([(i, j) for i in range(len(lats))]):
            add(run, highway="tertiary" if main else "residential", name=f"데모중앙로{j}" if main else f"데모골목{j}길", lit=1 if main else -1)
    rng = random.Random(11)
    for i, j in sorted(inside):
        if (i + 1, j + 1) in inside and rng.random() < 0.12:
            add([(i, j), (i + 1, j + 1)], highway="steps" if rng.random() < 0.2 else "footway", lit=-1)
    # The safe-return path: the first residential street north of the centre, 8 blocks long.
    row = next(i for i, y in enumerate(lats) if y > lat and i % MAIN_EVERY)
    middle = min(range(len(lons)), key=lambda j: abs(lons[j] - lon))
    path = [(lons[j], lats[row]) for j in range(middle - 4, middle + 5) if (row, j) in inside]
    return ways, [path]


def seed_demo_streets(center: tuple[float, float]) -> int:
    """Build and store the demo street graph when none is imported; return its edge count."""
    if versions.current(versions.STREETS):
        return 0
    ways, paths = demo_ways(center)
    if not db.session.scalar(sa.select(sa.func.count()).select_from(SafePath)):
        for n, line in enumerate(paths, start=1):
            length = sum(haversine_m(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(line))
            geometry = {"type": "MultiLineString", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in line]]}
            db.session.add(SafePath(name=f"데모 여성안심귀갓길 {n}", geometry=geometry, length_m=round(length, 1), source=SOURCE, source_key=f"path-{n}"))
        versions.bump(versions.SAFE_PATHS)
    graph = build(ways, source=SOURCE)
    store_graph(graph)  # commits the safe paths with it
    return graph.edge_count
