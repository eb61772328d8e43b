/**
 * Maps on the alerts screen: the area a warning covers — its circles, its
 * polygons (rings of [lon, lat]) and the 구/동 it names, whose boundaries
 * come from /api/v1/areas — and the base map settings both alert maps share.
 * Built on map.js, so tiles that cannot load leave the drawn grid and the
 * shapes still show.
 */

import * as api from "./api.js";
import { createMap } from "./map.js";
import { savedConfig, saveConfig } from "./offline-store.js";

const L = window.L;
// Only for a first visit that is offline before the settings ever arrived.
const FALLBACK_MAP = { tile_url: "", attribution: "", center: [37.5894, 127.0167], zoom: 15 };
const SHAPE_STYLE = { color: "#ff8a5c", weight: 3, fillColor: "#ff8a5c", fillOpacity: 0.2, interactive: false };
const GU_CODE_LENGTH = 5; // a 구 is its SIG_CD; a 동 (adm_cd2) starts with its 구's code

/** The map settings from the server, else the last ones kept on this device. */
export async function mapSettings() {
  try {
    const config = await api.config();
    saveConfig(config);
    return config.map ?? FALLBACK_MAP;
  } catch {
    return savedConfig()?.map ?? FALLBACK_MAP;
  }
}

/** A map in container at the district's usual view (or at centre, [lat, lon]). */
export async function createAreaMap(container, centre = null, zoom = null) {
  const settings = await mapSettings();
  return createMap(container, settings, {
    center: centre ?? settings.center ?? FALLBACK_MAP.center,
    zoom: zoom ?? settings.zoom ?? FALLBACK_MAP.zoom,
  });
}

// Boundaries already fetched, by area code (this page's lifetime).
const boundaries = new Map();

async function fetchBoundaries(level, parent) {
  for (const area of await api.areaShapes(level, parent)) {
    if (area.geometry) boundaries.set(area.code, area.geometry);
  }
}

/** The GeoJSON boundaries of these 구/동 codes that the server knows; throws when it cannot be reached. */
async function boundariesOf(codes) {
  const missing = () => codes.filter((code) => !boundaries.has(code));
  const gu = missing().filter((code) => code.length <= GU_CODE_LENGTH);
  if (gu.length) await fetchBoundaries("gu");
  // 동 are asked for by their 구 (a district's 동, not the whole city's) …
  const parents = new Set(missing().filter((code) => code.length > GU_CODE_LENGTH).map((code) => code.slice(0, GU_CODE_LENGTH)));
  for (const parent of parents) await fetchBoundaries("dong", parent);
  // … and by the whole list only when a code's 구 did not have it.
  if (missing().some((code) => code.length > GU_CODE_LENGTH)) await fetchBoundaries("dong");
  return codes.filter((code) => boundaries.has(code)).map((code) => ({ code, geometry: boundaries.get(code) }));
}

/**
 * The map of one warning's areas in container, made when first drawn (the
 * container must be on screen by then). draw(areas) resolves to
 * {boundaries: "none" | "shown" | "missing"}: "missing" when some 구/동
 * boundaries could not be fetched (offline) or are unknown.
 */
export function createAlertMap(container) {
  let view = null;
  let shapes = null;
  let drawing = 0;

  async function ready() {
    if (!view) {
      view = await createAreaMap(container);
      shapes = L.featureGroup().addTo(view.map);
    }
    view.map.invalidateSize();
    return view;
  }

  async function draw(areas) {
    const mine = ++drawing;
    const { map } = await ready();
    if (mine !== drawing) return { boundaries: "none" };
    shapes.clearLayers();
    for (const circle of areas?.circles ?? []) {
      L.circle([circle.lat, circle.lon], { ...SHAPE_STYLE, radius: circle.radius_m, className: "alert-shape alert-shape-circle" }).addTo(shapes);
    }
    for (const ring of areas?.polygons ?? []) {
      L.polygon(ring.map(([lon, lat]) => [lat, lon]), { ...SHAPE_STYLE, className: "alert-shape alert-shape-polygon" }).addTo(shapes);
    }
    const codes = areas?.geocodes ?? [];
    let found = [];
    let state = codes.length ? "shown" : "none";
    if (codes.length) {
      try {
        found = await boundariesOf(codes);
      } catch {
        found = codes.filter((code) => boundaries.has(code)).map((code) => ({ code, geometry: boundaries.get(code) }));
      }
      if (mine !== drawing) return { boundaries: "none" };
      if (found.length < codes.length) state = "missing";
      for (const { code, geometry } of found) {
        L.geoJSON(geometry, { ...SHAPE_STYLE, className: `alert-shape alert-shape-area alert-area-${code}` }).addTo(shapes);
      }
    }
    const bounds = shapes.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
    container.dataset.shapes = String(shapes.getLayers().length);
    return { boundaries: state };
  }

  return {
    draw,
    relabel: () => view?.relabel(),
    /** The map was hidden and is shown again: let Leaflet measure it afresh. */
    resize: () => view?.map.invalidateSize(),
  };
}
