"""Which OpenStreetMap ways a pedestrian may use, and reading them with pyosmium.

A way is walkable when its ``highway`` is one people walk on (footways,
paths, pedestrian streets, steps, living streets, residential and service
roads, unclassified roads, tracks, and tertiary roads and up — Korean
streets have sidewalks), or a cycleway or bridleway that says ``foot=yes``.
It is not walkable with ``foot=no``, ``access=private|no`` (unless ``foot``
allows walking), as a motorway, or as a 자동차전용도로 (``motorroad=yes``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from server.routing.graph import HIGHWAYS, Ways

#: Walkable only when they say so.
IF_FOOT_ALLOWED = frozenset({"cycleway", "bridleway", "busway"})
#: The rest of the graph's highway classes are walkable unless tagged otherwise.
WALKABLE = frozenset(HIGHWAYS) - IF_FOOT_ALLOWED
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive", "official"})
NO_ACCESS = frozenset({"no", "private"})
#: ``lit`` values meaning the way is lit at night.
LIT_YES = frozenset({"yes", "24/7", "automatic", "sunset-sunrise", "dusk-dawn", "limited", "interval"})

#: Tags read from each way; the rest are dropped as the file is read.
KEPT_TAGS = ("highway", "foot", "access", "motorroad", "name", "lit", "surface", "footway")

Progress = Callable[[Iterator[Any]], AbstractContextManager[Iterable[Any]]]


def walkable(tags: Mapping[str, str]) -> bool:
    """Whether a pedestrian may use a way with these tags (see the module docstring)."""
    highway = tags.get("highway")
    foot = tags.get("foot")
    if foot == "no" or tags.get("motorroad") == "yes":
        return False
    if highway in IF_FOOT_ALLOWED:
        return foot in FOOT_ALLOWED
    if highway not in WALKABLE:
        return False
    return foot in FOOT_ALLOWED or tags.get("access") not in NO_ACCESS


def lit_value(tags: Mapping[str, str]) -> int:
    """1 lit, 0 explicitly unlit, -1 unknown."""
    lit = tags.get("lit")
    if lit is None:
        return -1
    return 1 if lit in LIT_YES else 0


def read_ways(path: Path, progress: Progress | None = None) -> Ways:
    """The walkable ways of an ``.osm`` or ``.osm.pbf`` file, with their node coordinates.

    A way whose nodes are partly missing from the file (an extract cut at its
    border) keeps its runs of located nodes.
    """
    import osmium

    ways = Ways()
    processor = osmium.FileProcessor(str(path)).with_locations().with_filter(osmium.filter.KeyFilter("highway"))
    with (progress or nullcontext)(iter(processor)) as objects:
        for obj in objects:
            if not obj.is_way():
                continue
            tags = {key: obj.tags.get(key) for key in KEPT_TAGS if key in obj.tags}
            ways.read += 1
            if not walkable(tags):
                continue
            run: list[tuple[int, float, float]] = []
            for node in obj.nodes:
                if node.location.valid():
                    run.append((node.ref, node.location.lat, node.location.lon))
                    continue
                _add(ways, obj.id, run, tags)
                run = []
            _add(ways, obj.id, run, tags)
    return ways


def _add(ways: Ways, way_id: int, run: list[tuple[int, float, float]], tags: dict[str, str]) -> None:
    if len(run) < 2:
        return
    ways.add(
        way_id,
        [r[0] for r in run],
        [r[1] for r in run],
        [r[2] for r in run],
        highway=tags["highway"],
        name=tags.get("name"),
        lit=lit_value(tags),
        surface=tags.get("surface"),
        footway=tags.get("footway"),
    )
