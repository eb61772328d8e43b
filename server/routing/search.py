"""Walking routes over the street graph: snapping, bounded searches, and the
shortest, balanced and safest alternatives.

Snapping finds the nearest point of any walkable edge: the KD-tree over
points every ≤ 10 m along the edges names the candidates, an exact projection
onto their segments decides. The edge is split there virtually. When the
start and the destination snap to parts of the network that do not connect
(a sidewalk mapped on its own, say), both look again within the snapping
limit for the nearest edges of a part they share.

A search is scipy's Dijkstra from a spare row of the CSR matrix whose two
entries lead to the two ends of the start's edge, at the cost of the part of
the edge up to each — and another from the destination's row, meeting the
first in the middle (``Router.search``). A distance limit keeps it
small: 1.4 × the straight line + 200 m for the shortest (then 3 × + 1 km,
then none, when that was not enough), and for a weighted search the cost of the
shortest route under the same weights — no better route can cost more.

Costs per edge are ``length × (1 + W · risk)`` (``safety``): W = 0 is the
shortest, ``ROUTE_BALANCED_WEIGHT`` balanced, ``ROUTE_SAFEST_WEIGHT`` safest.
A weighted route longer than the detour bound (``max_detour`` × the shortest)
is replaced by a search over smaller weights — W/2, W/4 … W/64, bisected in
three searches — keeping the safest of those within the bound, or else the
shortest. Alternatives that come out the same are returned once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from server import geo
from server.errors import Invalid, NotFound
from server.routing.derived import SAMPLE_STEP_M
from server.routing.graph import StreetGraph
from server.routing.safety import Evidence

#: Zero-cost entries would vanish from a sparse matrix.
TINY = 1e-9
#: The bisection over W/2 … W/2**LADDER when a weighted route is too long.
LADDER = 6


class Unsnappable(Invalid):
    """A point is too far from any walkable street."""


class NoConnection(NotFound):
    """No walking route joins the two points."""


@dataclass(frozen=True)
class SearchSettings:
    snap_max_m: float = 300.0
    max_distance_m: float = 20_000.0
    balanced_weight: float = 2.0
    safest_weight: float = 10.0
    walking_kmh: float = 4.5
    steps_time_factor: float = 2.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SearchSettings:
        return cls(
            snap_max_m=config["ROUTE_SNAP_MAX_M"],
            max_distance_m=config["ROUTE_MAX_DISTANCE_M"],
            balanced_weight=config["ROUTE_BALANCED_WEIGHT"],
            safest_weight=config["ROUTE_SAFEST_WEIGHT"],
            walking_kmh=config["ROUTE_WALKING_KMH"],
            steps_time_factor=config["ROUTE_STEPS_TIME_FACTOR"],
        )


@dataclass(frozen=True)
class Snap:
    """Where a point meets the network: an edge, the fraction along it from ``u``."""

    edge: int
    t: float
    lat: float
    lon: float
    distance_m: float
    component: int


@dataclass
class Path:
    """A route as pieces of edges: each from fraction ``t_from`` to ``t_to``."""

    edges: npt.NDArray[np.int64]
    t_from: npt.NDArray[np.float64]
    t_to: npt.NDArray[np.float64]
    lengths: npt.NDArray[np.float64]
    kinds: list[str] = field(default_factory=list)

    @property
    def length(self) -> float:
        return float(self.lengths.sum())

    def cost(self, edge_cost: npt.NDArray[np.float64], edge_length: npt.NDArray[np.float64]) -> float:
        """Its cost under per-edge costs (a piece costs its share of its edge)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            per_metre = np.where(edge_length[self.edges] > 0, edge_cost[self.edges] / edge_length[self.edges], 1.0)
        return float((self.lengths * per_metre).sum())

    def same_as(self, other: Path) -> bool:
        return np.array_equal(self.edges, other.edges)

    def coordinates(self, graph: StreetGraph) -> list[list[float]]:
        """The route as GeoJSON positions ([lon, lat]), start to end."""
        lons: list[npt.NDArray[np.float64]] = []
        lats: list[npt.NDArray[np.float64]] = []
        for edge, t_from, t_to in zip(self.edges.tolist(), self.t_from.tolist(), self.t_to.tolist(), strict=True):
            a, b = int(graph.edge_from[edge]), int(graph.edge_to[edge]) + 1
            lo, hi = min(t_from, t_to), max(t_from, t_to)
            if lo == 0.0 and hi == 1.0:  # a whole edge: its vertices as they are
                piece_lon, piece_lat = graph.coord_lon[a:b], graph.coord_lat[a:b]
            else:  # the part of an edge a route starts or ends on
                along = graph.coord_cum[a:b] - graph.coord_cum[a]
                length = float(graph.edge_length[edge])
                at = np.concatenate(([lo * length], along[(along > lo * length) & (along < hi * length)], [hi * length]))
                piece_lon, piece_lat = np.interp(at, along, graph.coord_lon[a:b]), np.interp(at, along, graph.coord_lat[a:b])
            if t_from > t_to:
                piece_lon, piece_lat = piece_lon[::-1], piece_lat[::-1]
            lons.append(piece_lon)
            lats.append(piece_lat)
        lon, lat = np.round(np.concatenate(lons), 7), np.round(np.concatenate(lats), 7)
        keep = np.ones(len(lon), dtype=bool)
        keep[1:] = (lon[1:] != lon[:-1]) | (lat[1:] != lat[:-1])  # where pieces meet
        return np.column_stack((lon[keep], lat[keep])).tolist()


class Router:
    """Routes over one graph with one set of evidence (a new router per new evidence)."""

    def __init__(self, graph: StreetGraph, evidence: Evidence, settings: SearchSettings):
        self.graph = graph.prepare()
        self.evidence = evidence
        self.settings = settings
        # One search at a time: each points the shared source row at its start.
        self._lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._matrices: OrderedDict[tuple[bytes, float], tuple[npt.NDArray[np.float64], Any]] = OrderedDict()

    # -- snapping --------------------------------------------------------
    def _candidates(self, x: float, y: float, radius: float) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Edges with a point within ``radius`` (+ half a sample step), nearest first, with their nearest point."""
        geometry = self.graph.geometry
        samples = geometry.tree.query_ball_point((x, y), radius + SAMPLE_STEP_M / 2 + 0.01)
        edges = np.unique(geometry.sample_edge[samples]) if samples else np.zeros(0, np.int64)
        if not len(edges):
            return edges, *(np.zeros(0),) * 4  # type: ignore[return-value]
        distance, t, px, py = geometry.project_onto(edges, x, y)
        order = np.argsort(distance, kind="stable")
        return edges[order], distance[order], t[order], px[order], py[order]

    def _snap(self, edge: int, distance: float, t: float, px: float, py: float) -> Snap:
        lat, lon = self.graph.geometry.unproject(px, py)
        return Snap(int(edge), float(t), float(lat), float(lon), float(distance), int(self.graph.components[self.graph.edge_u[edge]]))

    def snap(self, lat: float, lon: float, field_name: str = "from") -> Snap:
        """The nearest point of any walkable edge, or Unsnappable beyond the limit."""
        geometry = self.graph.geometry
        x, y = geometry.project(lat, lon)
        nearest, _ = geometry.tree.query((float(x), float(y)))
        limit = self.settings.snap_max_m
        if nearest <= limit + SAMPLE_STEP_M / 2:
            edges, distance, t, px, py = self._candidates(float(x), float(y), min(float(nearest), limit))
            if len(edges) and distance[0] <= limit:
                return self._snap(edges[0], distance[0], t[0], px[0], py[0])
        raise self._too_far(field_name, float(nearest))

    def _too_far(self, field_name: str, distance: float) -> Unsnappable:
        limit = self.settings.snap_max_m
        what, what_ko = ("start", "출발지") if field_name == "from" else ("destination", "도착지")
        message = f"The {what} is {distance:,.0f} m from the nearest walkable street; it must be within {limit:,.0f} m. / {what_ko}가 가장 가까운 보행로에서 {distance:,.0f}m 떨어져 있습니다({limit:,.0f}m 이내여야 합니다)."
        return Unsnappable(message, {"query": {field_name: [message]}})

    def snap_pair(self, origin: tuple[float, float], destination: tuple[float, float]) -> tuple[Snap, Snap]:
        """Snap both ends to the same connected part of the network when one is within reach."""
        start, end = self.snap(*origin, "from"), self.snap(*destination, "to")
        if start.component == end.component:
            return start, end
        limit = self.settings.snap_max_m
        per_end = []
        for lat, lon in (origin, destination):
            x, y = self.graph.geometry.project(lat, lon)
            edges, distance, t, px, py = self._candidates(float(x), float(y), limit)
            components = self.graph.components[self.graph.edge_u[edges]]
            nearest: dict[int, int] = {}
            for n, (component, d) in enumerate(zip(components.tolist(), distance.tolist(), strict=True)):
                if d <= limit and component not in nearest:
                    nearest[component] = n  # sorted by distance: the first is the nearest
            per_end.append((nearest, edges, distance, t, px, py))
        shared = set(per_end[0][0]) & set(per_end[1][0])
        if not shared:
            raise NoConnection(
                "No walking route joins the start and the destination: the streets near them are not connected in the street graph. "
                "/ 출발지와 도착지 주변의 보행로가 서로 이어져 있지 않아 경로가 없습니다."
            )
        best = min(shared, key=lambda c: per_end[0][2][per_end[0][0][c]] + per_end[1][2][per_end[1][0][c]])
        snapped = []
        for nearest, edges, distance, t, px, py in per_end:
            n = nearest[best]
            snapped.append(self._snap(edges[n], distance[n], t[n], px[n], py[n]))
        return snapped[0], snapped[1]

    # -- searching -------------------------------------------------------
    def costs(self, weight: float, risk_key: bytes, risk: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], Any]:
        """Per-edge costs at a weight, and their matrix (kept for reuse)."""
        key = (risk_key if weight else b"", weight)
        with self._cache_lock:
            found = self._matrices.get(key)
            if found is None:
                length = self.graph.edge_length
                cost = np.maximum(length * (1 + weight * risk) if weight else length, TINY)
                found = (cost, self.graph.csr.matrix(cost))
                self._matrices[key] = found
                while len(self._matrices) > 24:  # a few moments' safe houses × the weights tried
                    self._matrices.popitem(last=False)
            return found

    def search(self, cost: npt.NDArray[np.float64], matrix: Any, start: Snap, end: Snap, limit: float) -> Path | None:
        """The cheapest path from ``start`` to ``end`` if it costs at most ``limit``, else None.

        Two searches meet in the middle, each going half the limit: one from
        the start, one from the destination. Where the cheapest path crosses
        half its cost, an edge joins a node the first reached to one the
        second reached, so the cheapest such junction is the cheapest path —
        found by exploring two discs of half the radius, half the area.
        """
        graph = self.graph
        csr = graph.csr
        n = graph.node_count
        u1, v1 = int(graph.edge_u[start.edge]), int(graph.edge_v[start.edge])
        u2, v2 = int(graph.edge_u[end.edge]), int(graph.edge_v[end.edge])
        c1, c2 = float(cost[start.edge]), float(cost[end.edge])
        with self._lock:
            matrix.indices[-4:] = (u1, v1, u2, v2)
            matrix.data[-4:] = (max(start.t * c1, TINY), max((1 - start.t) * c1, TINY), max(end.t * c2, TINY), max((1 - end.t) * c2, TINY))
            # min_only: one source row comes back as flat arrays, by scipy's faster path.
            from_start, previous_s, _ = dijkstra(matrix, directed=True, indices=csr.source, return_predecessors=True, limit=limit / 2, min_only=True)
            from_end, previous_e, _ = dijkstra(matrix, directed=True, indices=csr.target, return_predecessors=True, limit=limit / 2, min_only=True)
        best, meet = np.inf, (-1, -1)
        reached = np.flatnonzero(from_start[:n] < np.inf)  # the nodes the first search reached
        if len(reached):
            both = from_start[reached] + from_end[reached]
            k = int(np.argmin(both))
            if both[k] < best:
                best, meet = float(both[k]), (int(reached[k]), int(reached[k]))
            first, counts = csr.indptr[reached], csr.indptr[reached + 1] - csr.indptr[reached]
            entries = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(first, counts)
            tails, heads = np.repeat(reached, counts), csr.indices[entries]
            through = from_start[tails] + matrix.data[entries] + from_end[heads]
            k = int(np.argmin(through)) if len(through) else -1
            if k >= 0 and through[k] < best:
                best, meet = float(through[k]), (int(tails[k]), int(heads[k]))
        if start.edge == end.edge and abs(start.t - end.t) * c1 <= best:
            return self._path([start.edge], [start.t], [end.t])
        if best > limit:
            return None
        nodes = self._chain(meet[0], previous_s, csr.source)[::-1]
        nodes += self._chain(meet[1], previous_e, csr.target)[1 if meet[0] == meet[1] else 0 :]
        first, last = nodes[0], nodes[-1]
        edges = [start.edge]
        t_from, t_to = [start.t], [0.0 if first == u1 else 1.0]
        if len(nodes) > 1:
            us, vs = np.asarray(nodes[:-1], dtype=np.int64), np.asarray(nodes[1:], dtype=np.int64)
            inner = csr.edges_between(us, vs, n)
            forward = graph.edge_u[inner] == us
            edges += inner.tolist()
            t_from += np.where(forward, 0.0, 1.0).tolist()
            t_to += np.where(forward, 1.0, 0.0).tolist()
        edges.append(end.edge)
        t_from.append(0.0 if last == u2 else 1.0)
        t_to.append(end.t)
        return self._path(edges, t_from, t_to)

    @staticmethod
    def _chain(node: int, previous: npt.NDArray[np.int32], root: int) -> list[int]:
        """Nodes from ``node`` back to (not including) the root of a search."""
        chain = []
        while node != root:
            chain.append(node)
            node = int(previous[node])
        return chain

    def _path(self, edges: list[int], t_from: list[float], t_to: list[float]) -> Path:
        e = np.asarray(edges, dtype=np.int64)
        a, b = np.asarray(t_from, dtype=float), np.asarray(t_to, dtype=float)
        keep = a != b  # the empty part of an edge a route starts or ends at a node of
        if not keep.any():
            keep[0] = True
        e, a, b = e[keep], a[keep], b[keep]
        return Path(e, a, b, np.abs(b - a) * self.graph.edge_length[e])

    def _weighted(self, weight: float, risk_key: bytes, risk: npt.NDArray[np.float64], shortest: Path, start: Snap, end: Snap) -> Path:
        cost, matrix = self.costs(weight, risk_key, risk)
        # The shortest route is a route: nothing better costs more than it does.
        limit = shortest.cost(cost, self.graph.edge_length) * (1 + 1e-9) + 1e-6
        return self.search(cost, matrix, start, end, limit) or shortest

    def _mean_risk(self, path: Path, risk: npt.NDArray[np.float64]) -> float:
        return float((path.lengths * risk[path.edges]).sum() / path.length) if path.length > 0 else 0.0

    def within_bound(self, weight: float, risk_key: bytes, risk: npt.NDArray[np.float64], shortest: Path, start: Snap, end: Snap, bound: float) -> Path:
        """The route at ``weight``, or, when it is longer than ``bound``, the
        safest within it among smaller weights (the module docstring)."""
        path = self._weighted(weight, risk_key, risk, shortest, start, end)
        if path.length <= bound:
            return path
        within = []
        low, high = 1, LADDER
        while low <= high:
            middle = (low + high) // 2
            candidate = self._weighted(weight / 2**middle, risk_key, risk, shortest, start, end)
            if candidate.length <= bound:
                within.append(candidate)
                high = middle - 1
            else:
                low = middle + 1
        if not within:
            return shortest
        return min(within, key=lambda p: (self._mean_risk(p, risk), p.length))

    def alternatives(self, origin: tuple[float, float], destination: tuple[float, float], at: Any, max_detour: float) -> tuple[Snap, Snap, list[Path], npt.NDArray[np.float64]]:
        """Shortest, balanced and safest (the same ones once), the snapped ends, and the risk used."""
        start, end = self.snap_pair(origin, destination)
        cost, matrix = self.costs(0.0, b"", self.graph.edge_length)
        straight = geo.haversine_m(start.lat, start.lon, end.lat, end.lon)
        shortest = None
        for limit in (1.4 * straight + 200, 3 * straight + 1000, np.inf):
            shortest = self.search(cost, matrix, start, end, limit)
            if shortest is not None:
                break
        if shortest is None:
            raise NoConnection("No walking route joins the start and the destination in the street graph. / 출발지와 도착지를 잇는 보행 경로가 없습니다.")
        bound = max_detour * shortest.length + 1e-6
        risk_key, risk = self.evidence.risk(at)
        paths = [shortest]
        shortest.kinds = ["shortest"]
        for kind, weight in (("balanced", self.settings.balanced_weight), ("safest", self.settings.safest_weight)):
            path = self.within_bound(weight, risk_key, risk, shortest, start, end, bound)
            same = next((p for p in paths if p.same_as(path)), None)
            if same is not None:
                same.kinds.append(kind)
            else:
                path.kinds = [kind]
                paths.append(path)
        return start, end, paths, risk

    def walking_minutes(self, path: Path) -> float:
        slow = np.where(self.graph.is_steps[path.edges], self.settings.steps_time_factor, 1.0)
        return float((path.lengths * slow).sum() / (self.settings.walking_kmh * 1000 / 60))
