"""Pure geometry on WGS84 coordinates: distance, bearing, compass words,
walking time, and unit-sphere vectors for KD-tree searches."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

#: Mean Earth radius (IUGG), the sphere every distance here is measured on.
EARTH_RADIUS_M = 6_371_008.8
#: 4.5 km/h, a calm adult walking pace, in metres per minute.
WALKING_M_PER_MIN = 4500 / 60

COMPASS_EN = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
COMPASS_KO = ("북", "북동", "동", "남동", "남", "남서", "서", "북서")

#: A generous box around the Republic of Korea, islands included.
KOREA_BBOX = (124.0, 33.0, 132.0, 39.0)  # min_lon, min_lat, max_lon, max_lat


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def haversine_many(lat: float, lon: float, lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Distances in metres from one point to many (vectorised haversine)."""
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from the first point to the second, 0–360° clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def compass_index(bearing: float) -> int:
    return int(((bearing % 360) + 22.5) // 45) % 8


def walking_minutes(distance_m: float) -> float:
    return distance_m / WALKING_M_PER_MIN


def unit_vectors(lats: npt.ArrayLike, lons: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Points on the unit sphere: Euclidean (chord) order equals great-circle order."""
    phi, lam = np.radians(np.asarray(lats, dtype=float)), np.radians(np.asarray(lons, dtype=float))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    """One point on the unit sphere (plain floats: faster than numpy for one)."""
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def chord_for_metres(distance_m: float) -> float:
    """The unit-sphere chord length of a great-circle distance."""
    return 2 * math.sin(min(math.pi, distance_m / EARTH_RADIUS_M) / 2)


def in_korea(lat: float, lon: float) -> bool:
    min_lon, min_lat, max_lon, max_lat = KOREA_BBOX
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


def destination(lat: float, lon: float, bearing: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` away along the initial ``bearing`` (great circle)."""
    delta = distance_m / EARTH_RADIUS_M
    theta, p1, l1 = math.radians(bearing), math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(delta) + math.cos(p1) * math.sin(delta) * math.cos(theta))
    l2 = l1 + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(p1), math.cos(delta) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


def snap_to_grid(lat: float, lon: float, metres: float) -> tuple[float, float]:
    """The centre of the ~``metres`` cell a point lies in (cells fixed, so a
    point cannot be recovered by averaging many snapped copies)."""
    step_lat = metres / 111_320
    row = math.floor(lat / step_lat)
    centre_lat = (row + 0.5) * step_lat
    step_lon = step_lat / math.cos(math.radians(centre_lat))
    return round(centre_lat, 6), round((math.floor(lon / step_lon) + 0.5) * step_lon, 6)
