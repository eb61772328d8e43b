/**
 * Geometry on the phone, the same formulas as server/geo.py: distance,
 * bearing, compass point and walking time, and distances written for people. Used offline, when the nearest
 * bell has to be worked out from what was saved, and to tell whether the
 * resident has moved far enough to ask again.
 */

const EARTH_RADIUS_M = 6_371_008.8;
const WALKING_M_PER_MIN = 4500 / 60; // 4.5 km/h, as the server reckons
export const COMPASS = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"];
const COMPASS_KO = ["북", "북동", "동", "남동", "남", "남서", "서", "북서"];

const radians = (degrees) => (degrees * Math.PI) / 180;

/** Great-circle distance in metres between two {lat, lon}. */
export function distanceM(a, b) {
  const p1 = radians(a.lat);
  const p2 = radians(b.lat);
  const dp = p2 - p1;
  const dl = radians(b.lon - a.lon);
  const h = Math.sin(dp / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, 0–360° clockwise from north. */
export function bearingDeg(a, b) {
  const p1 = radians(a.lat);
  const p2 = radians(b.lat);
  const dl = radians(b.lon - a.lon);
  const x = Math.sin(dl) * Math.cos(p2);
  const y = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return ((Math.atan2(x, y) * 180) / Math.PI + 360) % 360;
}

export function compassIndex(bearing) {
  return Math.floor((((bearing % 360) + 360) % 360 + 22.5) / 45) % 8;
}

/**
 * A facility seen from a point, in the shape of the nearby API's items:
 * {…facility, distance_m, bearing_deg, compass, compass_ko, walking_minutes}.
 */
export function seenFrom(point, facility) {
  const distance = distanceM(point, facility);
  const bearing = bearingDeg(point, facility);
  const index = compassIndex(bearing);
  return {
    ...facility,
    distance_m: Math.round(distance * 10) / 10,
    bearing_deg: Math.round(bearing * 10) / 10,
    compass: COMPASS[index],
    compass_ko: COMPASS_KO[index],
    walking_minutes: Math.round((distance / WALKING_M_PER_MIN) * 10) / 10,
  };
}

/** "85 m", "120 m", "1.2 km", "12 km" (the same in Korean and English). */
export function formatDistance(metres) {
  if (metres < 1000) return `${Math.round(metres)} m`;
  const km = metres / 1000;
  return `${km < 10 ? km.toFixed(1) : Math.round(km)} km`;
}
