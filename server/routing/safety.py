"""The safety formula: evidence per street edge, the risk routes weigh, and a
route's score with its explanation. The formula lives here and only here.

Evidence of an edge ``e``, each in [0, 1]:

==============  ==============================================================
``cctv``        share of the edge's length within 30 m of a working CCTV camera
``bell``        share of its length within 50 m of a working emergency bell
``lit``         1 when lit at night: OSM ``lit=yes``, or at least 1 working
                security light (보안등, its 설치개수 counted) per 100 m within
                20 m of the edge; else 0
``main_road``   1 on a main road (trunk to tertiary, a pedestrian street) or on
                the sidewalk or crossing of one (``footway=sidewalk|crossing``);
                0 in an alley, a residential or service street, a footpath or steps
``safe_path``   1 when the edge follows a designated safe-return path
                (여성안심귀갓길: ≥ 70 % of its length within 15 m of one)
``safe_house``  1 when a safe house (여성안심지킴이집) open at the requested
                time is within 100 m
``reports``     1 − exp(−Σ 2^(−age / 7 days)) over the public reports of the
                last 30 days within 100 m (suspicious person, weapon seen,
                assault, dark street, broken facility — not SOS, not false
                alarms or duplicates): one fresh report ≈ 0.63, one a week old ≈ 0.39
==============  ==============================================================

::

    safety(e) = Σ w_i · x_i(e)                      over the six above (Σ w_i = 1)
    risk(e)   = clip(1 − safety(e) + w_reports · reports(e), 0, 1)
    score     = 100 · (1 − Σ length · risk / Σ length)   of a route, 0–100

Default weights (``ROUTE_SAFETY_WEIGHTS``): cctv 0.30, lit 0.20, main_road
0.20, bell 0.10, safe_path 0.10, safe_house 0.10, and reports 0.30; the six
are scaled to sum to 1 if a setting does not. Radii are
``ROUTE_SAFETY_RADII_M``. The searches (``search``) cost an edge
``length × (1 + W · risk)``: W = 0 shortest, ``ROUTE_BALANCED_WEIGHT``,
``ROUTE_SAFEST_WEIGHT``.

Only ``active`` facilities count: one marked out of order or removed stops
counting at the next evidence update (every worker recomputes when the
facilities' data version moves). Camera direction and count are not used:
the data says where a camera points only in words.

Opening hours of safe houses come from ``attributes.opening_hours`` when
known (``24시간``, ``24/7``, ``HH:MM-HH:MM``, several ranges, past midnight),
read in Korean time (UTC+9) and without days of the week. The public data has
no hours, so a safe house with none counts as open during the day only
(``ROUTE_SAFE_HOUSE_DEFAULT_HOURS``, 08:00–22:00): at night an unknown shop may
be shut, and a route must not lean on it.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from server.routing.graph import StreetGraph

KST = dt.timezone(dt.timedelta(hours=9), "KST")
POSITIVE = ("cctv", "bell", "lit", "main_road", "safe_path", "safe_house")
ALWAYS = ((0, 1440),)
NEVER = ((0, 0),)
HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*[-~–]\s*(\d{1,2}):(\d{2})")
#: An edge follows a safe-return path when this share of it lies within the radius.
SAFE_PATH_SHARE = 0.7


@dataclass(frozen=True)
class SafetySettings:
    weights: Mapping[str, float]
    radii: Mapping[str, float]
    lit_lights_per_100m: float = 1.0
    report_days: int = 30
    report_half_life_days: float = 7.0
    default_hours: tuple[tuple[int, int], ...] = ((8 * 60, 22 * 60),)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SafetySettings:
        weights = dict(config["ROUTE_SAFETY_WEIGHTS"])
        unknown = set(weights) - {*POSITIVE, "reports"}
        if unknown:
            raise ValueError(f"ROUTE_SAFETY_WEIGHTS: unknown {sorted(unknown)}")
        total = sum(weights.get(k, 0.0) for k in POSITIVE) or 1.0
        weights = {**{k: weights.get(k, 0.0) / total for k in POSITIVE}, "reports": weights.get("reports", 0.0)}
        return cls(
            weights=weights,
            radii=dict(config["ROUTE_SAFETY_RADII_M"]),
            lit_lights_per_100m=config["ROUTE_LIT_LIGHTS_PER_100M"],
            report_days=config["ROUTE_REPORT_DAYS"],
            report_half_life_days=config["ROUTE_REPORT_HALF_LIFE_DAYS"],
            default_hours=parse_hours(config["ROUTE_SAFE_HOUSE_DEFAULT_HOURS"], ()),
        )


def parse_hours(text: str | None, default: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Opening hours as (start, end) minutes of the day; ``default`` when unreadable."""
    if not text or not isinstance(text, str):
        return default
    lowered = text.strip().lower()
    if "24시간" in lowered or "24/7" in lowered or lowered in {"24h", "24", "연중무휴"}:
        return ALWAYS
    intervals: list[tuple[int, int]] = []
    for h1, m1, h2, m2 in HOURS.findall(lowered):
        start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        if start >= 1440 or end > 1440 or int(m1) >= 60 or int(m2) >= 60:
            continue
        if end > start:
            intervals.append((start, end))
        elif end < start:  # past midnight
            intervals += [(start, 1440), (0, end)]
        else:
            return ALWAYS
    return tuple(intervals) or default


def minute_of_day(at: dt.datetime) -> int:
    local = at.astimezone(KST) if at.tzinfo else at.replace(tzinfo=KST)
    return local.hour * 60 + local.minute


@dataclass
class Points:
    """Facilities of one kind, or reports: ids, coordinates, a label, a weight
    each (a light's 설치개수; a report's fading), opening hours (safe houses)."""

    ids: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    labels: list[str | None] = field(default_factory=list)
    weight: npt.NDArray[np.float64] | None = None
    hours: list[tuple[tuple[int, int], ...]] = field(default_factory=list)

    @classmethod
    def empty(cls) -> Points:
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))

    def __len__(self) -> int:
        return len(self.ids)


class Incidence:
    """Which points (facilities, reports) lie near which edges."""

    def __init__(self, edges: npt.NDArray[np.int64], points: npt.NDArray[np.int64], edge_count: int):
        span = int(points.max()) + 1 if len(points) else 1
        pairs = np.unique(edges.astype(np.int64) * span + points)  # sorted by edge, then point
        self.edges, self.points = pairs // span, pairs % span
        self.ptr = np.searchsorted(self.edges, np.arange(edge_count + 1))

    def along(self, route_edges: npt.NDArray[np.int64]) -> list[int]:
        """The points near a route, each once, in the order the route meets them."""
        starts, ends = self.ptr[route_edges], self.ptr[route_edges + 1]
        counts = ends - starts
        total = int(counts.sum())
        if not total:
            return []
        found = self.points[np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(starts, counts)]
        return list(dict.fromkeys(found.tolist()))  # a few dozen: faster than np.unique

    def any_of(self, mask: npt.NDArray[np.bool_], edge_count: int) -> npt.NDArray[np.bool_]:
        """Edges near at least one point of ``mask``."""
        return np.bincount(self.edges, weights=mask[self.points].astype(float), minlength=edge_count) > 0

    def totals(self, weight: npt.NDArray[np.float64], edge_count: int) -> npt.NDArray[np.float64]:
        return np.bincount(self.edges, weights=weight[self.points], minlength=edge_count)


def _near(graph: StreetGraph, points: Points, radius: float) -> tuple[Incidence, npt.NDArray[np.bool_]]:
    """Edges within ``radius`` of each point, and which edge points are covered."""
    geometry = graph.geometry
    covered = np.zeros(len(geometry.sample_x), dtype=bool)
    if not len(points):
        return Incidence(np.zeros(0, np.int64), np.zeros(0, np.int64), graph.edge_count), covered
    x, y = geometry.project(points.lat, points.lon)
    # Only points near the graph's extent: a city-wide dataset over a district's streets.
    inside = np.flatnonzero((x >= geometry.sample_x.min() - radius) & (x <= geometry.sample_x.max() + radius) & (y >= geometry.sample_y.min() - radius) & (y <= geometry.sample_y.max() + radius))
    if not len(inside):
        return Incidence(np.zeros(0, np.int64), np.zeros(0, np.int64), graph.edge_count), covered
    pairs = cKDTree(np.column_stack((x[inside], y[inside]))).sparse_distance_matrix(geometry.tree, radius, output_type="ndarray")
    samples = pairs["j"].astype(np.int64)
    covered[samples] = True
    return Incidence(geometry.sample_edge[samples], inside[pairs["i"]], graph.edge_count), covered


def _share(graph: StreetGraph, covered: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Share of each edge's length on covered points."""
    geometry = graph.geometry
    near = np.bincount(geometry.sample_edge, weights=geometry.sample_weight * covered, minlength=graph.edge_count)
    total = np.bincount(geometry.sample_edge, weights=geometry.sample_weight, minlength=graph.edge_count)
    any_covered = np.bincount(geometry.sample_edge, weights=covered.astype(float), minlength=graph.edge_count) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, near / total, any_covered.astype(float))


def match_safe_paths(graph: StreetGraph, lines: list[list[tuple[float, float]]], radius: float) -> npt.NDArray[np.bool_]:
    """Edges that follow one of the lines ((lon, lat) vertices): ≥ 70 % of the edge within ``radius``."""
    geometry = graph.geometry
    xs, ys = [], []
    for line in lines:
        if len(line) < 2:
            continue
        lx, ly = geometry.project([p[1] for p in line], [p[0] for p in line])
        for x1, y1, x2, y2 in zip(lx[:-1], ly[:-1], lx[1:], ly[1:], strict=True):
            n = max(1, math.ceil(math.hypot(x2 - x1, y2 - y1) / 5))
            f = np.arange(n + 1) / n
            xs.append(x1 + f * (x2 - x1))
            ys.append(y1 + f * (y2 - y1))
    if not xs:
        return np.zeros(graph.edge_count, dtype=bool)
    px, py = np.concatenate(xs), np.concatenate(ys)
    reach = radius + 2.5  # the line's points are ≤ 5 m apart
    box = (geometry.sample_x >= px.min() - reach) & (geometry.sample_x <= px.max() + reach) & (geometry.sample_y >= py.min() - reach) & (geometry.sample_y <= py.max() + reach)
    candidates = np.flatnonzero(box)
    distance, _ = cKDTree(np.column_stack((px, py))).query(np.column_stack((geometry.sample_x[candidates], geometry.sample_y[candidates])), distance_upper_bound=reach)
    covered = np.zeros(len(geometry.sample_x), dtype=bool)
    covered[candidates[distance <= radius]] = True
    return _share(graph, covered) >= SAFE_PATH_SHARE


@dataclass
class Evidence:
    """Evidence per edge of one graph, with the facilities, safe paths and
    reports it was computed from (``stamp`` says which versions)."""

    graph: StreetGraph
    settings: SafetySettings
    facilities: dict[str, Points]
    stamp: tuple[int, ...]
    cctv: npt.NDArray[np.float64]
    bell: npt.NDArray[np.float64]
    lights_per_100m: npt.NDArray[np.float64]
    lit: npt.NDArray[np.bool_]
    main_road: npt.NDArray[np.bool_]
    safe_path: npt.NDArray[np.bool_]
    near: dict[str, Incidence]
    reports: Points
    report_level: npt.NDArray[np.float64]
    reports_at: dt.datetime
    _risks: dict[bytes, npt.NDArray[np.float64]] = field(default_factory=dict, repr=False)

    @classmethod
    def compute(
        cls,
        graph: StreetGraph,
        settings: SafetySettings,
        facilities: dict[str, Points],
        safe_paths: list[list[tuple[float, float]]],
        reports: Points,
        *,
        stamp: tuple[int, ...] = (),
        now: dt.datetime | None = None,
    ) -> Evidence:
        radii = settings.radii
        near: dict[str, Incidence] = {}
        shares: dict[str, npt.NDArray[np.float64]] = {}
        for kind, radius in (("cctv", radii["cctv"]), ("bell", radii["bell"]), ("light", radii["light"]), ("safe_house", radii["safe_house"]), ("police", radii["police"])):
            near[kind], covered = _near(graph, facilities.get(kind) or Points.empty(), radius)
            shares[kind] = _share(graph, covered)
        lights = facilities.get("light") or Points.empty()
        light_count = near["light"].totals(lights.weight if lights.weight is not None else np.ones(len(lights)), graph.edge_count)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_100m = np.where(graph.edge_length > 0, light_count / np.maximum(graph.edge_length, 1.0) * 100, 0.0)
        evidence = cls(
            graph=graph,
            settings=settings,
            facilities=facilities,
            stamp=stamp,
            cctv=shares["cctv"],
            bell=shares["bell"],
            lights_per_100m=per_100m,
            lit=(graph.edge_lit == 1) | (per_100m >= settings.lit_lights_per_100m),
            main_road=graph.edge_main.astype(bool),
            safe_path=match_safe_paths(graph, safe_paths, radii["safe_path"]),
            near=near,
            reports=Points.empty(),
            report_level=np.zeros(graph.edge_count),
            reports_at=now or dt.datetime.now(dt.UTC),
        )
        return evidence.with_reports(reports, now)

    def with_reports(self, reports: Points, now: dt.datetime | None = None) -> Evidence:
        """The same evidence with these reports (their ``weight`` already faded)."""
        fresh = copy.copy(self)
        fresh._risks = {}
        fresh.reports = reports
        fresh.near = {**self.near}
        fresh.near["report"], _ = _near(self.graph, reports, self.settings.radii["report"])
        weight = reports.weight if reports.weight is not None else np.ones(len(reports))
        fresh.report_level = 1 - np.exp(-fresh.near["report"].totals(weight, self.graph.edge_count))
        fresh.reports_at = now or dt.datetime.now(dt.UTC)
        return fresh

    @property
    def static_safety(self) -> npt.NDArray[np.float64]:
        w = self.settings.weights
        if "_static" not in self.__dict__:
            self.__dict__["_static"] = w["cctv"] * self.cctv + w["bell"] * self.bell + w["lit"] * self.lit + w["main_road"] * self.main_road + w["safe_path"] * self.safe_path
        return self.__dict__["_static"]

    def open_safe_houses(self, at: dt.datetime) -> npt.NDArray[np.bool_]:
        """Which safe houses are open at ``at`` (Korean time of day)."""
        minute = minute_of_day(at)
        houses = self.facilities.get("safe_house") or Points.empty()
        if "_hour_groups" not in self.__dict__:
            # Few distinct opening hours among many houses: decide each once.
            hours = houses.hours if len(houses.hours) == len(houses) else [()] * len(houses)
            groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
            for row, spec in enumerate(hours):
                groups.setdefault(spec or self.settings.default_hours, []).append(row)
            self.__dict__["_hour_groups"] = [(spec, np.array(rows, dtype=np.int64)) for spec, rows in groups.items()]
        open_now = np.zeros(len(houses), dtype=bool)
        for spec, rows in self.__dict__["_hour_groups"]:
            if any(start <= minute < end for start, end in spec):
                open_now[rows] = True
        return open_now

    def risk(self, at: dt.datetime) -> tuple[bytes, npt.NDArray[np.float64]]:
        """Risk per edge at a moment, and a key naming it: it depends on the
        moment only through which safe houses are open, so few keys exist."""
        open_now = self.open_safe_houses(at)
        key = np.packbits(open_now).tobytes() + len(open_now).to_bytes(4, "little")
        risk = self._risks.get(key)
        if risk is None:
            w = self.settings.weights
            near_open = self.near["safe_house"].any_of(open_now, self.graph.edge_count)
            risk = np.clip(1 - self.static_safety - w["safe_house"] * near_open + w["reports"] * self.report_level, 0.0, 1.0)
            if len(self._risks) >= 8:
                self._risks.clear()
            self._risks[key] = risk
        return key, risk

    def explain(self, edges: npt.NDArray[np.int64], lengths: npt.NDArray[np.float64], risk: npt.NDArray[np.float64], open_now: npt.NDArray[np.bool_]) -> dict[str, Any]:
        """A route's score and what it rests on: shares of its length, what it
        passes (``along``: rows of the facilities and reports near it, by kind)."""
        total = float(lengths.sum())

        def share(values: npt.NDArray[Any]) -> float:
            return round(float((lengths * values[edges]).sum() / total), 3) if total > 0 else 0.0

        along = {kind: self.near[kind].along(edges) for kind in ("cctv", "bell", "safe_house", "police", "report")}
        mean_risk = float((lengths * risk[edges]).sum() / total) if total > 0 else float(risk[edges].mean())
        return {
            "safety_score": round(100 * (1 - mean_risk), 1),
            "explanation": {
                "camera_share": share(self.cctv),
                "bells_passed": len(along["bell"]),
                "lit_share": share(self.lit),
                "safe_path_share": share(self.safe_path),
                "main_road_share": share(self.main_road),
                "safe_houses_open": int(open_now[along["safe_house"]].sum()),
                "recent_reports": len(along["report"]),
            },
            "along": along,
        }
