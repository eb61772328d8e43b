"""``ansim import streets`` and ``ansim import safe-paths``, and the demo's street graph."""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from shapely.geometry import box, mapping

from server.extensions import db
from server.facilities import versions
from server.facilities.models import AdminArea, AreaLevel
from server.routing.graph import StreetGraph
from server.routing.models import SafePath
from server.routing.osm import read_ways
from tests.conftest import SHARED_DATA

OSM = SHARED_DATA / "osm" / "seoul_mapo_gongdeok.osm"
needs_osm = pytest.mark.skipif(not OSM.exists(), reason="the shared OSM extract (../shared/data/osm) is not here")


def graph_files(app):  # type: ignore[no-untyped-def]
    return sorted(p.name for p in Path(app.instance_path, "streets").glob("graph-*.npz"))


@needs_osm
def test_import_streets_stores_a_graph_every_worker_loads(app, runner):
    result = runner.invoke(args=["import", "streets", str(OSM)])
    assert result.exit_code == 0, result.output
    assert "601 highway ways read, 601 walkable" in result.output
    assert "stored as street graph version 1" in result.output and "flights of steps" in result.output
    with app.app_context():
        assert versions.current(versions.STREETS) == 1
    assert graph_files(app) == ["graph-1.npz"]
    response = app.test_client().get("/api/v1/routes?from=37.5442305,126.9513597&to=37.5440372,126.9621182")
    assert response.status_code == 200 and response.get_json()["graph_version"] == 1
    # Importing again makes a new version; the one before stays for a moment, older ones go.
    runner.invoke(args=["import", "streets", str(OSM)])
    runner.invoke(args=["import", "streets", str(OSM)])
    assert graph_files(app) == ["graph-2.npz", "graph-3.npz"]


@needs_osm
def test_a_dry_run_stores_nothing(app, runner):
    result = runner.invoke(args=["import", "streets", str(OSM), "--dry-run"])
    assert result.exit_code == 0 and "dry run: nothing was changed" in result.output
    with app.app_context():
        assert versions.current(versions.STREETS) == 0
    assert graph_files(app) == []


@needs_osm
def test_a_district_keeps_the_streets_reaching_into_it(app, runner):
    refused = runner.invoke(args=["import", "streets", str(OSM), "--district", "마포구"])
    assert refused.exit_code != 0 and "No 구 boundaries are imported" in refused.output
    west = box(126.9495, 37.5443, 126.9530, 37.5470)  # a corner of the extract standing in for a 구
    with app.app_context():
        db.session.add(
            AdminArea(level=AreaLevel.GU, code="11440", name="마포구", geometry=mapping(west), min_lon=west.bounds[0], min_lat=west.bounds[1], max_lon=west.bounds[2], max_lat=west.bounds[3])
        )
        db.session.commit()
    result = runner.invoke(args=["import", "streets", str(OSM), "--district", "11440"])
    assert result.exit_code == 0, result.output
    assert "within 마포구 (11440) (+500 m)" in result.output
    clipped = StreetGraph.load(Path(app.instance_path, "streets", "graph-1.npz"))
    assert 100 < clipped.edge_count < 1319


def test_a_file_that_is_not_osm_is_refused(app, runner, tmp_path):
    (tmp_path / "streets.osm").write_text("not xml at all", encoding="utf-8")
    result = runner.invoke(args=["import", "streets", str(tmp_path / "streets.osm")])
    assert result.exit_code != 0 and "not a readable OSM file" in result.output


def _paths_file(tmp_path, *features):  # type: ignore[no-untyped-def]
    path = tmp_path / "안심귀갓길.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False), encoding="utf-8")
    return path


def _road() -> dict:
    """The first way of 마포대로 in the extract as a safe-return path."""
    ways = read_ways(OSM)
    n = ways.names.index("마포대로")
    a, b = ways.starts[n], ways.starts[n + 1]
    line = [[lon, lat] for lat, lon in zip(ways.lats[a:b], ways.lons[a:b], strict=True)]
    return {"type": "Feature", "id": "P-1", "properties": {"귀갓길명": "마포대로 안심귀갓길"}, "geometry": {"type": "LineString", "coordinates": line}}


POINT = {"type": "Feature", "properties": {"name": "점"}, "geometry": {"type": "Point", "coordinates": [126.95, 37.55]}}
ABROAD = {"type": "Feature", "properties": {"name": "파리"}, "geometry": {"type": "LineString", "coordinates": [[2.35, 48.85], [2.36, 48.86]]}}


@needs_osm
def test_safe_paths_are_imported_as_a_snapshot_and_matched_to_streets(app, runner, tmp_path):
    road = _road()
    first = runner.invoke(args=["import", "safe-paths", str(_paths_file(tmp_path, road, POINT, ABROAD))])
    assert first.exit_code == 0, first.output
    assert "read 3, new 1, updated 0, unchanged 0, removed 0, rejected 2" in first.output
    assert "a Point geometry, not a LineString" in first.output and "in Korea" in first.output
    assert "no street graph yet" in first.output
    runner.invoke(args=["import", "streets", str(OSM)])
    again = runner.invoke(args=["import", "safe-paths", str(_paths_file(tmp_path, road))])
    assert "unchanged 1" in again.output
    followed = int(again.output.split("they follow ")[1].split(" edges")[0])
    assert followed >= 1
    with app.app_context():
        (path,) = db.session.scalars(sa.select(SafePath))
        assert (path.name, path.source_key, path.source) == ("마포대로 안심귀갓길", "P-1", "안심귀갓길.geojson")
        assert path.length_m > 100
        assert versions.current(versions.SAFE_PATHS) == 1
    (lon1, lat1), (lon2, lat2) = road["geometry"]["coordinates"][0], road["geometry"]["coordinates"][-1]
    body = app.test_client().get(f"/api/v1/routes?from={lat1},{lon1}&to={lat2},{lon2}").get_json()
    assert body["features"][0]["properties"]["explanation"]["safe_path_share"] > 0.5
    gone = runner.invoke(args=["import", "safe-paths", str(_paths_file(tmp_path, {**road, "id": "P-2"}))])
    assert "new 1, updated 0, unchanged 0, removed 1" in gone.output


def test_the_demo_district_has_streets_to_walk(app, runner):
    result = runner.invoke(args=["demo"])
    assert "demo street graph" in result.output
    lat, lon = app.config["MAP_CENTER"]
    body = app.test_client().get(f"/api/v1/routes?from={lat},{lon}&to={lat + 0.006},{lon + 0.008}&at=2026-11-26T23:00:00").get_json()
    assert 1 <= body["count"] <= 3
    safest = next(f["properties"] for f in body["features"] if "safest" in f["properties"]["kinds"])
    assert safest["explanation"]["camera_share"] > 0 and safest["explanation"]["lit_share"] > 0
    assert "demo street graph" not in runner.invoke(args=["demo"]).output  # made once
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SafePath)) == 1
