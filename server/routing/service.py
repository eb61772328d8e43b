"""Routes as a service: the router each process keeps up to date, and the
answer the API serves.

Every worker holds one ``Router``: the street graph of the current
``streets`` data version, loaded from ``instance/streets/graph-<version>.npz``,
and evidence computed from the active facilities, the safe-return paths and
recent reports. It asks for the data versions at most every
``INDEX_CHECK_SECONDS``: a new street version loads the new graph; a change of
facilities (an import, a camera marked out of order) or of safe paths
recomputes the evidence; the reports part is refreshed every
``ROUTE_REPORTS_REFRESH_SECONDS``, as reports fade with time.

The holder is made on first use rather than in ``create_app``: most
processes (``ansim`` commands, push workers) never route.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server import geo
from server.errors import Invalid, ServiceError
from server.extensions import db
from server.facilities import versions
from server.facilities.models import DataVersion
from server.routing.graph import StreetGraph
from server.routing.safety import KST, Evidence, SafetySettings
from server.routing.search import Path as RoutePath
from server.routing.search import Router, SearchSettings
from server.routing.sources import load_facilities, load_reports, load_safe_paths

#: Facilities listed along a route, per kind, at most.
ALONG_MAX = 50
ALONG_KINDS = ("cctv", "bell", "safe_house", "police")


class NoStreetGraph(ServiceError):
    status = 503


def streets_dir() -> Path:
    return Path(current_app.instance_path) / "streets"


def graph_file(directory: Path, version: int) -> Path:
    return directory / f"graph-{version}.npz"


def compute_evidence(graph: StreetGraph, settings: SafetySettings, stamp: tuple[int, ...] = ()) -> Evidence:
    now = dt.datetime.now(dt.UTC)
    return Evidence.compute(graph, settings, load_facilities(), load_safe_paths(), load_reports(settings, now), stamp=stamp, now=now)


class RouterHolder:
    """The router of one app process, rebuilt when a data version moves."""

    def __init__(self, instance_path: str, config: Any):
        self.directory = Path(instance_path) / "streets"
        self.check_seconds = config["INDEX_CHECK_SECONDS"]
        self.refresh_seconds = config["ROUTE_REPORTS_REFRESH_SECONDS"]
        self.safety = SafetySettings.from_config(config)
        self.search = SearchSettings.from_config(config)
        self.router: Router | None = None
        self.graph: StreetGraph | None = None
        self.checked_at = 0.0
        self.reports_at = 0.0
        self.lock = threading.Lock()

    def get(self) -> Router:
        now = time.monotonic()
        if self.router is not None and now - self.checked_at < self.check_seconds and now - self.reports_at < self.refresh_seconds:
            return self.router
        with self.lock:
            names = (versions.STREETS, versions.FACILITIES, versions.SAFE_PATHS)
            found = dict(db.session.execute(sa.select(DataVersion.name, DataVersion.version).where(DataVersion.name.in_(names))).all())
            stamp = tuple(found.get(name, 0) for name in names)
            if not stamp[0]:
                self.router = None
                raise NoStreetGraph("No street graph is imported: run `ansim import streets FILE.osm.pbf`. / 도로망이 없습니다. `ansim import streets`로 가져오세요.")
            if self.graph is None or self.graph.version != stamp[0]:
                self.graph = self._load(stamp[0])
            router = self.router
            if router is None or router.evidence.stamp != stamp or router.graph is not self.graph:
                self.router = Router(self.graph, compute_evidence(self.graph, self.safety, stamp), self.search)
                self.reports_at = time.monotonic()
            elif time.monotonic() - self.reports_at >= self.refresh_seconds:
                moment = dt.datetime.now(dt.UTC)
                self.router = Router(self.graph, router.evidence.with_reports(load_reports(self.safety, moment), moment), self.search)
                self.reports_at = time.monotonic()
            self.checked_at = time.monotonic()
            return self.router

    def _load(self, version: int) -> StreetGraph:
        path = graph_file(self.directory, version)
        if not path.exists():
            raise NoStreetGraph(
                f"The street graph version {version} is not in this instance folder ({path.name}): run `ansim import streets` "
                "on this machine or share the instance folder. / 이 인스턴스 폴더에 도로망 파일이 없습니다."
            )
        return StreetGraph.load(path).prepare()

    def invalidate(self) -> None:
        self.checked_at = 0.0


def holder() -> RouterHolder:
    extensions = current_app.extensions
    if "ansim.router" not in extensions:
        extensions.setdefault("ansim.router", RouterHolder(current_app.instance_path, current_app.config))
    return extensions["ansim.router"]


def current_router() -> Router:
    return holder().get()


def routes(origin: tuple[float, float], destination: tuple[float, float], *, at: dt.datetime | None = None, max_detour: float | None = None) -> dict[str, Any]:
    """Up to three walking routes as a GeoJSON FeatureCollection (see the API)."""
    config = current_app.config
    at = at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=KST)  # a time without a zone is Korean time
    max_detour = config["ROUTE_DETOUR_DEFAULT"] if max_detour is None else max_detour
    straight = geo.haversine_m(*origin, *destination)
    limit = config["ROUTE_MAX_DISTANCE_M"]
    if straight > limit:
        message = f"The destination is {straight / 1000:,.1f} km away; walking routes go up to {limit / 1000:,.0f} km. / 도보 경로는 {limit / 1000:,.0f}km까지입니다."
        raise Invalid(message, {"query": {"to": [message]}})
    router = current_router()
    start, end, paths, risk = router.alternatives(origin, destination, at, max_detour)
    open_now = router.evidence.open_safe_houses(at)
    shortest = paths[0].length
    features = [_feature(router, path, risk, open_now, shortest) for path in paths]
    return {
        "type": "FeatureCollection",
        "features": features,
        "count": len(features),
        "from": _end(origin, start),
        "to": _end(destination, end),
        "at": at.isoformat(),
        "max_detour": max_detour,
        "note": _note(paths),
        "graph_version": router.graph.version,
    }


def _end(asked: tuple[float, float], snap: Any) -> dict[str, Any]:
    return {"lat": asked[0], "lon": asked[1], "snapped_lat": round(snap.lat, 7), "snapped_lon": round(snap.lon, 7), "snap_distance_m": round(snap.distance_m, 1)}


NAMES_KO = {"shortest": "최단", "balanced": "균형", "safest": "안전"}


def _note(paths: list[RoutePath]) -> dict[str, str] | None:
    """Say which alternatives coincide, when fewer than three are returned."""
    merged = [p.kinds for p in paths if len(p.kinds) > 1]
    if not merged:
        return None
    en = "; ".join(f"the {' and '.join(kinds[1:])} route{'s are' if len(kinds) > 2 else ' is'} the same as the {kinds[0]}" for kinds in merged)
    ko = "; ".join(f"{'·'.join(NAMES_KO[k] for k in kinds[1:])} 경로가 {NAMES_KO[kinds[0]]} 경로와 같습니다" for kinds in merged)
    return {"ko": ko + ".", "en": en[0].upper() + en[1:] + "."}


def _feature(router: Router, path: RoutePath, risk: Any, open_now: Any, shortest: float) -> dict[str, Any]:
    evidence = router.evidence
    described = evidence.explain(path.edges, path.lengths, risk, open_now)
    explanation = described["explanation"]
    length = path.length
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": path.coordinates(router.graph)},
        "properties": {
            "kind": path.kinds[0],
            "kinds": list(path.kinds),
            "length_m": round(length, 1),
            "walking_minutes": round(router.walking_minutes(path), 1),
            "detour": round(length / shortest, 3) if shortest > 0 else 1.0,
            "steps_m": round(float(path.lengths[router.graph.is_steps[path.edges]].sum()), 1),
            "safety_score": described["safety_score"],
            "explanation": explanation,
            "summary_ko": (
                f"CCTV 구간 {explanation['camera_share']:.0%} · 비상벨 {explanation['bells_passed']}개 · 밝은 길 {explanation['lit_share']:.0%} · "
                f"안심귀갓길 {explanation['safe_path_share']:.0%} · 큰길 {explanation['main_road_share']:.0%}"
            ),
            "summary_en": (
                f"{explanation['camera_share']:.0%} in camera view · {explanation['bells_passed']} bells · {explanation['lit_share']:.0%} lit · "
                f"{explanation['safe_path_share']:.0%} on safe-return paths · {explanation['main_road_share']:.0%} on main roads"
            ),
            "facilities": _along(evidence, described["along"], open_now),
        },
    }


def _along(evidence: Evidence, along: dict[str, list[int]], open_now: Any) -> list[dict[str, Any]]:
    """Cameras, bells, safe houses and police boxes near the route, in the order it meets them."""
    found = []
    for kind in ALONG_KINDS:
        points = evidence.facilities.get(kind)
        if points is None or not len(points):
            continue
        for row in along[kind][:ALONG_MAX]:
            item = {"id": int(points.ids[row]), "kind": kind, "lat": round(float(points.lat[row]), 7), "lon": round(float(points.lon[row]), 7), "label": points.labels[row] if points.labels else None}
            if kind == "safe_house":
                item["open"] = bool(open_now[row])
            found.append(item)
    return found
