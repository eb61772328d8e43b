"""``ansim import streets`` and ``ansim import safe-paths`` (joined to the
``import`` group in ``server.facilities.cli``).

    ansim import streets seoul.osm.pbf --district 성북구
    ansim import safe-paths 안심귀갓길.geojson
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from server.errors import ServiceError

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
#: Redraw the bar every this many OSM objects.
PROGRESS_STEP = 5000


def _progress(objects: Iterator[Any]) -> AbstractContextManager[Iterable[Any]]:
    # The number of objects in an OSM file is not known before reading it: the bar counts them.
    return click.progressbar(objects, label="Reading OSM ways", file=sys.stderr, update_min_steps=PROGRESS_STEP, show_pos=True)


@click.command("streets")
@click.argument("file", type=FILE)
@click.option("--district", default=None, help="Keep only streets reaching into this 구 (name like 성북구 or SIG_CD like 11290), with a 500 m margin.")
@click.option("--dry-run", is_flag=True, help="Read and build the graph, but store nothing.")
@with_appcontext
def streets_command(file: Path, district: str | None, dry_run: bool) -> None:
    """Build the walking street graph from an OSM file (.osm or .osm.pbf) and make it current for routes."""
    from server.routing.importing import import_streets

    try:
        result = import_streets(file, district=district, dry_run=dry_run, progress=_progress)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(result.describe())


@click.command("safe-paths")
@click.argument("file", type=FILE)
@click.option("--source", default=None, help="Dataset name stored with each path [default: the file name].")
@click.option("--dry-run", is_flag=True, help="Read, validate and match, but change nothing.")
@with_appcontext
def safe_paths_command(file: Path, source: str | None, dry_run: bool) -> None:
    """Import safe-return paths (여성안심귀갓길) from GeoJSON LineStrings; routes prefer the streets they follow."""
    from server.routing.importing import import_safe_paths

    try:
        result = import_safe_paths(file, source=source, dry_run=dry_run)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(result.describe())
