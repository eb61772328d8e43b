"""``ansim import bells|cctv|lights|safe-houses``: the real public files, the
snapshot rules, and the files that must be refused without changing anything."""

import csv
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.database import utcnow
from server.extensions import db
from server.facilities import versions
from server.facilities.areas import import_areas
from server.facilities.importing.datasets import BELLS, CCTV, SAFE_HOUSES, SECURITY_LIGHTS
from server.facilities.importing.service import import_facilities
from server.facilities.importing.values import agency_key
from server.facilities.models import Facility, FacilityKind, FacilityStatus
from tests.conftest import SHARED_DATA
from tests.facilities.test_areas import DONG_FILE, GU_FILE, write_areas

BELLS_FILE = SHARED_DATA / "bells" / "seoul_safety_bells_snapshot2025-06.xlsx"
GANGNAM_CP949 = SHARED_DATA / "cctv" / "seoul_gangnam_cctv_20190312.cp949.csv"
GANGNAM_UTF8 = SHARED_DATA / "cctv" / "seoul_gangnam_cctv_20190312.utf8-copy.csv"
GYEONGSAN = SHARED_DATA / "cctv" / "gyeongsan_cctv_20241128.cp949.csv"
LIGHTS_FILE = SHARED_DATA / "security_lights" / "seoul_seongbuk_security_lights_20220601.cp949.csv"
SAFE_HOUSES_FILE = SHARED_DATA / "safe_houses" / "seoul_eunpyeong_women_safe_houses_20250318.utf8bom.csv"
needs_shared_data = pytest.mark.skipif(not BELLS_FILE.exists(), reason="../shared/data is not here")

BELL_HEADER = (
    "번호,안전비상벨관리번호,설치목적,설치장소유형,설치위치,소재지도로명주소,소재지지번주소,WGS84위도,WGS84경도,연계방식,"
    "경찰연계유무,경비업체연계유무,관리사무소연계유무,부가기능,안전비상벨설치연도,최종점검일자,최종점검결과구분,관리기관명,관리기관전화번호,데이터기준일자"
).split(",")


def bell(number: str, lat: str, lon: str, **changes: str) -> dict[str, str]:
    """A bell row of the standard schema; ``changes`` are by Korean header."""
    row = dict.fromkeys(BELL_HEADER, "")
    row.update({"번호": number, "안전비상벨관리번호": f"가로-{number}", "설치목적": "방범용", "설치장소유형": "가로변", "설치위치": f"보문로 {number}"})
    row.update({"WGS84위도": lat, "WGS84경도": lon, "연계방식": "양방향", "경찰연계유무": "Y", "경비업체연계유무": "N", "관리사무소연계유무": "N"})
    row.update({"안전비상벨설치연도": "2020", "최종점검일자": "2024-05-01", "최종점검결과구분": "Y", "관리기관명": "서울특별시 성북구청 도시안전과"})
    row.update({"관리기관전화번호": "02-2241-3000", "데이터기준일자": "2025-06-01", **changes})
    return row


#: Three bells in the made-up 성북구 (see test_areas.write_areas) and one in 종로구.
SNAPSHOT = [bell("1", "37.60", "127.01"), bell("2", "37.61", "127.02"), bell("3", "37.59", "127.04"), bell("4", "37.60", "126.97")]


def write_rows(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", line_end: str = "\n") -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]) if rows else BELL_HEADER, lineterminator=line_end)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(runner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["import", *[str(a) for a in args]])


def state(app) -> tuple[list[tuple], int]:  # type: ignore[no-untyped-def]
    """Everything an import could change: every facility row and the data version."""
    with app.app_context():
        rows = db.session.execute(sa.select(Facility.__table__).order_by(Facility.id)).all()
        return [tuple(r) for r in rows], versions.current(versions.FACILITIES)


def by_number(app) -> dict[str, Facility]:  # type: ignore[no-untyped-def]
    with app.app_context():
        facilities = db.session.scalars(sa.select(Facility)).all()
        db.session.expunge_all()
        return {f.attributes["bell_number"].removeprefix("가로-"): f for f in facilities}


@pytest.fixture
def areas(app, tmp_path):  # type: ignore[no-untyped-def]
    """The made-up 성북구 and 종로구, and 돈암1동."""
    with app.app_context():
        for path in write_areas(tmp_path):
            import_areas(path)


@pytest.fixture
def seoul(app):  # type: ignore[no-untyped-def]
    """The real 25 구 and 425 행정동 of Seoul."""
    if not DONG_FILE.exists():
        pytest.skip("../shared/data is not here")
    with app.app_context():
        import_areas(GU_FILE)
        import_areas(DONG_FILE)


# --- The real files ----------------------------------------------------------


@needs_shared_data
def test_seoul_bells_xlsx(app, seoul):
    with app.app_context():
        result = import_facilities(BELLS, BELLS_FILE)
        assert (result.read, result.new, dict(result.rejected)) == (22_502, 22_440, {"duplicate": 62})
        bells = db.session.scalars(sa.select(Facility).where(Facility.kind == FacilityKind.BELL)).all()
    assert len(bells) == 22_440 and {b.source for b in bells} == {"전국안전비상벨위치표준데이터"}
    assert len({b.attributes["bell_number"] for b in bells}) < 22_440  # ids repeat; the key copes
    first = next(b for b in bells if b.source_key == "서초구|건물-6호|37.489900,127.010670")
    assert (first.location, first.agency_name, first.gu_code, first.source_date) == ("서초동 1549-4", "서초구청", "11650", dt.date(2020, 10, 30))
    assert first.dong_code.startswith("11650") and first.status is FacilityStatus.ACTIVE
    assert first.attributes == {
        "bell_number": "건물-6호", "management_number": None, "purpose": "방범용", "place_type": "건물", "link_method": "미연계",
        "police_link": False, "security_company_link": False, "management_office_link": False, "extra_functions": None,
        "install_year": 2019, "last_inspection_date": "2019-07-02", "last_inspection_result": "Y",
    }  # fmt: skip
    assert sum(b.gu_code is None for b in bells) == 15  # in no 2015 구 polygon: 10 far outside Seoul, 5 just past its edge


@needs_shared_data
def test_seoul_bells_filtered_to_seongbuk(app, runner, seoul, tmp_path):
    report = tmp_path / "rejected.csv"
    result = run(runner, "bells", BELLS_FILE, "--district", "성북구", "--report", report)
    assert result.exit_code == 0, result.output
    assert "accepted 1,497 (new 1,497, updated 0, unchanged 0)" in result.output
    assert "rejected 21,005, outside_district 21,005" in result.output
    with app.app_context():
        codes = db.session.execute(sa.select(Facility.gu_code, Facility.dong_code)).all()
    assert len(codes) == 1_497 and {gu for gu, _ in codes} == {"11290"}
    # The 구 file (2015) and the 행정동 file (2021) disagree a little along the borders.
    assert sum(dong.startswith("11290") for _, dong in codes) == 1_488
    with report.open(encoding="utf-8-sig", newline="") as file:
        rejected = list(csv.DictReader(file))
    assert len(rejected) == 21_005 and {r["reason"] for r in rejected} == {"outside_district"}
    # The agency's spelling does not decide the 구: 14 rows labelled 성북구 lie outside it.
    assert sum(agency_key(r["관리기관명"]) == "성북구" for r in rejected) == 14


@needs_shared_data
def test_gangnam_cctv_in_cp949_and_utf8_import_identically(app):
    with app.app_context():
        for path in (GANGNAM_CP949, GANGNAM_UTF8):
            result = import_facilities(CCTV, path, source=path.name)
            assert (result.read, result.accepted, dict(result.rejected)) == (1_880, 1_879, {"duplicate": 1})
        rows = {}
        for path in (GANGNAM_CP949, GANGNAM_UTF8):
            facilities = db.session.scalars(sa.select(Facility).where(Facility.source == path.name).order_by(Facility.id)).all()
            rows[path] = [(f.source_key, f.lat, f.lon, f.road_address, f.lot_address, f.agency_name, f.attributes, f.content_hash) for f in facilities]
    assert rows[GANGNAM_CP949] == rows[GANGNAM_UTF8]
    first = rows[GANGNAM_CP949][0]
    assert first[3] == "서울특별시 강남구 학동로 156(논현동)" and first[5] == "서울특별시 강남구청"
    assert first[6] == {
        "management_number": None, "purpose": "교통단속", "camera_count": 1, "pixels": 400,
        "direction": "360도전방면", "retention_days": 30, "installed": None,  # Excel's 1905-07, dropped
    }  # fmt: skip
    assert sum(r[6]["installed"] is None for r in rows[GANGNAM_CP949]) == 12
    assert sum(r[6]["purpose"] == "생활방범" for r in rows[GANGNAM_CP949]) == 1_517  # 1,518 less the duplicate


@needs_shared_data
def test_gyeongsan_cctv_current_schema(app):
    with app.app_context():
        result = import_facilities(CCTV, GYEONGSAN)
        assert (result.read, result.new, result.rejections) == (3_538, 3_538, [])
        camera = db.session.scalar(sa.select(Facility).where(Facility.source_key.contains("202451300000803452")))
    assert camera.attributes["installed"] == "2009-10" and camera.attributes["management_number"] == "202451300000803452"
    assert camera.source_key == "경산시|202451300000803452|35.902382,128.828727"
    assert (camera.gu_code, camera.source_date, camera.road_address) == (None, dt.date(2024, 11, 28), "경상북도 경산시 진량읍 상림리 333-1")


@needs_shared_data
def test_seongbuk_security_lights(app, seoul):
    with app.app_context():
        result = import_facilities(SECURITY_LIGHTS, LIGHTS_FILE, district="11290")
        assert (result.read, result.new) == (10_000, 9_983)
        assert dict(result.rejected) == {"missing_coordinates": 14, "outside_district": 2, "duplicate": 1}
        light = db.session.scalar(sa.select(Facility).where(Facility.location == "장위1동-1"))
    assert light.attributes == {"count": 1, "install_year": 2000, "mount": "한전주"}
    assert (light.lat, light.lon, light.gu_code, light.agency_phone) == (37.6127039, 127.0398844, "11290", "02-2241-3593")


@needs_shared_data
def test_eunpyeong_safe_houses(app, seoul):
    with app.app_context():
        result = import_facilities(SAFE_HOUSES, SAFE_HOUSES_FILE)
        assert (result.read, result.new, result.rejections) == (38, 38, [])
        houses = db.session.scalars(sa.select(Facility).order_by(Facility.id)).all()
    assert {h.gu_code for h in houses} == {"11380"} and {h.status for h in houses} == {FacilityStatus.ACTIVE}
    first = houses[0]
    assert (first.location, first.road_address) == ("CU 선정송이점", "서울특별시 은평구 서오릉로20길 20-1, 선정쉐르빌")
    assert first.attributes == {"name": "CU 선정송이점", "phone": "02-351-6235", "police_station": "은평경찰서", "designated_year": 2014, "operating": True}


# --- Snapshots ---------------------------------------------------------------


def test_reimporting_a_file_changes_nothing(app, areas, tmp_path):
    path = write_rows(tmp_path / "bells.csv", SNAPSHOT)
    with app.app_context():
        first = import_facilities(BELLS, path)
    assert (first.new, first.updated, first.unchanged) == (4, 0, 0)
    before = state(app)
    with app.app_context():
        again = import_facilities(BELLS, path)
    assert (again.new, again.updated, again.unchanged, again.removed) == (0, 0, 4, 0)
    assert state(app) == before  # not one updated_at moved, and no version bump
    facilities = by_number(app)
    assert (facilities["1"].gu_code, facilities["1"].dong_code) == ("11290", "1129061000")
    assert (facilities["3"].gu_code, facilities["3"].dong_code, facilities["4"].gu_code) == ("11290", None, "11110")


def test_a_newer_snapshot_updates_removes_adds_and_revives(app, areas, tmp_path):
    with app.app_context():
        import_facilities(BELLS, write_rows(tmp_path / "v1.csv", SNAPSHOT))
        version = versions.current(versions.FACILITIES)
    v1 = by_number(app)
    changed = {**SNAPSHOT[0], "설치목적": "약자보호", "데이터기준일자": "2025-07-01"}
    newer = [changed, SNAPSHOT[2], SNAPSHOT[3], bell("5", "37.62", "127.05")]  # 2 is gone, 5 is new
    with app.app_context():
        result = import_facilities(BELLS, write_rows(tmp_path / "v2.csv", newer))
        assert versions.current(versions.FACILITIES) == version + 1
    assert (result.new, result.updated, result.unchanged, result.removed) == (1, 1, 2, 1)
    v2 = by_number(app)
    assert v2["1"].attributes["purpose"] == "약자보호" and v2["1"].source_date == dt.date(2025, 7, 1)
    assert v2["1"].id == v1["1"].id and v2["1"].updated_at > v1["1"].updated_at
    assert v2["2"].status is FacilityStatus.REMOVED and v2["5"].status is FacilityStatus.ACTIVE
    assert v2["3"].updated_at == v1["3"].updated_at
    with app.app_context():
        revived = import_facilities(BELLS, write_rows(tmp_path / "v3.csv", [*newer, SNAPSHOT[1]]))
    assert (revived.new, revived.updated, revived.reactivated, revived.removed) == (0, 1, 1, 0)
    assert by_number(app)["2"].status is FacilityStatus.ACTIVE and by_number(app)["2"].id == v1["2"].id


def test_a_district_import_removes_only_within_its_district(app, runner, areas, tmp_path):
    with app.app_context():
        import_facilities(BELLS, write_rows(tmp_path / "all.csv", SNAPSHOT))
    only_one = write_rows(tmp_path / "seongbuk.csv", [SNAPSHOT[0]])
    result = run(runner, "bells", only_one, "--district", "11290")
    assert result.exit_code == 0, result.output
    assert "removed 2" in result.output and "in 성북구 (11290)" in result.output
    facilities = by_number(app)
    assert [n for n, f in sorted(facilities.items()) if f.status is FacilityStatus.REMOVED] == ["2", "3"]
    assert facilities["4"].status is FacilityStatus.ACTIVE  # 종로구 is untouched


def test_out_of_order_stays_until_a_newer_passing_inspection(app, areas, tmp_path):
    with app.app_context():
        import_facilities(BELLS, write_rows(tmp_path / "v1.csv", SNAPSHOT))
        marked = dt.datetime(2025, 6, 10, tzinfo=dt.UTC)  # an operator marks bell 1 out of order
        db.session.execute(sa.update(Facility).where(Facility.source_key.contains("가로-1|")).values(status=FacilityStatus.OUT_OF_ORDER, updated_at=marked))
        db.session.commit()
        older = {**SNAPSHOT[0], "설치위치": "보문로 1 앞", "최종점검일자": "2025-06-01"}
        assert import_facilities(BELLS, write_rows(tmp_path / "v2.csv", [older, *SNAPSHOT[1:]])).updated == 1
    assert by_number(app)["1"].status is FacilityStatus.OUT_OF_ORDER and by_number(app)["1"].location == "보문로 1 앞"
    with app.app_context():
        failed = {**older, "최종점검일자": utcnow().date().isoformat(), "최종점검결과구분": "N"}
        import_facilities(BELLS, write_rows(tmp_path / "v3.csv", [failed, *SNAPSHOT[1:]]))
    assert by_number(app)["1"].status is FacilityStatus.OUT_OF_ORDER
    with app.app_context():
        repaired = {**failed, "최종점검일자": (utcnow().date() + dt.timedelta(days=1)).isoformat(), "최종점검결과구분": "Y"}
        import_facilities(BELLS, write_rows(tmp_path / "v4.csv", [repaired, *SNAPSHOT[1:]]))
    assert by_number(app)["1"].status is FacilityStatus.ACTIVE


def test_a_safe_house_that_stops_operating_is_removed_and_can_return(app, tmp_path):
    header = "점포명,시도명,시군구명,시군구코드,소재지도로명주소,소재지지번주소,위도,경도,여성안심지킴이집전화번호,관할경찰서명,지정연도,운영여부,데이터기준일자"
    house = dict(zip(header.split(","), "GS25 보문점,서울특별시,성북구,11290,서울특별시 성북구 보문로 1,,37.59,127.02,02-0000-0000,성북경찰서,2019,Y,2025-03-18".split(","), strict=True))
    with app.app_context():
        import_facilities(SAFE_HOUSES, write_rows(tmp_path / "v1.csv", [house]))
        closed = import_facilities(SAFE_HOUSES, write_rows(tmp_path / "v2.csv", [{**house, "운영여부": "N"}]))
        facility = db.session.scalar(sa.select(Facility))
        assert (closed.updated, facility.status, facility.attributes["operating"]) == (1, FacilityStatus.REMOVED, False)
        reopened = import_facilities(SAFE_HOUSES, write_rows(tmp_path / "v3.csv", [house]))
        assert reopened.reactivated == 1 and db.session.scalar(sa.select(Facility.status)) is FacilityStatus.ACTIVE


def test_dry_run_counts_and_changes_nothing(app, runner, areas, tmp_path):
    with app.app_context():
        import_facilities(BELLS, write_rows(tmp_path / "v1.csv", SNAPSHOT))
    before = state(app)
    newer = write_rows(tmp_path / "v2.csv", [{**SNAPSHOT[0], "설치목적": "기타"}, *SNAPSHOT[2:], bell("5", "37.62", "127.05")])
    result = run(runner, "bells", newer, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "accepted 4 (new 1, updated 1, unchanged 2)" in result.output and "removed 1" in result.output
    assert "dry run: nothing was changed" in result.output
    assert state(app) == before


def test_rejected_rows_are_counted_by_reason_and_reported(app, runner, areas, tmp_path):
    rows = [
        bell("1", "37.60", "127.01"),
        bell("2", "", "127.02"),  # missing_coordinates
        bell("3", "0", "0"),  # missing_coordinates
        bell("4", "3.60", "127.01"),  # outside_korea
        bell("5", "37.6O", "127.01"),  # unparseable: a letter O
        bell("6", "37.61", "127.02", 최종점검일자="2024-13-45"),  # unparseable date
        bell("7", "37.61", "127.03", 경찰연계유무="모름"),  # unparseable flag
        bell("8", "37.60", "126.97"),  # outside_district (종로구)
        {**bell("1", "37.60", "127.01"), "번호": "9"},  # duplicate of the first row's key
    ]
    report = tmp_path / "rejected.csv"
    result = run(runner, "bells", write_rows(tmp_path / "bells.csv", rows), "--district", "성북구", "--report", report)
    assert result.exit_code == 0, result.output
    assert "read 9 rows (csv, utf-8)" in result.output and "accepted 1 (new 1" in result.output
    assert "rejected 8, unparseable 3, missing_coordinates 2, outside_korea 1, outside_district 1, duplicate 1" in result.output
    with report.open(encoding="utf-8-sig", newline="") as file:
        reported = list(csv.DictReader(file))
    assert [(r["line"], r["reason"], r["번호"]) for r in reported] == [
        ("3", "missing_coordinates", "2"), ("4", "missing_coordinates", "3"), ("5", "outside_korea", "4"),
        ("6", "unparseable", "5"), ("7", "unparseable", "6"), ("8", "unparseable", "7"),
        ("9", "outside_district", "8"), ("10", "duplicate", "9"),
    ]  # fmt: skip
    assert reported[4]["detail"] == "최종점검일자: not a date: '2024-13-45'" and reported[4]["설치위치"] == "보문로 6"
    assert "same key as line 2" in reported[7]["detail"]


def test_district_needs_imported_areas(app, runner, tmp_path):
    path = write_rows(tmp_path / "bells.csv", SNAPSHOT)
    result = run(runner, "bells", path, "--district", "성북구")
    assert result.exit_code == 1 and "ansim import areas" in result.output
    with app.app_context():
        for area_file in write_areas(tmp_path):
            import_areas(area_file)
    unknown = run(runner, "bells", path, "--district", "강남구")
    assert unknown.exit_code == 1 and "강남구" in unknown.output and "성북구 (11290)" in unknown.output
    assert state(app)[0] == []
