"""Hand-built street graphs for routing tests, drawn in metres east and north of a point."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from server import geo
from server.config import defaults
from server.routing.graph import StreetGraph, Ways, build
from server.routing.safety import Evidence, Points, SafetySettings

__all__ = ["BASE", "DAY", "NIGHT", "Points", "at", "evidence", "graph", "points", "router", "ways"]
from server.routing.search import Router, SearchSettings

BASE = (37.59, 127.02)
NIGHT = dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC) - dt.timedelta(hours=9)  # 23:30 in Korea
DAY = dt.datetime(2026, 11, 26, 14, 0, tzinfo=dt.UTC) - dt.timedelta(hours=9)


def at(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of the point ``x`` metres east and ``y`` metres north of BASE."""
    lat, _ = geo.destination(*BASE, 0 if y >= 0 else 180, abs(y))
    return geo.destination(lat, BASE[1], 90 if x >= 0 else 270, abs(x))


def ways(*lines: tuple[list[tuple[float, float]], dict[str, Any]]) -> Ways:
    """Ways through points in metres; points at the same place are the same node."""
    made = Ways()
    ids: dict[tuple[float, float], int] = {}
    for n, (points, tags) in enumerate(lines, start=1):
        refs = [ids.setdefault((round(x, 3), round(y, 3)), len(ids) + 1) for x, y in points]
        coords = [at(x, y) for x, y in points]
        made.add(n, refs, [c[0] for c in coords], [c[1] for c in coords], **{"highway": "residential", **tags})
    return made


def graph(*lines: tuple[list[tuple[float, float]], dict[str, Any]]) -> StreetGraph:
    return build(ways(*lines), version=1).prepare()


def points(*where: tuple[float, float], hours: list[Any] | None = None, weight: list[float] | None = None) -> Points:
    coords = [at(x, y) for x, y in where]
    return Points(
        ids=np.arange(1, len(where) + 1),
        lat=np.array([c[0] for c in coords]),
        lon=np.array([c[1] for c in coords]),
        labels=[f"#{n}" for n in range(1, len(where) + 1)],
        weight=np.array(weight if weight is not None else [1.0] * len(where)),
        hours=hours if hours is not None else [() for _ in where],
    )


def evidence(
    street_graph: StreetGraph, facilities: dict[str, Points] | None = None, safe_paths: list[list[tuple[float, float]]] | None = None, reports: Points | None = None, **config: Any
) -> Evidence:
    settings = SafetySettings.from_config({**defaults(), **config})
    lines = [[at(x, y)[::-1] for x, y in line] for line in (safe_paths or [])]
    return Evidence.compute(street_graph, settings, facilities or {}, lines, reports or Points.empty())


def router(street_graph: StreetGraph, **kwargs: Any) -> Router:
    config = {k: v for k, v in kwargs.items() if k.startswith("ROUTE_")}
    rest = {k: v for k, v in kwargs.items() if not k.startswith("ROUTE_")}
    return Router(street_graph, evidence(street_graph, **rest, **config), SearchSettings.from_config({**defaults(), **config}))
