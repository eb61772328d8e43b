"""Turning the text of public-data cells into values: numbers, dates, years,
Y/N flags and installation months, plus the normalised agency name that goes
into natural keys.

A parser gets stripped text or None (an empty cell) and returns None for
None. Text it cannot read raises ``ValueError`` with a short reason, and the
importer rejects the row as unparseable — except where a column is known to
be mangled in published files (see ``parse_month_tolerantly``).
"""

from __future__ import annotations

import datetime as dt
import math
import re

DATE = re.compile(r"(\d{4})[-./]?\s*(\d{1,2})[-./]?\s*(\d{1,2})\.?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
MONTH = re.compile(r"(\d{4})[-./]?\s*(\d{1,2})(?:[-./]?\s*\d{1,2})?\.?")
YEAR = re.compile(r"(\d{4})(?:년|\.0)?")
FLAGS = {
    "y": True, "yes": True, "true": True, "1": True, "o": True, "예": True, "유": True, "있음": True, "운영": True,
    "n": False, "no": False, "false": False, "0": False, "x": False, "아니오": False, "무": False, "없음": False, "미운영": False,
}  # fmt: skip
#: Public CCTV in Korea dates from the 2000s; an earlier year is Excel having
#: read ``200907``-like text as a serial date (the 2019 강남구 file's 1905-07).
EARLIEST_INSTALLATION_YEAR = 1980
SIDO_PREFIXES = (
    "서울특별시", "서울시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시", "울산광역시",
    "세종특별자치시", "경기도", "강원특별자치도", "강원도", "충청북도", "충청남도", "전북특별자치도", "전라북도",
    "전라남도", "경상북도", "경상남도", "제주특별자치도",
)  # fmt: skip
LOCAL_OFFICE = re.compile(r"(.+?[구군시])청")


def parse_float(text: str | None) -> float | None:
    if text is None:
        return None
    value = float(text.replace(",", "")) if _plain_number(text) else math.nan
    if not math.isfinite(value):
        raise ValueError(f"not a number: {text!r}")
    return value


def _plain_number(text: str) -> bool:
    return re.fullmatch(r"[+-]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?", text) is not None and any(c.isdigit() for c in text)


def parse_int(text: str | None) -> int | None:
    value = parse_float(text)
    if value is None:
        return None
    if not value.is_integer():
        raise ValueError(f"not a whole number: {text!r}")
    return int(value)


def parse_year(text: str | None) -> int | None:
    if text is None:
        return None
    match = YEAR.fullmatch(text) or DATE.fullmatch(text)
    if not match or not 1900 <= int(match.group(1)) <= 2100:
        raise ValueError(f"not a year: {text!r}")
    return int(match.group(1))


def parse_date(text: str | None) -> dt.date | None:
    """``2024-11-28``, ``20241128``, ``2024.11.28.``, ``2024/11/28 17:00``."""
    if text is None:
        return None
    match = DATE.fullmatch(text)
    try:
        if match:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        pass
    raise ValueError(f"not a date: {text!r}")


def parse_flag(text: str | None) -> bool | None:
    if text is None:
        return None
    try:
        return FLAGS[text.lower()]
    except KeyError:
        raise ValueError(f"not Y/N: {text!r}") from None


def parse_month_tolerantly(text: str | None) -> str | None:
    """``YYYY-MM`` from ``200910``, ``2009-10``, ``2009.10``; None when unreadable or
    implausible, because published CCTV files carry Excel-mangled months."""
    match = MONTH.fullmatch(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if year < EARLIEST_INSTALLATION_YEAR or year > dt.date.today().year + 1 or not 1 <= month <= 12:
        return None
    return f"{year:04d}-{month:02d}"


def agency_key(name: str | None) -> str:
    """The managing agency, spelled one way: ``서울시성북구청도시안전과``,
    ``서울특별시 성북구청 도시안전과`` and ``서울특별시 성북구`` all become ``성북구``.

    Only the 시·도 prefix and what follows 구청/군청/시청 are dropped, so bodies
    such as ``중랑구시설관리공단`` keep their own name (and their own numbering).
    """
    compact = re.sub(r"\s+", "", name or "")
    for prefix in SIDO_PREFIXES:
        if compact.startswith(prefix) and len(compact) > len(prefix):
            compact = compact[len(prefix) :]
            break
    office = LOCAL_OFFICE.match(compact)
    return office.group(1) if office else compact
