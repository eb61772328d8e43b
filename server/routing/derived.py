"""What each worker derives from a stored street graph before routing on it:
the CSR structure of the searches, with spare rows for the two ends of a
route; and the edges in local metres — segments for snapping, points every
≤ ``SAMPLE_STEP_M`` along them with a KD-tree for snapping and evidence.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from server import geo

if TYPE_CHECKING:
    from server.routing.graph import StreetGraph

#: Points along the edges are at most this far apart (metres): evidence and snapping use them.
SAMPLE_STEP_M = 10.0


class CSRStructure:
    """Both directions of every edge as a CSR matrix structure over ``N + 2``
    rows. The two spare rows, ``source`` and ``target``, stand for the start
    and the destination of a route: each search points their two entries at
    the ends of the edges they snapped to (the graph is symmetric, so a
    search from ``target`` finds the distances *to* the destination)."""

    def __init__(self, graph: StreetGraph):
        n = graph.node_count
        edges = np.arange(graph.edge_count)
        rows = np.concatenate((graph.edge_u, graph.edge_v)).astype(np.int64)
        cols = np.concatenate((graph.edge_v, graph.edge_u)).astype(np.int64)
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        self.source, self.target = n, n + 1
        self.entries = len(rows)
        self.entry_edge = np.concatenate((edges, edges))[order]
        self.indices = np.concatenate((cols, [0, 1, 0, 1])).astype(np.int32)
        per_row = np.concatenate((np.bincount(rows, minlength=n), [2, 2]))
        self.indptr = np.concatenate(([0], np.cumsum(per_row))).astype(np.int32)
        self.keys = rows * (n + 1) + cols  # sorted: finds the entry of a node pair

    def edges_between(self, us: npt.NDArray[np.int64], vs: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
        """The edge joining each pair of adjacent nodes."""
        return self.entry_edge[np.searchsorted(self.keys, us * (n + 1) + vs)]

    def matrix(self, edge_cost: npt.NDArray[np.float64]) -> csr_matrix:
        """A matrix of these costs per edge (its own data, the shared structure)."""
        data = np.concatenate((edge_cost[self.entry_edge], [1.0] * 4))
        return csr_matrix((data, self.indices, self.indptr), shape=(self.target + 1, self.target + 1), copy=False)

    def nbytes(self) -> int:
        return self.entry_edge.nbytes + self.indices.nbytes + self.indptr.nbytes + self.keys.nbytes


class Geometry:
    """Edges in local metres (an equirectangular projection about the graph's
    centre, exact to a few centimetres across a city): segments for snapping,
    and points every ≤ ``SAMPLE_STEP_M`` with a KD-tree for evidence."""

    def __init__(self, graph: StreetGraph):
        self.lat0 = float(np.mean(graph.node_lat))
        self.lon0 = float(np.mean(graph.node_lon))
        self.ky = geo.EARTH_RADIUS_M * math.pi / 180
        self.kx = self.ky * math.cos(math.radians(self.lat0))
        coord_x, coord_y = self.project(graph.coord_lat, graph.coord_lon)
        counts = (graph.edge_to - graph.edge_from).astype(np.int64)
        self.seg_ptr = np.concatenate(([0], np.cumsum(counts)))
        self.seg_edge = np.repeat(np.arange(graph.edge_count), counts)
        position = np.arange(self.seg_ptr[-1]) - np.repeat(self.seg_ptr[:-1], counts) + np.repeat(graph.edge_from, counts)
        self.x1, self.y1 = coord_x[position], coord_y[position]
        self.dx, self.dy = coord_x[position + 1] - self.x1, coord_y[position + 1] - self.y1
        self.length2 = self.dx**2 + self.dy**2
        # Fractions of the edge (by haversine length) at each segment's start, and spans.
        edge_length = graph.edge_length[self.seg_edge]
        with np.errstate(invalid="ignore", divide="ignore"):
            self.t0 = np.where(edge_length > 0, (graph.coord_cum[position] - graph.coord_cum[graph.edge_from[self.seg_edge]]) / edge_length, 0.0)
            self.dt = np.where(edge_length > 0, (graph.coord_cum[position + 1] - graph.coord_cum[position]) / edge_length, 0.0)
        pieces = np.maximum(1, np.ceil(np.sqrt(self.length2) / SAMPLE_STEP_M)).astype(np.int64)
        segment = np.repeat(np.arange(len(pieces)), pieces)
        k = np.arange(len(segment)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        frac = (k + 0.5) / pieces[segment]
        self.sample_x = self.x1[segment] + frac * self.dx[segment]
        self.sample_y = self.y1[segment] + frac * self.dy[segment]
        self.sample_edge = self.seg_edge[segment]
        #: Metres of the edge (haversine) each point stands for.
        self.sample_weight = (graph.coord_cum[position + 1] - graph.coord_cum[position])[segment] / pieces[segment]
        self.tree = cKDTree(np.column_stack((self.sample_x, self.sample_y)))

    def project(self, lat: Any, lon: Any) -> tuple[Any, Any]:
        return (np.asarray(lon, dtype=float) - self.lon0) * self.kx, (np.asarray(lat, dtype=float) - self.lat0) * self.ky

    def unproject(self, x: Any, y: Any) -> tuple[Any, Any]:
        return np.asarray(y) / self.ky + self.lat0, np.asarray(x) / self.kx + self.lon0

    def nbytes(self) -> int:
        arrays = (self.seg_ptr, self.seg_edge, self.x1, self.y1, self.dx, self.dy, self.length2, self.t0, self.dt, self.sample_x, self.sample_y, self.sample_edge, self.sample_weight)
        # cKDTree keeps a copy of the points and an index of the same length.
        return sum(a.nbytes for a in arrays) + self.tree.data.nbytes + self.tree.indices.nbytes

    def project_onto(self, edges: npt.NDArray[np.int64], x: float, y: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """For each edge, the nearest point to (x, y): distance, fraction along the edge, and the point."""
        counts = self.seg_ptr[edges + 1] - self.seg_ptr[edges]
        segments = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(self.seg_ptr[edges], counts)
        x1, y1, dx, dy, length2 = self.x1[segments], self.y1[segments], self.dx[segments], self.dy[segments], self.length2[segments]
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.clip(np.where(length2 > 0, ((x - x1) * dx + (y - y1) * dy) / length2, 0.0), 0.0, 1.0)
        px, py = x1 + s * dx, y1 + s * dy
        distance = np.hypot(px - x, py - y)
        owner = np.repeat(np.arange(len(edges)), counts)
        # The nearest segment of each edge: sort by (edge, distance), take the first.
        order = np.lexsort((distance, owner))
        first = order[np.concatenate(([0], np.cumsum(counts)[:-1]))]
        t = self.t0[segments[first]] + s[first] * self.dt[segments[first]]
        return distance[first], t, px[first], py[first]
