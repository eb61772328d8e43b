/**
 * What the map last learned from the server, kept on this device so the map
 * still shows something useful without a connection: the public settings,
 * the last viewport's facilities, the last nearest-facility answers (with the
 * point they were asked for) and the last few facility details.
 *
 * Everything here is public data about facilities, never about the resident,
 * and small (one viewport is at most a few hundred points), so localStorage
 * is enough and can be read synchronously while the map starts.
 */

import { readJSON, writeJSON } from "./storage.js";

const PREFIX = "ansim.offline.";
const DETAILS_KEPT = 30;

function read(name) {
  return readJSON(PREFIX + name);
}

function write(name, value) {
  writeJSON(PREFIX + name, value);
}

/** Public settings (tiles, centre, zoom), so the map starts offline in the right place. */
export function saveConfig(config) {
  write("config", config);
}

export function savedConfig() {
  return read("config");
}

/** The last viewport: {collection, bbox, kinds, at} (at: epoch milliseconds). */
export function saveViewport(collection, bbox, kinds) {
  write("viewport", { collection, bbox, kinds, at: Date.now() });
}

export function savedViewport() {
  return read("viewport");
}

/** The last nearby answer for one kind: {lat, lon, items, at}. */
export function saveNearby(kind, point, items) {
  write(`nearby.${kind}`, { lat: point.lat, lon: point.lon, items, at: Date.now() });
}

export function savedNearby(kind) {
  return read(`nearby.${kind}`);
}

/** Facility details, the most recently opened first, a few dozen at most. */
export function saveDetails(facility) {
  const kept = (read("details") ?? []).filter((item) => item.id !== facility.id);
  write("details", [{ ...facility, saved_at: Date.now() }, ...kept].slice(0, DETAILS_KEPT));
}

export function savedDetails(id) {
  return (read("details") ?? []).find((item) => item.id === id) ?? null;
}
