"""The street graph: walkable ways split into edges, kept as compact arrays.

Ways are split at every node that two ways share (or that one way passes
twice) and at way ends. An edge keeps its geometry (a slice of the
coordinate arrays, from ``u`` to ``v``), its length in metres (haversine
along the geometry), highway class, ``lit``, surface, name and whether it
is a main road. A way closing on itself is split in three, and of two edges
joining the same two nodes one is split at a middle vertex, so that a pair
of nodes names one edge — what a CSR matrix can hold and a path of nodes
can be read back from.

The graph is saved uncompressed (``np.savez``) so that a worker loads it in
milliseconds. What searches need beyond it (``derived``) is computed on
first use, or at once with ``prepare()``.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from server import geo
from server.routing.derived import CSRStructure, Geometry

HIGHWAYS = (
    "footway",
    "path",
    "pedestrian",
    "steps",
    "living_street",
    "residential",
    "service",
    "unclassified",
    "track",
    "road",
    "corridor",
    "cycleway",
    "bridleway",
    "busway",
    "tertiary",
    "tertiary_link",
    "secondary",
    "secondary_link",
    "primary",
    "primary_link",
    "trunk",
    "trunk_link",
)
HIGHWAY_CODE = {name: code for code, name in enumerate(HIGHWAYS)}
STEPS = HIGHWAY_CODE["steps"]
#: Roads with traffic and people about; a sidewalk or crossing (``footway=``) belongs to one.
MAIN_HIGHWAYS = frozenset({"trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link", "pedestrian"})
MAIN_FOOTWAYS = frozenset({"sidewalk", "crossing"})
FORMAT = 1
ARRAYS = (
    "node_lat",
    "node_lon",
    "node_ref",
    "edge_u",
    "edge_v",
    "edge_from",
    "edge_to",
    "edge_length",
    "edge_highway",
    "edge_lit",
    "edge_surface",
    "edge_name",
    "edge_way",
    "edge_main",
    "coord_lat",
    "coord_lon",
    "coord_cum",
    "names",
    "surfaces",
)


class Ways:
    """Walkable ways before splitting: node ids and coordinates, concatenated."""

    def __init__(self) -> None:
        self.read = 0  # ways with a highway tag seen in the file, walkable or not
        self.refs: list[int] = []
        self.lats: list[float] = []
        self.lons: list[float] = []
        self.starts = [0]
        self.way_ids: list[int] = []
        self.highways: list[str] = []
        self.names: list[str | None] = []
        self.lits: list[int] = []
        self.surfaces: list[str | None] = []
        self.footways: list[str | None] = []

    def __len__(self) -> int:
        return len(self.way_ids)

    def add(
        self, way_id: int, refs: list[int], lats: list[float], lons: list[float], *, highway: str, name: str | None = None, lit: int = -1, surface: str | None = None, footway: str | None = None
    ) -> None:
        self.refs += refs
        self.lats += lats
        self.lons += lons
        self.starts.append(len(self.refs))
        self.way_ids.append(way_id)
        self.highways.append(highway)
        self.names.append(name)
        self.lits.append(lit)
        self.surfaces.append(surface)
        self.footways.append(footway)

    def clip(self, polygon: Any) -> Ways:
        """The ways with at least one node inside ``polygon`` (lon/lat), whole."""
        inside = shapely.contains_xy(polygon, np.asarray(self.lons), np.asarray(self.lats))
        starts = np.asarray(self.starts)
        keep = np.logical_or.reduceat(inside, starts[:-1]) if len(self) else np.zeros(0, bool)
        clipped = Ways()
        clipped.read = self.read
        for n in np.flatnonzero(keep).tolist():
            a, b = self.starts[n], self.starts[n + 1]
            clipped.add(
                self.way_ids[n],
                self.refs[a:b],
                self.lats[a:b],
                self.lons[a:b],
                highway=self.highways[n],
                name=self.names[n],
                lit=self.lits[n],
                surface=self.surfaces[n],
                footway=self.footways[n],
            )
        return clipped


def _segment_lengths(lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Haversine metres between consecutive points."""
    p1, p2 = np.radians(lats[:-1]), np.radians(lats[1:])
    dl = np.radians(lons[1:] - lons[:-1])
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * geo.EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _table(values: list[str | None]) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int32]]:
    """Distinct strings and each value's index in them (-1 for None)."""
    table = sorted({v for v in values if v})
    code = {v: n for n, v in enumerate(table)}
    return np.array(table, dtype=str), np.array([code[v] if v else -1 for v in values], dtype=np.int32)


def build(ways: Ways, *, version: int = 0, source: str = "") -> StreetGraph:
    """Split the ways into edges (see the module docstring)."""
    if not len(ways):
        raise ValueError("no walkable ways")
    refs = np.asarray(ways.refs, dtype=np.int64)
    lats, lons = np.asarray(ways.lats, dtype=np.float64), np.asarray(ways.lons, dtype=np.float64)
    starts = np.asarray(ways.starts, dtype=np.int64)
    way_of = np.repeat(np.arange(len(ways)), np.diff(starts))
    step = _segment_lengths(lats, lons)
    step[starts[1:-1] - 1] = 0.0  # from the last node of one way to the first of the next
    cum = np.concatenate(([0.0], np.cumsum(step)))

    unique_refs, first_at, counts = np.unique(refs, return_index=True, return_counts=True)
    split = counts[np.searchsorted(unique_refs, refs)] >= 2
    split[starts[:-1]] = True
    split[starts[1:] - 1] = True
    for attempt in range(10):
        a, b, u, v, node_refs = _pieces(split, way_of, refs)
        loops = u == v
        key = np.minimum(u, v) * len(node_refs) + np.maximum(u, v)
        order = np.argsort(key, kind="stable")
        repeated = np.zeros(len(key), dtype=bool)
        repeated[order[1:]] = key[order[1:]] == key[order[:-1]]
        repeated &= ~loops
        extra = [p for x, y in zip(a[loops].tolist(), b[loops].tolist(), strict=True) for p in ({x + (y - x) // 3, x + 2 * (y - x) // 3} - {x, y})]
        extra += [(x + y) // 2 for x, y in zip(a[repeated].tolist(), b[repeated].tolist(), strict=True) if y - x >= 2]
        if not extra or attempt == 9:
            break
        split[extra] = True
    keep = ~(loops | repeated)  # left: loops and repeats with no vertex to split at
    a, b, u, v = a[keep], b[keep], u[keep], v[keep]
    node_first = first_at[np.searchsorted(unique_refs, node_refs)]
    way = way_of[a]
    names, name_code = _table(ways.names)
    surfaces, surface_code = _table(ways.surfaces)
    highway = np.array([HIGHWAY_CODE[h] for h in ways.highways], dtype=np.int8)
    main = np.array([h in MAIN_HIGHWAYS or f in MAIN_FOOTWAYS for h, f in zip(ways.highways, ways.footways, strict=True)], dtype=bool)
    return StreetGraph(
        version=version,
        source=source,
        built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        node_lat=lats[node_first],
        node_lon=lons[node_first],
        node_ref=node_refs,
        edge_u=u.astype(np.int32),
        edge_v=v.astype(np.int32),
        edge_from=a,
        edge_to=b,
        edge_length=cum[b] - cum[a],
        edge_highway=highway[way],
        edge_lit=np.asarray(ways.lits, dtype=np.int8)[way],
        edge_surface=surface_code[way].astype(np.int16),
        edge_name=name_code[way],
        edge_way=np.asarray(ways.way_ids, dtype=np.int64)[way],
        edge_main=main[way],
        coord_lat=lats,
        coord_lon=lons,
        coord_cum=cum,
        names=names,
        surfaces=surfaces,
    )


def _pieces(split, way_of, refs):  # type: ignore[no-untyped-def]
    """Edges between consecutive split positions of the same way, and their nodes."""
    at = np.flatnonzero(split)
    same_way = way_of[at[:-1]] == way_of[at[1:]]
    a, b = at[:-1][same_way], at[1:][same_way]
    node_refs = np.unique(refs[at])
    return a, b, np.searchsorted(node_refs, refs[a]), np.searchsorted(node_refs, refs[b]), node_refs


class StreetGraph:
    """Nodes, edges and edge geometry as arrays (names in ``ARRAYS``)."""

    def __init__(self, *, version: int, source: str, built_at: str, **arrays: Any):
        self.version = version
        self.source = source
        self.built_at = built_at
        for name in ARRAYS:
            setattr(self, name, arrays[name])

    # -- storage -------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with open(partial, "wb") as f:
            np.savez(f, format=FORMAT, version=self.version, source=np.array(self.source), built_at=np.array(self.built_at), **{n: getattr(self, n) for n in ARRAYS})
        os.replace(partial, path)  # a worker never sees half a file

    @classmethod
    def load(cls, path: Path) -> StreetGraph:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != FORMAT:
                raise ValueError(f"{path.name}: graph format {int(data['format'])}, expected {FORMAT}; import the streets again")
            return cls(version=int(data["version"]), source=str(data["source"]), built_at=str(data["built_at"]), **{n: data[n] for n in ARRAYS})

    def prepare(self) -> StreetGraph:
        """Derive everything searches need now, not in the middle of a request."""
        _ = self.csr, self.components, self.geometry
        return self

    # -- description ---------------------------------------------------
    @property
    def node_count(self) -> int:
        return len(self.node_lat)

    @property
    def edge_count(self) -> int:
        return len(self.edge_u)

    def highway(self, edge: int) -> str:
        return HIGHWAYS[int(self.edge_highway[edge])]

    def name(self, edge: int) -> str | None:
        code = int(self.edge_name[edge])
        return str(self.names[code]) if code >= 0 else None

    def edges_named(self, name: str) -> npt.NDArray[np.int64]:
        codes = np.flatnonzero(self.names == name)
        return np.flatnonzero(np.isin(self.edge_name, codes))

    @cached_property
    def is_steps(self) -> npt.NDArray[np.bool_]:
        return self.edge_highway == STEPS

    def nbytes(self) -> int:
        """Memory of the arrays, the derived structures included once prepared."""
        total = sum(getattr(self, n).nbytes for n in ARRAYS)
        for part in ("csr", "geometry"):
            if part in self.__dict__:
                total += self.__dict__[part].nbytes()
        return total

    def coordinates(self, edge: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(lats, lons) of an edge from ``u`` to ``v``."""
        a, b = int(self.edge_from[edge]), int(self.edge_to[edge]) + 1
        return self.coord_lat[a:b], self.coord_lon[a:b]

    # -- derived -------------------------------------------------------
    @cached_property
    def csr(self) -> CSRStructure:
        return CSRStructure(self)

    @cached_property
    def components(self) -> npt.NDArray[np.int32]:
        """The connected component of each node."""
        structure = self.csr
        n = self.node_count
        matrix = csr_matrix((np.ones(structure.entries), structure.indices[: structure.entries], structure.indptr[: n + 1]), shape=(n, n))
        return connected_components(matrix, directed=False)[1].astype(np.int32)

    @cached_property
    def geometry(self) -> Geometry:
        return Geometry(self)
