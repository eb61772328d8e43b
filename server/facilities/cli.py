"""``ansim import …``: load public data — bells, CCTV, security lights, safe
houses — and the 구/동 boundaries they are located with.

    ansim import areas seoul_gu_juso2015.geojson
    ansim import bells 안전비상벨위치정보.xlsx --district 성북구 --report rejected.csv
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from server.errors import ServiceError
from server.facilities.importing.datasets import DATASETS, Dataset
from server.facilities.importing.readers import SourceRow

import_group = AppGroup("import", help="Import public data: safety facilities, 구/동 boundaries, streets and safe-return paths.")

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
REPORT = click.Path(dir_okay=False, writable=True, path_type=Path)
#: Redraw the bar every this many rows; drawing it for each row costs more than reading it.
PROGRESS_STEP = 500


def _progress(rows: Iterator[SourceRow]) -> AbstractContextManager[Iterable[SourceRow]]:
    # click draws the bar only on a terminal; elsewhere it prints the label once.
    return click.progressbar(rows, label="Reading rows", file=sys.stderr, update_min_steps=PROGRESS_STEP, show_pos=True)


def _facility_command(dataset: Dataset) -> click.Command:
    @click.command(
        dataset.command,
        short_help=f"Import {dataset.default_source} (CSV, XLSX or GeoJSON).",
        help=(
            f"Import a {dataset.default_source} file (CSV, XLSX or GeoJSON points) as a snapshot of its source: "
            "new rows are added, changed rows updated, and facilities of the source missing from the file marked "
            "removed (only within --district when given). Import per-구 files with --district or their own --source, "
            "so that one 구's file does not remove another's facilities."
        ),
    )
    @click.argument("file", type=FILE)
    @click.option("--district", default=None, help="Keep only rows inside this 구 (name like 성북구 or SIG_CD like 11290).")
    @click.option("--source", default=None, help=f"Dataset name stored with each facility [default: {dataset.default_source}].")
    @click.option("--dry-run", is_flag=True, help="Read, validate and count, but change nothing.")
    @click.option("--report", type=REPORT, default=None, help="Write the rejected rows, with line and reason, to this CSV.")
    @with_appcontext
    def command(file: Path, district: str | None, source: str | None, dry_run: bool, report: Path | None) -> None:
        from server.facilities.importing.service import import_facilities

        try:
            result = import_facilities(dataset, file, district=district, source=source, dry_run=dry_run, progress=_progress)
        except ServiceError as error:
            raise click.ClickException(error.message) from None
        if report is not None:
            result.write_report(report)
        click.echo(result.describe())
        if report is not None:
            click.echo(f"rejected rows written to {report}")

    return command


for _dataset in DATASETS.values():
    import_group.add_command(_facility_command(_dataset))


@import_group.command("areas")
@click.argument("file", type=FILE)
@click.option("--source", default=None, help="Name stored with each area [default: the file name].")
@click.option("--dry-run", is_flag=True, help="Read and count, but change nothing.")
def import_areas_command(file: Path, source: str | None, dry_run: bool) -> None:
    """Import 구 (SIG_CD…) or 행정동 (adm_cd2…) boundaries from GeoJSON; re-importing updates by code."""
    from server.facilities.areas import import_areas

    try:
        result = import_areas(file, source=source, dry_run=dry_run)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(result.describe())


def _add_routing_commands() -> None:
    from server.routing.cli import safe_paths_command, streets_command

    import_group.add_command(streets_command)
    import_group.add_command(safe_paths_command)


_add_routing_commands()
