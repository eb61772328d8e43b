"""The file formats the importers read — CSV in every Korean encoding, XLSX,
GeoJSON — and the files they refuse, with one clear error, changing nothing."""

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.facilities.importing.datasets import BELLS, CCTV
from server.facilities.importing.service import import_facilities
from server.facilities.importing.xlsx import Workbook
from server.facilities.models import Facility
from tests.facilities.test_importers import BELL_HEADER, SNAPSHOT, bell, run, state, write_rows

CCTV_HEADER = "관리기관명,소재지도로명주소,소재지지번주소,설치목적구분,카메라대수,카메라화소수,촬영방면정보,보관일수,설치년월,관리기관전화번호,위도,경도,데이터기준일자"
CCTV_ROWS = [
    '"서울특별시 성북구청","서울특별시 성북구 보문로 168(삼선동, 성북구청)",서울특별시 성북구 삼선동5가 411,생활방범,4,200,360도전방면,30,2017-06,02-2241-3000,37.589400,127.016700,2025-01-31',
    '"서울특별시 성북구청",서울특별시 성북구 동소문로 1,,교통단속,1,"1,300",,30,201912,02-2241-3000,37.590100,127.017200,20250131',
]


def cctv_text() -> str:
    return "\n".join([f'"{CCTV_HEADER.split(",")[0]}",{CCTV_HEADER.split(",", 1)[1]}', *CCTV_ROWS]) + "\n"


def imported(app, source: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.scalars(sa.select(Facility).where(Facility.source == source).order_by(Facility.id)).all()
        return [(f.source_key, f.lat, f.lon, f.location, f.road_address, f.lot_address, f.agency_name, f.source_date, f.attributes) for f in rows]


@pytest.mark.parametrize(
    ("encoding", "line_end"),
    [("cp949", "\n"), ("euc-kr", "\r\n"), ("utf-8", "\n"), ("utf-8-sig", "\r\n")],
)
def test_csv_in_each_korean_encoding_reads_the_same(app, tmp_path, encoding, line_end):
    path = tmp_path / "cctv.csv"
    path.write_bytes(cctv_text().replace("\n", line_end).encode(encoding))
    with app.app_context():
        result = import_facilities(CCTV, path, source="test")
    assert (result.read, result.new, result.rejections) == (2, 2, [])
    (first, second) = imported(app, "test")
    assert first[4] == "서울특별시 성북구 보문로 168(삼선동, 성북구청)" and first[6] == "서울특별시 성북구청"
    assert first[8] == {
        "management_number": None, "purpose": "생활방범", "camera_count": 4, "pixels": 200,
        "direction": "360도전방면", "retention_days": 30, "installed": "2017-06",
    }  # fmt: skip
    assert (second[5], second[7], second[8]["pixels"], second[8]["installed"], second[8]["direction"]) == (None, dt.date(2025, 1, 31), 1300, "2019-12", None)


def test_xlsx_reads_like_the_csv_it_was_saved_from(app, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["전국안전비상벨위치표준데이터"])  # a title row above the header
    sheet.append(BELL_HEADER)
    for row in SNAPSHOT:
        cells: list = list(row.values())
        cells[7], cells[8] = float(cells[7]), float(cells[8])  # coordinates as numbers
        cells[14] = int(cells[14])
        cells[19] = dt.datetime(2025, 6, 1)  # a real date cell
        sheet.append(cells)
    workbook.save(tmp_path / "bells.xlsx")
    with app.app_context():
        import_facilities(BELLS, tmp_path / "bells.xlsx", source="xlsx")
        import_facilities(BELLS, write_rows(tmp_path / "bells.csv", SNAPSHOT), source="csv")
    assert imported(app, "xlsx") == imported(app, "csv") and len(imported(app, "csv")) == 4


def test_the_xlsx_reader_agrees_with_openpyxl(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["C1"], sheet["D1"] = "이름", 3.25, True
    sheet["B2"], sheet["E2"] = dt.datetime(2024, 11, 28, 17, 0, 12), "=1+1"
    sheet["A4"] = 2019
    workbook.save(tmp_path / "cells.xlsx")
    reference = openpyxl.load_workbook(tmp_path / "cells.xlsx", read_only=True, data_only=True)
    try:
        expected = [list(r) for r in reference.active.iter_rows(values_only=True)]
    finally:
        reference.close()
    with Workbook(tmp_path / "cells.xlsx") as book:
        rows = dict(book.rows())
    assert [rows.get(n, []) + [None] * (5 - len(rows.get(n, []))) for n in range(1, 5)] == expected


def test_geojson_points_with_korean_or_english_properties(app, tmp_path):
    korean = {k: v for k, v in SNAPSHOT[0].items() if k not in ("WGS84위도", "WGS84경도")}
    english = {"SFTY_EMRGNCBLL_MNG_NO": "가로-2", "INSTL_PSTN": "보문로 2", "LINK_MTH": "양방향", "POLC_LINK_EN": "Y"}
    english |= {"MNG_INST_NM": "성북구청", "DAT_CRTR_YMD": "2025-06-01"}
    features = [
        {"type": "Feature", "properties": korean, "geometry": {"type": "Point", "coordinates": [127.01, 37.60]}},
        {"type": "Feature", "properties": english, "geometry": {"type": "Point", "coordinates": [127.02, 37.61]}},
        {"type": "Feature", "properties": {**english, "SFTY_EMRGNCBLL_MNG_NO": "가로-3"}, "geometry": {"type": "LineString", "coordinates": [[127, 37], [128, 38]]}},
    ]
    path = tmp_path / "bells.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    with app.app_context():
        result = import_facilities(BELLS, path)
    assert (result.new, [(r.line, r.reason) for r in result.rejections]) == (2, [(3, "unparseable")])
    with app.app_context():
        facilities = db.session.scalars(sa.select(Facility).order_by(Facility.id)).all()
    assert [(f.lat, f.lon, f.location) for f in facilities] == [(37.60, 127.01, "보문로 1"), (37.61, 127.02, "보문로 2")]
    assert facilities[1].attributes["police_link"] is True and facilities[1].source_date == dt.date(2025, 6, 1)


def test_openapi_english_headers_in_a_csv(app, tmp_path):
    path = tmp_path / "api.csv"
    header = "SFTY_EMRGNCBLL_MNG_NO,INSTL_PSTN,WGS84_LAT,WGS84_LOT,LINK_MTH,POLC_LINK_EN,LAST_CHCK_YMD"
    path.write_text(f"{header}\nD32F20,오수면사무소,35.541315,127.326913,단방향,Y,2025-10-29\n", encoding="utf-8")
    with app.app_context():
        assert import_facilities(BELLS, path).new == 1
        facility = db.session.scalar(sa.select(Facility))
    assert (facility.location, facility.lat, facility.attributes["last_inspection_date"]) == ("오수면사무소", 35.541315, "2025-10-29")


def _truncated_xlsx(folder: Path) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(BELL_HEADER)
    for row in SNAPSHOT * 50:
        workbook.active.append(list(row.values()))
    workbook.save(folder / "whole.xlsx")
    data = (folder / "whole.xlsx").read_bytes()
    return data[: len(data) // 2]


def _csv(rows: list[dict], end: str = "") -> bytes:
    header = ",".join(BELL_HEADER)
    return ("\n".join([header, *(",".join(r.values()) for r in rows)]) + end).encode()


BROKEN_FILES = {
    "empty": (lambda _: b"", "empty"),
    "blank": (lambda _: b"\r\n  \n", "empty"),
    "header-only": (lambda _: _csv([], "\n"), "no data rows"),
    "wrong-header": (lambda _: "이름,나이,주소\n홍길동,30,서울\n".encode(), "not a bells file"),
    "unterminated-quote": (lambda _: _csv(SNAPSHOT[:2]) + b'\n5,"\xea\xb0\x80\xeb\xa1\x9c-5,', "truncated"),
    "cut-mid-row": (lambda _: _csv(SNAPSHOT[:2]) + b"\n5,gaga-5,x", "truncated"),
    "cut-mid-character": (lambda _: _csv(SNAPSHOT[:2], "\n").decode().encode("cp949")[:-1] + "가".encode("cp949")[:1], "truncated"),
    "truncated-xlsx": (_truncated_xlsx, "damaged or truncated XLSX"),
    "truncated-geojson": (lambda _: b'{"type": "FeatureCollection", "features": [{"type": "Feature", "prop', "truncated"),
    "binary": (lambda _: bytes(range(256)) * 8, "binary"),
    "old-xls": (lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "XLS"),
}


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_a_broken_file_gives_one_clear_error_and_changes_nothing(app, runner, tmp_path, name):
    good = write_rows(tmp_path / "good.csv", SNAPSHOT)
    assert run(runner, "bells", good).exit_code == 0
    before = state(app)
    make, message = BROKEN_FILES[name]
    broken = tmp_path / f"broken-{name}"
    broken.write_bytes(make(tmp_path))
    result = run(runner, "bells", broken, "--report", tmp_path / "report.csv")
    assert result.exit_code == 1, result.output
    assert result.output.count("Error:") == 1 and "Traceback" not in result.output
    assert message in result.output and broken.name in result.output
    assert state(app) == before and len(before[0]) == 4
    assert not (tmp_path / "report.csv").exists()


def test_a_row_with_too_many_or_too_few_cells_is_unparseable(app, tmp_path):
    text = _csv([bell("1", "37.60", "127.01"), bell("2", "37.61", "127.02")], "\n").decode()
    lines = text.splitlines()
    lines[1] += ",extra"
    lines[2] = ",".join(lines[2].split(",")[:5])
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with app.app_context():
        result = import_facilities(BELLS, path)
    assert [(r.line, r.reason, r.detail) for r in result.rejections] == [
        (2, "unparseable", "21 cells where the header has 20"),
        (3, "unparseable", "5 cells where the header has 20"),
    ]
