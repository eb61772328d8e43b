"""Importing 구/행정동 boundaries, and locating points in them."""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.facilities import versions
from server.facilities.areas import AreaLocator, import_areas
from server.facilities.models import AdminArea, AreaLevel
from tests.conftest import SHARED_DATA

GU_FILE = SHARED_DATA / "admin_areas" / "seoul_gu_juso2015.geojson"
DONG_FILE = SHARED_DATA / "admin_areas" / "seoul_hangjeongdong_20210401.geojson"
SEONGBUK_DONGS = {
    "돈암1동", "돈암2동", "안암동", "보문동", "정릉1동", "정릉2동", "정릉3동", "정릉4동", "길음1동", "길음2동",
    "월곡1동", "월곡2동", "장위1동", "장위2동", "장위3동", "성북동", "삼선동", "동선동", "종암동", "석관동",
}  # fmt: skip
SEONGBUK_OFFICE = (127.0167, 37.5894)  # 성북구청, 보문로 168 (lon, lat)

needs_shared_data = pytest.mark.skipif(not DONG_FILE.exists(), reason="../shared/data is not here")


def _square(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> dict:
    ring = [[min_lon, min_lat], [max_lon, min_lat], [max_lon, max_lat], [min_lon, max_lat], [min_lon, min_lat]]
    return {"type": "Polygon", "coordinates": [ring]}


#: Made-up boundaries: two neighbouring 구 and one 동, so importer tests run without the real files.
SEONGBUK_BOX = (127.00, 37.57, 127.06, 37.63)
JONGNO_BOX = (126.94, 37.57, 127.00, 37.63)
DONAM_BOX = (127.00, 37.57, 127.03, 37.63)


def write_areas(folder: Path) -> tuple[Path, Path]:
    """A 구 file and a 행정동 file shaped like the real ones."""
    gu = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"SIG_CD": "11290", "SIG_KOR_NM": "성북구", "SIG_ENG_NM": "Seongbuk-gu"}, "geometry": _square(*SEONGBUK_BOX)},
            {"type": "Feature", "properties": {"SIG_CD": "11110", "SIG_KOR_NM": "종로구", "SIG_ENG_NM": "Jongno-gu"}, "geometry": _square(*JONGNO_BOX)},
        ],
    }
    donam = {"adm_nm": "서울특별시 성북구 돈암1동", "adm_cd": "1108061", "adm_cd2": "1129061000", "sgg": "11290", "sido": "11", "sidonm": "서울특별시", "sggnm": "성북구"}
    multi = {"type": "MultiPolygon", "coordinates": [_square(*DONAM_BOX)["coordinates"]]}
    dong = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": donam, "geometry": multi}]}
    gu_path, dong_path = folder / "gu.geojson", folder / "dong.geojson"
    gu_path.write_text(json.dumps(gu, ensure_ascii=False), encoding="utf-8")
    dong_path.write_text(json.dumps(dong, ensure_ascii=False), encoding="utf-8")
    return gu_path, dong_path


def test_gu_and_dong_files_are_told_apart_and_mapped(app, tmp_path):
    gu_path, dong_path = write_areas(tmp_path)
    with app.app_context():
        assert import_areas(gu_path).level is AreaLevel.GU
        assert import_areas(dong_path).level is AreaLevel.DONG
        seongbuk = db.session.scalar(sa.select(AdminArea).where(AdminArea.code == "11290"))
        assert (seongbuk.level, seongbuk.name, seongbuk.name_en, seongbuk.parent_code) == (AreaLevel.GU, "성북구", "Seongbuk-gu", None)
        assert (seongbuk.min_lon, seongbuk.min_lat, seongbuk.max_lon, seongbuk.max_lat) == SEONGBUK_BOX
        donam = db.session.scalar(sa.select(AdminArea).where(AdminArea.code == "1129061000"))
        assert (donam.level, donam.name, donam.alt_code, donam.parent_code) == (AreaLevel.DONG, "돈암1동", "1108061", "11290")
        assert donam.geometry["type"] == "MultiPolygon" and donam.source == "dong.geojson"


def test_reimport_changes_nothing_and_a_new_boundary_updates_by_code(app, tmp_path):
    gu_path, _ = write_areas(tmp_path)
    with app.app_context():
        import_areas(gu_path)
        before = db.session.execute(sa.select(AdminArea.code, AdminArea.updated_at).order_by(AdminArea.code)).all()
        version = versions.current(versions.AREAS)
        again = import_areas(gu_path)
        assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
        assert db.session.execute(sa.select(AdminArea.code, AdminArea.updated_at).order_by(AdminArea.code)).all() == before
        assert versions.current(versions.AREAS) == version

        document = json.loads(gu_path.read_text(encoding="utf-8"))
        document["features"][0]["geometry"] = _square(127.00, 37.57, 127.07, 37.64)
        gu_path.write_text(json.dumps(document), encoding="utf-8")
        assert import_areas(gu_path, dry_run=True).updated == 1
        assert versions.current(versions.AREAS) == version  # the dry run wrote nothing
        changed = import_areas(gu_path)
        assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 1)
        assert db.session.scalar(sa.select(AdminArea.max_lon).where(AdminArea.code == "11290")) == 127.07
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminArea)) == 2
        assert versions.current(versions.AREAS) == version + 1


def test_locator_answers_gu_and_dong(app, tmp_path):
    for path in write_areas(tmp_path):
        with app.app_context():
            import_areas(path)
    with app.app_context():
        locator = AreaLocator.from_database()
    assert locator.locate(127.01, 37.60) == ("11290", "1129061000")
    assert locator.locate(127.05, 37.60) == ("11290", None)
    assert locator.locate(126.97, 37.60) == ("11110", None)
    assert locator.locate(129.07, 35.18) == (None, None)  # 부산
    assert locator.locate(127.00, 37.60)[0] == "11110"  # on the shared border: the lowest code
    assert locator.locate_many([], []) == []
    assert locator.find_gu("성북구") == locator.find_gu("11290") and locator.find_gu("강남구") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"SIG_CD"', "truncated"),
        (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x"}, "geometry": null}]}', "not a 구"),
        (b'{"type": "FeatureCollection", "features": []}', "no features"),
        (bytes(range(256)) * 4, "binary"),
    ],
    ids=["empty", "truncated", "unknown-properties", "no-features", "binary"],
)
def test_unreadable_area_files_give_one_clear_error(app, runner, tmp_path, content, message):
    path = tmp_path / "areas.geojson"
    path.write_bytes(content)
    result = runner.invoke(args=["import", "areas", str(path)])
    assert result.exit_code == 1 and result.output.count("Error:") == 1, result.output
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminArea)) == 0


def test_projected_boundaries_are_refused(app, tmp_path):
    gu_path, _ = write_areas(tmp_path)
    document = json.loads(gu_path.read_text(encoding="utf-8"))
    document["features"][0]["geometry"] = _square(955000, 1950000, 960000, 1955000)  # EPSG:5179 metres
    gu_path.write_text(json.dumps(document), encoding="utf-8")
    with app.app_context(), pytest.raises(Exception, match="not WGS84"):
        import_areas(gu_path)


@needs_shared_data
def test_real_gu_and_dong_files(app, runner):
    for path in (GU_FILE, DONG_FILE):
        result = runner.invoke(args=["import", "areas", str(path)])
        assert result.exit_code == 0, result.output
    assert "read 425, new 425" in result.output
    with app.app_context():
        gus = dict(db.session.execute(sa.select(AdminArea.code, AdminArea.name).where(AdminArea.level == AreaLevel.GU)).all())
        assert len(gus) == 25 and gus["11290"] == "성북구"
        seongbuk = db.session.scalar(sa.select(AdminArea).where(AdminArea.code == "11290"))
        bbox = (seongbuk.min_lon, seongbuk.min_lat, seongbuk.max_lon, seongbuk.max_lat)
        assert bbox == pytest.approx((126.97469, 37.57752, 127.07175, 37.63646), abs=1e-5)
        dongs = db.session.scalars(sa.select(AdminArea).where(AdminArea.level == AreaLevel.DONG, AdminArea.parent_code == "11290")).all()
        assert {d.name for d in dongs} == SEONGBUK_DONGS
        assert all(len(d.code) == 10 and len(d.alt_code) == 7 and d.code.startswith("11290") for d in dongs)
        locator = AreaLocator.from_database()
        gu_code, dong_code = locator.locate(*SEONGBUK_OFFICE)
        assert gu_code == "11290" and dong_code in {d.code for d in dongs}
