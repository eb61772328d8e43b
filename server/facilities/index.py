"""The in-memory spatial index every worker answers nearby searches from.

Active facilities are held as compact arrays plus one KD-tree per kind over
unit-sphere vectors (chord order is great-circle order, so the k nearest by
chord are the k nearest by haversine). A search asks the tree for the k
nearest within a slightly widened chord, then keeps what the exact haversine
puts inside the radius — so answers equal a brute-force haversine search.

The index notices changes made by any process through the data version
(``versions.FACILITIES``), checked at most once every ``INDEX_CHECK_SECONDS``.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from flask import Flask, current_app
from scipy.spatial import cKDTree

from server import geo
from server.extensions import db
from server.facilities import versions
from server.facilities.models import Facility, FacilityKind, FacilityStatus

KINDS = tuple(FacilityKind)
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
#: Distances closer than this (a micrometre) are a tie, ordered by id: chord
#: and haversine arithmetic differ in the last bits, never by this much.
TIE_M = 1e-6
#: Widening of the search chord so that float rounding never drops a point
#: that the exact haversine puts on the radius.
CHORD_SLACK = 1 + 1e-9


def _order(found: tuple[float, int, int]) -> tuple[float, int]:
    return (round(found[0] / TIE_M), found[1])


@dataclass(frozen=True)
class Hit:
    id: int
    kind: FacilityKind
    lat: float
    lon: float
    label: str | None
    distance_m: float


class KindIndex:
    """Facilities of one kind (or of all kinds): ids, coordinates, a KD-tree."""

    def __init__(
        self,
        ids: npt.NDArray[np.int64],
        lats: npt.NDArray[np.float64],
        lons: npt.NDArray[np.float64],
        labels: list[str | None] | None = None,
        kinds: list[FacilityKind] | None = None,
    ):
        self.ids, self.lats, self.lons = ids, lats, lons
        # Plain lists too: picking a handful of items from a list is several
        # times faster than from numpy arrays, and a search picks a handful.
        self.id_list, self.lat_list, self.lon_list = ids.tolist(), lats.tolist(), lons.tolist()
        #: What to call each one in a list (location or address): kept here so
        #: that a nearby answer needs no database round trip.
        self.labels = labels if labels is not None else [None] * len(ids)
        self.kinds = kinds
        self.tree = cKDTree(geo.unit_vectors(lats, lons)) if len(ids) else None

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(self, point: tuple[float, float, float], lat: float, lon: float, radius_m: float, limit: int) -> list[tuple[float, int, int]]:
        """(distance in metres, id, row) of the ``limit`` nearest within ``radius_m``,
        ordered by distance then id (so ties come out as a brute-force sort has them)."""
        if self.tree is None:
            return []
        k = min(limit + 1, len(self.ids))  # one more, to see a tie at the cut
        chords, rows = self.tree.query(point, k=k, distance_upper_bound=geo.chord_for_metres(radius_m) * CHORD_SLACK)
        if k == 1:
            chords, rows = [chords], [rows]
        else:
            chords, rows = chords.tolist(), rows.tolist()
        found = []
        size = len(self.ids)
        for chord, row in zip(chords, rows, strict=True):
            if row >= size:  # misses come last, as (inf, size)
                break
            distance = self._distance(chord, row, lat, lon, radius_m)
            if distance <= radius_m:
                found.append((distance, self.id_list[row], row))
        if len(found) > limit and found[limit][0] - found[limit - 1][0] < TIE_M:
            found = self._with_all_ties(point, lat, lon, found[limit][0] + TIE_M, radius_m)
        found.sort(key=_order)
        return found[:limit]

    def _distance(self, chord: float, row: int, lat: float, lon: float, radius_m: float) -> float:
        # The great-circle distance of a chord is exact on the sphere; only at
        # the very edge, where rounding could decide, ask haversine itself.
        distance = 2 * geo.EARTH_RADIUS_M * math.asin(min(1.0, chord / 2))
        if abs(distance - radius_m) < 1e-3:
            distance = geo.haversine_m(lat, lon, self.lat_list[row], self.lon_list[row])
        return distance

    def _with_all_ties(self, point, lat: float, lon: float, tied: float, radius_m: float) -> list[tuple[float, int, int]]:  # type: ignore[no-untyped-def]
        """Everything up to the tied distance: rare, so a ball query is fine."""
        rows = self.tree.query_ball_point(point, geo.chord_for_metres(tied) * CHORD_SLACK)  # type: ignore[union-attr]
        found = []
        for row in rows:
            chord = math.dist(point, self.tree.data[row])  # type: ignore[union-attr]
            distance = self._distance(chord, row, lat, lon, radius_m)
            if distance <= min(tied, radius_m):
                found.append((distance, self.id_list[row], row))
        return found

    def within_bbox(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> npt.NDArray[np.int64]:
        mask = (self.lats >= min_lat) & (self.lats <= max_lat) & (self.lons >= min_lon) & (self.lons <= max_lon)
        return np.flatnonzero(mask)


class FacilityIndex:
    """One KindIndex per kind plus one over every kind, at one data version."""

    def __init__(self, version: int, by_kind: dict[FacilityKind, KindIndex], combined: KindIndex):
        self.version = version
        self.by_kind = by_kind
        self.combined = combined

    @classmethod
    def from_arrays(cls, version: int, ids, kinds, lats, lons, labels=None) -> FacilityIndex:  # type: ignore[no-untyped-def]
        ids, kinds = np.asarray(ids, dtype=np.int64), np.asarray(kinds, dtype=np.int8)
        lats, lons = np.asarray(lats, dtype=np.float64), np.asarray(lons, dtype=np.float64)
        by_kind = {}
        for kind in KINDS:
            rows = np.flatnonzero(kinds == KIND_CODE[kind])
            kind_labels = [labels[i] for i in rows] if labels is not None else None
            by_kind[kind] = KindIndex(ids[rows], lats[rows], lons[rows], kind_labels)
        combined = KindIndex(ids, lats, lons, list(labels) if labels is not None else None, [KINDS[c] for c in kinds.tolist()])
        return cls(version, by_kind, combined)

    @classmethod
    def load(cls) -> FacilityIndex:
        version = versions.current(versions.FACILITIES)
        label = sa.func.coalesce(Facility.location, Facility.road_address, Facility.lot_address)
        rows = db.session.execute(
            sa.select(Facility.id, Facility.kind, Facility.lat, Facility.lon, label).where(Facility.status == FacilityStatus.ACTIVE)
        ).all()
        return cls.from_arrays(
            version,
            [r[0] for r in rows],
            [KIND_CODE[r[1]] for r in rows],
            [r[2] for r in rows],
            [r[3] for r in rows],
            [r[4] for r in rows],
        )

    def __len__(self) -> int:
        return len(self.combined)

    def nearby(self, lat: float, lon: float, radius_m: float, kinds: tuple[FacilityKind, ...] = KINDS, limit: int = 10) -> list[Hit]:
        """The ``limit`` nearest active facilities of ``kinds`` within ``radius_m``, nearest first."""
        point = geo.unit_vector(lat, lon)
        if set(kinds) >= set(KINDS):
            index = self.combined
            return [self._hit(index, row, index.kinds[row], d) for d, _, row in index.nearest(point, lat, lon, radius_m, limit)]  # type: ignore[index]
        hits = [self._hit(self.by_kind[kind], row, kind, d) for kind in kinds for d, _, row in self.by_kind[kind].nearest(point, lat, lon, radius_m, limit)]
        if len(kinds) > 1:
            hits.sort(key=lambda h: (round(h.distance_m / TIE_M), h.id))
        return hits[:limit]

    @staticmethod
    def _hit(index: KindIndex, row: int, kind: FacilityKind, distance: float) -> Hit:
        return Hit(index.id_list[row], kind, index.lat_list[row], index.lon_list[row], index.labels[row], distance)

    def in_bbox(self, bbox: tuple[float, float, float, float], kinds: tuple[FacilityKind, ...] = KINDS) -> list[tuple[FacilityKind, npt.NDArray[np.int64]]]:
        """Row numbers per kind of the facilities inside a bounding box."""
        return [(kind, self.by_kind[kind].within_bbox(*bbox)) for kind in kinds]


class IndexHolder:
    """The current index of one app, rebuilt when the data version moves."""

    def __init__(self, check_seconds: float):
        self.check_seconds = check_seconds
        self.index: FacilityIndex | None = None
        self.checked_at = 0.0
        self.lock = threading.Lock()

    def get(self) -> FacilityIndex:
        now = time.monotonic()
        if self.index is not None and now - self.checked_at < self.check_seconds:
            return self.index
        with self.lock:
            if self.index is None or versions.current(versions.FACILITIES) != self.index.version:
                self.index = FacilityIndex.load()
            self.checked_at = time.monotonic()
            return self.index

    def invalidate(self) -> None:
        self.checked_at = 0.0


def register_index(app: Flask) -> None:
    app.extensions["ansim.facility_index"] = IndexHolder(app.config["INDEX_CHECK_SECONDS"])


def facility_index() -> FacilityIndex:
    holder: IndexHolder = current_app.extensions["ansim.facility_index"]
    return holder.get()


def invalidate_index() -> None:
    """This process changed facilities: check the version on the next search."""
    current_app.extensions["ansim.facility_index"].invalidate()
