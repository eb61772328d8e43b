"""The public datasets Ansim imports, column by column, and how one row of
each becomes a facility.

Columns are found by header name, never by position. Each column lists the
names it goes by: the Korean header of the standard-data CSV/XLSX, older
variants, the data.go.kr OpenAPI keys, and its English field name (for
GeoJSON properties). Names are compared without case, spaces or underscores,
so ``WGS84_LAT``, ``wgs84Lat`` and ``WGS84 LAT`` are one name.

The natural key (``source_key``) of a row is

    normalised 관리기관명 | the agency's id for it | lat,lon rounded to 6 places (≈0.1 m)

The id is the first present of the dataset's ``identity`` columns (the bells'
안전비상벨관리번호, CCTV 관리번호, 보안등위치명, 점포명). Files without one
use the addresses instead (and, for CCTV, the purpose: one pole often carries
a crime-prevention and a traffic camera). The coordinates are part of every
key because ids repeat: the Seoul bells file reuses 1,355 안전비상벨관리번호
across 구, and even (agency, id) pairs repeat for different bells. Rounding
only makes ``37.5483`` and ``37.54830`` one key; two cameras half a metre
apart at one address stay two. A facility that moves therefore becomes a new
facility, and the old one is marked removed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.facilities.importing.readers import SourceRow, problem
from server.facilities.importing.results import Reason
from server.facilities.importing.values import (
    agency_key,
    parse_date,
    parse_flag,
    parse_float,
    parse_int,
    parse_month_tolerantly,
    parse_year,
)
from server.facilities.models import FacilityKind

#: A generous box around South Korea, islands included (Marado to the DMZ, Baengnyeong to Dokdo).
KOREA_BBOX = (124.0, 32.8, 132.0, 39.0)  # min_lon, min_lat, max_lon, max_lat
KEY_MAX_LENGTH = 255
#: Facility column lengths; longer text from a file is cut rather than refused.
TEXT_LIMITS = {"location": 200, "road_address": 200, "lot_address": 200, "agency_name": 120, "agency_phone": 40}


def as_text(value: str | None) -> str | None:
    return value


@dataclass(frozen=True)
class Column:
    field: str
    names: tuple[str, ...]
    parse: Callable[[str | None], Any] = as_text


def normalise_header(name: str) -> str:
    return re.sub(r"[\s_\-.()\[\]]", "", name).lower()


COMMON = (
    Column("lat", ("위도", "WGS84위도", "WGS84_LAT", "latitude", "lat")),
    Column("lon", ("경도", "WGS84경도", "WGS84_LOT", "WGS84_LON", "longitude", "lon", "lng")),
    Column("road_address", ("소재지도로명주소", "도로명주소", "LCTN_ROAD_NM_ADDR", "rdnmadr")),
    Column("lot_address", ("소재지지번주소", "지번주소", "LCTN_LOTNO_ADDR", "lnmadr")),
    Column("agency_name", ("관리기관명", "MNG_INST_NM", "institutionNm", "INSTITUTION_NM")),
    Column("agency_phone", ("관리기관전화번호", "MNG_INST_TELNO", "institutionPhoneNumber")),
    Column("source_date", ("데이터기준일자", "DAT_CRTR_YMD", "referenceDate", "기준일자"), parse_date),
)


@dataclass(frozen=True)
class Dataset:
    """One public dataset: its own columns (besides ``COMMON``) go to
    ``Facility.attributes``, except ``location``, which has a column of its own."""

    kind: FacilityKind
    command: str  # the ``ansim import`` sub-command
    default_source: str
    own_columns: tuple[Column, ...]
    #: At least one of these must be found, or this is another kind of file.
    signature: tuple[str, ...]
    #: The first present of these is the agency's id for the facility …
    identity: tuple[str, ...]
    #: … and without one, these (joined) name it.
    fallback_identity: tuple[str, ...] = ("road_address", "lot_address")
    location: str = "location"
    #: A Y/N column saying whether the facility is in service at all.
    in_service: str | None = None
    #: More names for common columns, where this dataset's API uses its own.
    more_names: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def columns(self) -> tuple[Column, ...]:
        extra = dict(self.more_names)
        return (*(Column(c.field, c.names + extra.get(c.field, ()), c.parse) for c in COMMON), *self.own_columns)

    @property
    def attributes(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.own_columns if c.field != "location")

    def resolve(self, path: Path, headers: list[str], has_geometry: bool) -> Layout:
        """Find each field's headers; refuse a file that is not this dataset.

        A field may sit under several headers (GeoJSON features need not share
        property names); a row takes the first of them that has a value."""
        normalised = [(normalise_header(h), h) for h in headers]
        found: dict[str, tuple[str, ...]] = {}
        columns = self.columns
        for column in columns:
            names = [normalise_header(n) for n in (*column.names, column.field)]
            matches = tuple(dict.fromkeys(h for name in names for n, h in normalised if n == name))
            if matches:
                found[column.field] = matches
        needed = [] if has_geometry else [f for f in ("lat", "lon") if f not in found]
        if needed or not any(f in found for f in self.signature):
            wanted = [self.column(f).names[0] for f in (*needed, *self.signature)]
            raise problem(
                path,
                f"not a {self.command} file: no column named {', '.join(wanted)}; the columns are {', '.join(headers[:20])}",
                f"{self.default_source} 파일이 아닙니다(필요한 열: {', '.join(wanted)})",
            )
        parsed = tuple((c.field, found[c.field], c.parse) for c in columns if c.field in found and c.field not in ("lat", "lon"))
        return Layout(found.get("lat", ()), found.get("lon", ()), parsed)

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


@dataclass(frozen=True)
class Layout:
    """Where one file keeps a dataset's fields."""

    lat: tuple[str, ...]
    lon: tuple[str, ...]
    parsed: tuple[tuple[str, tuple[str, ...], Callable[[str | None], Any]], ...]  # (field, headers, parser)


class Rejected(Exception):
    """A row that cannot become a facility, and why."""

    def __init__(self, reason: Reason, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Candidate:
    """A row ready to become a facility, before it is placed in a 구/동."""

    line: int
    key: str
    lon: float
    lat: float
    values: dict[str, Any]  # Facility columns: location, addresses, agency, attributes, source_date
    in_service: bool


def to_candidate(dataset: Dataset, layout: Layout, row: SourceRow) -> Candidate:
    if row.problem:
        raise Rejected(Reason.UNPARSEABLE, row.problem)
    fields: dict[str, Any] = {}
    cells = row.values
    for field, headers, parse in layout.parsed:
        header = headers[0] if len(headers) == 1 else _first_filled(cells, headers)
        try:
            fields[field] = parse(cells.get(header))
        except ValueError as error:
            raise Rejected(Reason.UNPARSEABLE, f"{header}: {error}") from None
    lon, lat = _coordinates(layout, row)
    values = {name: _cut(name, fields.get(name)) for name in ("road_address", "lot_address", "agency_name", "agency_phone")}
    values["location"] = _cut("location", fields.get(dataset.location))
    values["source_date"] = fields.get("source_date")
    values["attributes"] = {name: fields.get(name) for name in dataset.attributes}
    in_service = fields.get(dataset.in_service) is not False if dataset.in_service else True
    return Candidate(row.line, natural_key(dataset, fields, lon, lat), lon, lat, values, in_service)


def _coordinates(layout: Layout, row: SourceRow) -> tuple[float, float]:
    if row.point is not None:
        lon, lat = row.point
    else:
        try:
            lat_value = parse_float(row.values.get(_first_filled(row.values, layout.lat)))
            lon_value = parse_float(row.values.get(_first_filled(row.values, layout.lon)))
        except ValueError as error:
            raise Rejected(Reason.UNPARSEABLE, f"coordinates: {error}") from None
        if lat_value is None or lon_value is None:
            raise Rejected(Reason.MISSING_COORDINATES, "no latitude or longitude")
        lat, lon = lat_value, lon_value
    if lat == 0 or lon == 0:
        raise Rejected(Reason.MISSING_COORDINATES, "a coordinate is zero")
    min_lon, min_lat, max_lon, max_lat = KOREA_BBOX
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        raise Rejected(Reason.OUTSIDE_KOREA, f"{lat}, {lon} is not in Korea (or not WGS84 degrees)")
    return lon, lat


def _first_filled(cells: dict[str, str | None], headers: tuple[str, ...]) -> str:
    return next((h for h in headers if cells.get(h) is not None), headers[0] if headers else "")


def _cut(name: str, value: Any) -> Any:
    return value[: TEXT_LIMITS[name]] if isinstance(value, str) else value


def natural_key(dataset: Dataset, fields: dict[str, Any], lon: float, lat: float) -> str:
    """See the module docstring."""
    ids = [str(fields[f]) for f in dataset.identity if fields.get(f) is not None][:1]
    ids = ids or [str(fields[f]) for f in dataset.fallback_identity if fields.get(f) is not None]
    key = f"{agency_key(fields.get('agency_name'))}|{'/'.join(ids)}|{lat:.6f},{lon:.6f}"
    if len(key) > KEY_MAX_LENGTH:
        key = f"{key[:190]}#{hashlib.sha256(key.encode()).hexdigest()}"
    return key


BELLS = Dataset(
    kind=FacilityKind.BELL,
    command="bells",
    default_source="전국안전비상벨위치표준데이터",
    own_columns=(
        Column("bell_number", ("안전비상벨관리번호", "SFTY_EMRGNCBLL_MNG_NO")),
        Column("management_number", ("관리번호", "MNG_NO")),
        Column("location", ("설치위치", "INSTL_PSTN")),
        Column("purpose", ("설치목적", "INSTL_PRPS")),
        Column("place_type", ("설치장소유형", "INSTL_PLC_TYPE")),
        Column("link_method", ("연계방식", "LINK_MTH")),
        Column("police_link", ("경찰연계유무", "POLC_LINK_EN"), parse_flag),
        Column("security_company_link", ("경비업체연계유무", "SECCO_LINK_EN"), parse_flag),
        Column("management_office_link", ("관리사무소연계유무", "MNGOFC_LINK_EN"), parse_flag),
        Column("extra_functions", ("부가기능", "EXTRA_FWK")),
        Column("install_year", ("안전비상벨설치연도", "설치연도", "SFTY_EMRGNCBLL_INSTL_YR"), parse_year),
        Column("last_inspection_date", ("최종점검일자", "LAST_CHCK_YMD"), lambda v: _iso(parse_date(v))),
        Column("last_inspection_result", ("최종점검결과구분", "LAST_CHCK_RSLT_SE")),
    ),
    signature=("bell_number", "link_method", "police_link"),
    identity=("bell_number", "management_number"),
    fallback_identity=("road_address", "lot_address", "location"),
)

CCTV = Dataset(
    kind=FacilityKind.CCTV,
    command="cctv",
    default_source="전국CCTV표준데이터",
    own_columns=(
        Column("management_number", ("관리번호", "MNG_NO")),
        Column("location", ("설치위치",)),
        Column("purpose", ("설치목적구분", "설치목적", "INSTL_PRPS_SE_NM", "INSTL_PRPS_SE")),
        Column("camera_count", ("카메라대수", "CAM_CNTOM"), parse_int),
        Column("pixels", ("카메라화소수", "CAM_PIXEL_CNT"), parse_int),
        Column("direction", ("촬영방면정보", "SHT_ANGLE_INFO")),
        Column("retention_days", ("보관일수", "KPNG_DAY_CNT"), parse_int),
        Column("installed", ("설치연월", "설치년월", "INSTL_YM"), parse_month_tolerantly),
    ),
    signature=("camera_count", "pixels", "retention_days", "direction"),
    identity=("management_number",),
    fallback_identity=("road_address", "lot_address", "purpose"),
)

SECURITY_LIGHTS = Dataset(
    kind=FacilityKind.SECURITY_LIGHT,
    command="lights",
    default_source="전국보안등정보표준데이터",
    own_columns=(
        Column("location", ("보안등위치명", "LMP_LC_NM")),
        Column("count", ("설치개수", "INSTALLATION_CO"), parse_int),
        Column("install_year", ("설치연도", "설치년도", "INSTALLATION_YEAR"), parse_year),
        Column("mount", ("설치형태", "INSTALLATION_TYPE")),
    ),
    signature=("location", "count", "mount"),
    identity=("location",),
    more_names=(("agency_phone", ("phoneNumber", "PHONE_NUMBER")),),
)

SAFE_HOUSES = Dataset(
    kind=FacilityKind.SAFE_HOUSE,
    command="safe-houses",
    default_source="여성안심지킴이집",
    own_columns=(
        Column("name", ("점포명", "storNm")),
        Column("phone", ("여성안심지킴이집전화번호", "phoneNumber", "전화번호")),
        Column("police_station", ("관할경찰서명", "cmptncPolcsttnNm")),
        Column("designated_year", ("지정연도", "지정년도", "appnYear"), parse_year),
        Column("operating", ("운영여부", "useYn"), parse_flag),
    ),
    signature=("name", "operating", "police_station"),
    identity=("name",),
    location="name",
    in_service="operating",
)

DATASETS = {dataset.command: dataset for dataset in (BELLS, CCTV, SECURITY_LIGHTS, SAFE_HOUSES)}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
