"""Importing the street graph from OSM, and safe-return paths from GeoJSON.

``import_streets`` reads the walkable ways (``osm``), keeps those reaching
into the district when one is given (its 구 polygon with a margin, so that
streets along the border stay whole), builds the graph and stores it as
``instance/streets/graph-<version>.npz`` with the ``streets`` data version
bumped: every worker loads the new graph on its next check.

``import_safe_paths`` takes GeoJSON LineStrings (or MultiLineStrings) as a
snapshot of their source, like the facility importers: new paths are added,
changed ones updated, and those of the source missing from the file deleted.
The paths are matched to the edges they follow each time evidence is
computed, so a new street graph follows the same paths.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from shapely.geometry import shape

from server import geo
from server.database import utcnow
from server.extensions import db
from server.facilities import versions
from server.facilities.importing.readers import decode_text, features_of, parse_json, problem
from server.facilities.models import AdminArea
from server.routing import osm
from server.routing.graph import HIGHWAY_CODE, STEPS, StreetGraph, build
from server.routing.models import SafePath
from server.routing.safety import match_safe_paths
from server.routing.service import graph_file, holder, streets_dir
from server.routing.sources import safe_path_lines

#: Streets this far outside the district polygon are kept (metres).
DISTRICT_MARGIN_M = 500
#: Graph files of older versions kept beside the current one.
KEEP_OLD = 1
NAME_KEYS = ("name", "이름", "명칭", "귀갓길명", "노선명", "구간명", "NAME")
KEY_KEYS = ("id", "관리번호", "ID", "fid")
SOURCE_MAX_LENGTH = 80


@dataclass
class StreetImportResult:
    path: Path
    district: str | None
    dry_run: bool
    ways_read: int = 0
    ways_walkable: int = 0
    nodes: int = 0
    edges: int = 0
    length_km: float = 0.0
    footway_km: float = 0.0
    steps: int = 0
    components: int = 0
    largest_share: float = 0.0
    version: int | None = None
    file: Path | None = None
    seconds: float = 0.0

    def describe(self) -> str:
        place = f" within {self.district} (+{DISTRICT_MARGIN_M} m)" if self.district else ""
        lines = [
            f"Streets from {self.path.name}{place}: {self.ways_read:,} highway ways read, {self.ways_walkable:,} walkable",
            (
                f"graph: {self.nodes:,} nodes, {self.edges:,} edges, {self.length_km:,.1f} km ({self.footway_km:,.1f} km footways, {self.steps} flights of steps); "
                f"{self.components} connected parts, the largest holding {self.largest_share:.0%} of the length"
            ),
            f"built in {self.seconds:.1f} s",
        ]
        if self.dry_run:
            lines.append("dry run: nothing was changed")
        else:
            lines.append(f"stored as street graph version {self.version} ({self.file.name if self.file else ''}); every app process loads it on its next check")
        return "\n".join(lines)


def import_streets(path: Path, *, district: str | None = None, dry_run: bool = False, progress: osm.Progress | None = None) -> StreetImportResult:
    """Build and (unless a dry run) store the street graph of an OSM file."""
    started = time.perf_counter()
    polygon, district_name = _district(district) if district else (None, None)
    try:
        ways = osm.read_ways(path, progress)
    except RuntimeError as error:  # libosmium: unreadable, damaged or not an OSM format
        raise problem(path, f"not a readable OSM file ({error})", "OSM 파일을 읽을 수 없습니다") from None
    walkable = len(ways)
    if polygon is not None:
        ways = ways.clip(polygon)
    if not len(ways):
        where = f" in {district_name}" if district_name else ""
        raise problem(path, f"there are no walkable ways{where}", "보행 가능한 길이 없습니다")
    graph = build(ways, version=0, source=path.name)
    result = _describe(graph, StreetImportResult(path, district_name, dry_run, ways_read=ways.read, ways_walkable=walkable))
    if not dry_run:
        result.file = store_graph(graph)
        result.version = graph.version
    result.seconds = time.perf_counter() - started
    return result


def _district(name_or_code: str) -> tuple[Any, str]:
    from server.facilities.areas import AreaLocator
    from server.facilities.importing.service import find_district

    area = find_district(AreaLocator.from_database(), name_or_code)
    outline = shape(db.session.scalar(sa.select(AdminArea.geometry).where(AdminArea.code == area.code)))
    lat = outline.centroid.y
    # A buffer in degrees of longitude: at least the margin in every direction.
    return outline.buffer(DISTRICT_MARGIN_M / (111_320 * math.cos(math.radians(lat)))), area.describe()


def _describe(graph: StreetGraph, result: StreetImportResult) -> StreetImportResult:
    footway = np.isin(graph.edge_highway, [HIGHWAY_CODE[h] for h in ("footway", "path", "pedestrian", "steps", "corridor")])
    result.nodes, result.edges = graph.node_count, graph.edge_count
    result.length_km = float(graph.edge_length.sum()) / 1000
    result.footway_km = float(graph.edge_length[footway].sum()) / 1000
    result.steps = len(np.unique(graph.edge_way[graph.edge_highway == STEPS]))
    labels = graph.components[graph.edge_u]
    per_part = np.bincount(labels, weights=graph.edge_length)
    result.components = int((per_part > 0).sum())
    result.largest_share = float(per_part.max() / per_part.sum()) if per_part.sum() else 0.0
    return result


def store_graph(graph: StreetGraph) -> Path:
    """Save the graph under the next ``streets`` version and make it current.

    The version is counted first: the database then holds its lock until the
    commit, so two imports at once take two versions, one after the other.
    """
    directory = streets_dir()
    try:
        versions.bump(versions.STREETS)
        graph.version = versions.current(versions.STREETS)
        path = graph_file(directory, graph.version)
        graph.save(path)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for old in directory.glob("graph-*.npz"):
        number = old.stem.removeprefix("graph-")
        if number.isdigit() and int(number) < graph.version - KEEP_OLD:
            old.unlink(missing_ok=True)
    holder().invalidate()
    return path


# -- safe-return paths ------------------------------------------------------


@dataclass
class SafePathImportResult:
    path: Path
    source: str
    dry_run: bool
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[str] = field(default_factory=list)
    matched_edges: int | None = None
    matched_km: float = 0.0
    unmatched: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [
            f"Safe-return paths from {self.path.name} (source {self.source}): read {self.read}, new {self.new}, updated {self.updated}, unchanged {self.unchanged}, removed {self.removed}, rejected {len(self.rejected)}"
        ]
        lines += [f"  rejected: {reason}" for reason in self.rejected[:20]]
        if self.matched_edges is None:
            lines.append("no street graph yet: the paths are matched to streets once `ansim import streets` has run")
        else:
            lines.append(f"they follow {self.matched_edges:,} edges ({self.matched_km:,.1f} km) of the street graph")
            if self.unmatched:
                lines.append(f"  following no street of the graph: {', '.join(self.unmatched[:20])}")
        if self.dry_run:
            lines.append("dry run: nothing was changed")
        return "\n".join(lines)


def import_safe_paths(path: Path, *, source: str | None = None, dry_run: bool = False) -> SafePathImportResult:
    """Import a GeoJSON file of safe-return paths as a snapshot of its source."""
    source = (source or path.name)[:SOURCE_MAX_LENGTH]
    text, _encoding = decode_text(path, path.read_bytes())
    if not text.strip():
        raise problem(path, "the file is empty", "파일이 비어 있습니다")
    features = features_of(path, parse_json(path, text))
    result = SafePathImportResult(path, source, dry_run, read=len(features))
    incoming = _read_paths(features, result)
    if not incoming:
        raise problem(path, "no LineString features with valid coordinates", "유효한 LineString 피처가 없습니다")
    try:
        known = {p.source_key: p for p in db.session.scalars(sa.select(SafePath).where(SafePath.source == source))}
        now = utcnow()
        for key, values in incoming.items():
            row = known.get(key)
            if row is None:
                result.new += 1
                db.session.add(SafePath(source=source, source_key=key, created_at=now, updated_at=now, **values))
            elif row.name != values["name"] or row.geometry != values["geometry"]:
                result.updated += 1
                row.name, row.geometry, row.length_m, row.updated_at = values["name"], values["geometry"], values["length_m"], now
            else:
                result.unchanged += 1
        for key, row in known.items():
            if key not in incoming:
                result.removed += 1
                db.session.delete(row)
        _match(incoming, result)
        if dry_run:
            db.session.rollback()
        else:
            if result.new or result.updated or result.removed:
                versions.bump(versions.SAFE_PATHS)
            db.session.commit()
            holder().invalidate()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _read_paths(features: list[dict[str, Any]], result: SafePathImportResult) -> dict[str, dict[str, Any]]:
    incoming: dict[str, dict[str, Any]] = {}
    for n, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        name = next((str(properties[k]).strip() for k in NAME_KEYS if properties.get(k) not in (None, "")), None)
        label = name or f"feature {n}"
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in ("LineString", "MultiLineString"):
            result.rejected.append(f"{label}: a {geometry.get('type') or 'missing'} geometry, not a LineString")
            continue
        try:
            lines = [line for line in safe_path_lines(geometry) if len(line) >= 2]
        except (TypeError, ValueError, IndexError, KeyError):
            result.rejected.append(f"{label}: coordinates are not [lon, lat] numbers")
            continue
        if not lines or not all(geo.in_korea(lat, lon) for line in lines for lon, lat in line):
            result.rejected.append(f"{label}: needs two or more [lon, lat] points in Korea")
            continue
        key = next((str(feature[k]) for k in ("id",) if feature.get(k) not in (None, "")), None)
        key = key or next((str(properties[k]) for k in KEY_KEYS if properties.get(k) not in (None, "")), None) or name or f"#{n}"
        if key in incoming:
            key = f"{key}#{n}"
        length = sum(geo.haversine_m(a[1], a[0], b[1], b[0]) for line in lines for a, b in itertools.pairwise(line))
        clean = {"type": "MultiLineString", "coordinates": [[[round(lon, 7), round(lat, 7)] for lon, lat in line] for line in lines]}
        incoming[key[:255]] = {"name": name[:200] if name else None, "geometry": clean, "length_m": round(length, 1)}
    return incoming


def _match(incoming: dict[str, dict[str, Any]], result: SafePathImportResult) -> None:
    """How much of the current street graph the paths follow (none without a graph)."""
    version = versions.current(versions.STREETS)
    path = graph_file(streets_dir(), version)
    if not version or not path.exists():
        return
    graph = StreetGraph.load(path)
    radius = holder().safety.radii["safe_path"]
    everything = np.zeros(graph.edge_count, dtype=bool)
    for key, values in incoming.items():
        matched = match_safe_paths(graph, safe_path_lines(values["geometry"]), radius)
        if not matched.any():
            result.unmatched.append(values["name"] or key)
        everything |= matched
    result.matched_edges = int(everything.sum())
    result.matched_km = float(graph.edge_length[everything].sum()) / 1000
