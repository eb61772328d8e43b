"""What an import did: counts, the rejected rows with their reasons, a
human summary, and the ``--report`` CSV of rejected rows."""

from __future__ import annotations

import csv
import enum
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


class Reason(enum.StrEnum):
    """Why a row was rejected."""

    UNPARSEABLE = "unparseable"  # bad number or date, or a row with the wrong number of cells
    MISSING_COORDINATES = "missing_coordinates"  # empty or zero
    OUTSIDE_KOREA = "outside_korea"
    OUTSIDE_DISTRICT = "outside_district"  # not inside the --district 구 polygon
    DUPLICATE = "duplicate"  # the natural key of an earlier row of the same file


@dataclass
class Rejection:
    line: int
    reason: Reason
    detail: str
    values: dict[str, str | None]


@dataclass
class ImportResult:
    kind: str
    source: str
    path: Path
    district: str | None = None  # "성북구 (11290)"
    dry_run: bool = False
    headers: list[str] = field(default_factory=list)
    file_format: str = ""  # "csv, cp949", "xlsx", "geojson, utf-8"
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0  # of ``updated``: removed facilities that came back
    removed: int = 0
    located: bool = True  # False when no 구/동 areas were imported yet
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def rejected(self) -> Counter[Reason]:
        return Counter(r.reason for r in self.rejections)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.removed)

    def describe(self) -> str:
        where = f" in {self.district}" if self.district else ""
        lines = [
            f"{self.kind} from {self.path.name} (source {self.source}){where}",
            f"read {self.read:,} rows ({self.file_format})",
            f"accepted {self.accepted:,} (new {self.new:,}, updated {self.updated:,}, unchanged {self.unchanged:,})"
            + (f"; {self.reactivated:,} came back from removed" if self.reactivated else ""),
            f"removed {self.removed:,}",
            f"rejected {len(self.rejections):,}" + "".join(f", {reason} {n:,}" for reason, n in self.rejected.most_common()),
        ]
        if not self.located:
            lines.append("warning: no 구/동 areas imported, so gu_code and dong_code stay empty (run `ansim import areas`)")
        if self.dry_run:
            lines.append("dry run: nothing was changed")
        return "\n".join(lines)

    def write_report(self, path: Path) -> None:
        """The rejected rows as CSV (UTF-8 with BOM, so Excel reads the Korean):
        line, reason, detail, then the row's own columns as they were."""
        # Rows of a table share the header; GeoJSON features may each add properties.
        headers = list(dict.fromkeys([*self.headers, *(k for r in self.rejections for k in r.values)]))
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["line", "reason", "detail", *headers])
            for r in self.rejections:
                writer.writerow([r.line, r.reason.value, r.detail, *(r.values.get(h) or "" for h in headers)])
