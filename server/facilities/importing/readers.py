"""Reading the tables public data comes in — CSV in any Korean encoding, XLSX
and GeoJSON — as rows of text keyed by header name.

Nothing here knows what a facility is. A file that cannot be read as a whole
(empty, header only, binary, truncated, damaged) raises ``UnreadableFile`` with
one message that names the problem; a single bad row is only marked, so the
importer can reject it and go on.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import charset_normalizer

from server.errors import Invalid

if TYPE_CHECKING:
    from server.facilities.importing.xlsx import Workbook

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97–2003) and other OLE files
#: Rows above the header that hold fewer cells than this are titles, not headers.
MIN_HEADER_CELLS = 2
HEADER_SEARCH_ROWS = 10
#: What a damaged or truncated workbook raises while being read.
XLSX_DAMAGE = (OSError, ValueError)


class UnreadableFile(Invalid):
    """The file as a whole cannot be imported; nothing was changed."""


@dataclass
class SourceRow:
    """One data row: its line (CSV line, sheet row or feature number), its cells
    by header (stripped text, empty → None), and a GeoJSON point if any."""

    line: int
    values: dict[str, str | None]
    point: tuple[float, float] | None = None  # (lon, lat)
    problem: str | None = None  # e.g. a row with too few cells


@dataclass
class Table:
    path: Path
    format: str  # "csv", "xlsx" or "geojson"
    headers: list[str]
    rows: Iterator[SourceRow]
    encoding: str | None = None  # of a text file
    has_geometry: bool = False


def problem(path: Path, english: str, korean: str) -> UnreadableFile:
    return UnreadableFile(f"{path.name}: {english} / {korean}")


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open ``path`` as a table, sniffing the format from its bytes, not its name."""
    with path.open("rb") as file:
        head = file.read(8)
    if head.startswith(ZIP_MAGIC):
        with _open_xlsx(path) as table:
            yield table
        return
    if head.startswith(OLE_MAGIC):
        raise problem(path, "old Excel (.xls) or another binary format; save it as XLSX or CSV", "XLS 등 바이너리 형식은 지원하지 않습니다. XLSX나 CSV로 저장하세요")
    text, encoding = decode_text(path, path.read_bytes())
    if not text.strip():
        raise problem(path, "the file is empty", "파일이 비어 있습니다")
    if text.lstrip().startswith(("{", "[")):
        yield _geojson_table(path, parse_json(path, text), encoding)
    else:
        yield _csv_table(path, text, encoding)


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Decode the text of a public-data file: UTF-8 (with or without BOM), then
    CP949 (a superset of EUC-KR), then whatever charset-normalizer finds."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise _decode_problem(path, data, error, encoding) from None
    if b"\x00" in data[:65536]:
        raise problem(path, "this is a binary file, not CSV, XLSX or GeoJSON", "CSV·XLSX·GeoJSON이 아닌 바이너리 파일입니다")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        # Valid UTF-8 Korean up to a character cut by the end: a truncated UTF-8 file.
        if _cut_at_end(data, error) and not data[: error.start].isascii():
            raise _decode_problem(path, data, error, "utf-8") from None
    try:
        return data.decode("cp949"), "cp949"
    except UnicodeDecodeError as error:
        if _cut_at_end(data, error):
            raise _decode_problem(path, data, error, "cp949") from None
    guess = charset_normalizer.from_bytes(data).best()
    if guess is None or guess.encoding in {"utf_8", "cp949", "euc_kr"}:
        raise problem(path, "this is a binary file or uses an unknown text encoding", "바이너리 파일이거나 알 수 없는 문자 인코딩입니다")
    return str(guess), guess.encoding


def _cut_at_end(data: bytes, error: UnicodeDecodeError) -> bool:
    """A multi-byte character cut by the end of the file: a truncated file."""
    return error.start >= len(data) - 3 and error.end >= len(data)


def _decode_problem(path: Path, data: bytes, error: UnicodeDecodeError, encoding: str) -> UnreadableFile:
    if _cut_at_end(data, error):
        return problem(path, f"the file ends in the middle of a character ({encoding}): it is truncated", "파일이 글자 중간에서 끝납니다(잘린 파일)")
    return problem(path, f"not valid {encoding} text at byte {error.start}", f"{encoding} 문자로 읽을 수 없습니다")


def clean_cell(value: Any) -> str | None:
    """A cell as stripped text; empty → None. Whole floats lose their ``.0``."""
    if isinstance(value, str):  # nearly every cell: checked first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value).strip() or None


def _header_names(cells: list[Any]) -> list[str]:
    names: list[str] = []
    for index, cell in enumerate(cells):
        name = (clean_cell(cell) or "").replace("\ufeff", "").strip('"').strip()
        name = name or f"column{index + 1}"
        # A repeated header keeps its data under a distinct name.
        names.append(name if name not in names else f"{name}.{index + 1}")
    return names


def _is_header(cells: list[Any]) -> bool:
    return sum(clean_cell(c) is not None for c in cells) >= MIN_HEADER_CELLS


def _data_rows(headers: list[str], numbered_cells: Iterator[tuple[int, list[Any]]]) -> Iterator[SourceRow]:
    width = len(headers)
    for line, cells in numbered_cells:
        values = [clean_cell(c) for c in cells]
        while len(values) > width and values[-1] is None:
            values.pop()  # trailing empty cells past the header are harmless
        if not any(values):
            continue
        issue = None
        if len(values) != width:
            issue = f"{len(values)} cells where the header has {width}"
            values = (values + [None] * width)[:width] if len(values) < width else values
        yield SourceRow(line, dict(zip(headers, values, strict=False)), problem=issue)


def _csv_table(path: Path, text: str, encoding: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = _csv_records(path, reader, text)
    for line, cells in records:
        if _is_header(cells):
            headers = _header_names(cells)
            return Table(path, "csv", headers, _data_rows(headers, _unless_cut_short(path, text, len(headers), records)), encoding)
        if line > HEADER_SEARCH_ROWS:
            break
    raise problem(path, "no header row found (is this a table?)", "머리글 행이 없습니다")


def _csv_records(path: Path, reader: Any, text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record; a quote left open at the end of the
    file means the file was cut off."""
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if reader.line_num >= len(io.StringIO(text, newline="").readlines()):
                raise problem(
                    path,
                    f"the file ends inside a quoted cell that starts on line {start}: it is truncated",
                    f"{start}행의 따옴표가 닫히지 않은 채 파일이 끝납니다(잘린 파일)",
                ) from None
            raise problem(path, f"malformed CSV at line {reader.line_num}: {error}", f"{reader.line_num}행의 CSV 형식이 잘못되었습니다") from None
        yield start, cells
        start = reader.line_num + 1


def _unless_cut_short(path: Path, text: str, width: int, records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """Pass records on; a last record that is short and has no line end was cut off."""
    previous = None
    for record in records:
        if previous is not None:
            yield previous
        previous = record
    if previous is None:
        return
    line, cells = previous
    if len(cells) < width and not text.endswith(("\n", "\r")):
        raise problem(path, f"the last row (line {line}) is cut short: the file is truncated", f"마지막 행({line}행)이 잘렸습니다(잘린 파일)")
    yield previous


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    from server.facilities.importing.xlsx import DAMAGE, Workbook

    damaged = problem(path, "damaged or truncated XLSX (the workbook cannot be read)", "XLSX 파일이 손상되었거나 잘렸습니다")
    try:
        book = Workbook(path)
    except (*XLSX_DAMAGE, *DAMAGE):
        raise damaged from None
    with book:
        records = _xlsx_records(book, damaged)
        for line, cells in records:
            if _is_header(cells):
                headers = _header_names(cells)
                yield Table(path, "xlsx", headers, _data_rows(headers, records))
                return
            if line > HEADER_SEARCH_ROWS:
                break
        raise problem(path, "no header row found in the first sheet", "첫 시트에 머리글 행이 없습니다")


def _xlsx_records(book: Workbook, damaged: UnreadableFile) -> Iterator[tuple[int, list[Any]]]:
    from server.facilities.importing.xlsx import DAMAGE

    try:
        yield from book.rows()
    except (*XLSX_DAMAGE, *DAMAGE):
        raise damaged from None


def parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if error.pos >= len(text.rstrip()) - 1:
            raise problem(path, "the JSON ends too early: the file is truncated", "JSON이 중간에 끝납니다(잘린 파일)") from None
        raise problem(path, f"not valid JSON at line {error.lineno} column {error.colno}: {error.msg}", "JSON 형식이 잘못되었습니다") from None


def features_of(path: Path, document: Any) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection (or of a single Feature)."""
    if isinstance(document, dict) and document.get("type") == "Feature":
        return [document]
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(document.get("features"), list):
        raise problem(path, "JSON but not a GeoJSON FeatureCollection", "GeoJSON FeatureCollection이 아닙니다")
    return [f for f in document["features"] if isinstance(f, dict)]


def _geojson_table(path: Path, document: Any, encoding: str) -> Table:
    features = features_of(path, document)
    headers: dict[str, None] = {}
    for feature in features:
        headers.update(dict.fromkeys(str(k) for k in (feature.get("properties") or {})))
    return Table(path, "geojson", list(headers), _feature_rows(features), encoding, has_geometry=True)


def _feature_rows(features: list[dict[str, Any]]) -> Iterator[SourceRow]:
    for number, feature in enumerate(features, start=1):
        values = {str(k): clean_cell(v) for k, v in (feature.get("properties") or {}).items()}
        point, issue = _point_of(feature.get("geometry"))
        yield SourceRow(number, values, point=point, problem=issue)


def _point_of(geometry: Any) -> tuple[tuple[float, float] | None, str | None]:
    if not geometry:
        return None, None  # no geometry: the coordinate properties may still say where
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "MultiPoint" and isinstance(coordinates, list) and len(coordinates) == 1:
        kind, coordinates = "Point", coordinates[0]
    if kind != "Point":
        return None, f"geometry is {kind}, not a Point"
    try:
        lon, lat = float(coordinates[0]), float(coordinates[1])
    except (TypeError, ValueError, IndexError):
        return None, "the Point has no numeric coordinates"
    return (lon, lat), None
