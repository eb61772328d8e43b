/**
 * Facility markers on the map: whatever lies in the viewport, of the kinds
 * the chips allow, asked for each time the map stops moving. Crowded views
 * come back as clusters (a circle with a count; a tap zooms in). The last
 * answer is saved (one with the facilities themselves is preferred over one
 * with clusters), and drawn again when the server cannot be reached.
 *
 * Each marker's element carries data-facility-id and data-kind, is a button
 * for keyboards and screen readers (Leaflet's keyboard option), and is named
 * in the current language.
 */

import * as api from "./api.js";
import { kindIcon, kindKey } from "./facility-kinds.js";
import { t } from "./i18n.js";
import { savedViewport, saveViewport } from "./offline-store.js";

const L = window.L;
const DEBOUNCE_MS = 250;
const MAX_SPAN_DEG = 2; // the API refuses wider boxes
const PADDING = 0.15; // load a little around the view so short pans show markers at once
const CLUSTER_GAP_PX = 52;

function boxOf(map) {
  const bounds = map.getBounds().pad(PADDING);
  const clamp = (value, limit) => Math.max(-limit, Math.min(limit, value));
  return [
    clamp(bounds.getWest(), 180),
    clamp(bounds.getSouth(), 90),
    clamp(bounds.getEast(), 180),
    clamp(bounds.getNorth(), 90),
  ];
}

/**
 * The server's clusters sit on a fixed grid, so at some zooms their circles
 * overlap; merge those closer than CLUSTER_GAP_PX on screen into one.
 */
function mergeClusters(map, features) {
  const groups = [];
  const sorted = [...features].sort((a, b) => b.properties.count - a.properties.count);
  for (const feature of sorted) {
    const [lon, lat] = feature.geometry.coordinates;
    const point = map.latLngToLayerPoint([lat, lon]);
    const { count, kinds = {} } = feature.properties;
    const near = groups.find((group) => group.point.distanceTo(point) < CLUSTER_GAP_PX);
    if (!near) {
      groups.push({ point, lat: lat * count, lon: lon * count, count, kinds: { ...kinds } });
      continue;
    }
    near.lat += lat * count;
    near.lon += lon * count;
    near.count += count;
    for (const [kind, n] of Object.entries(kinds)) near.kinds[kind] = (near.kinds[kind] ?? 0) + n;
  }
  return groups.map((group) => ({
    type: "Feature",
    geometry: { type: "Point", coordinates: [group.lon / group.count, group.lat / group.count] },
    properties: { cluster: true, count: group.count, kinds: group.kinds },
  }));
}

/** What a tap does, Enter and Space do too (Leaflet's markers only tab and open popups). */
function onActivate(marker, action) {
  marker.on("click", action);
  marker.on("keydown", (event) => {
    if (event.originalEvent.key !== "Enter" && event.originalEvent.key !== " ") return;
    event.originalEvent.preventDefault();
    action();
  });
}

function markerKey(feature) {
  const p = feature.properties;
  return p.cluster ? `c:${feature.geometry.coordinates.join(",")}:${p.count}` : `f:${p.id}`;
}

/**
 * onSelect({id, kind, label, lat, lon}, element) when a facility is tapped;
 * onConnection(ok, savedAt) after each load (ok false: drawn from the saved answer);
 * onTooWide(bool) when the view is too wide to ask for.
 */
export function createFacilitiesLayer(map, { kinds, onSelect, onConnection, onTooWide }) {
  const group = L.layerGroup().addTo(map);
  const markers = new Map(); // key → marker
  let timer = null;
  let sequence = 0;

  function label(marker) {
    const p = marker.options.facility;
    if (p.cluster) return t("map.cluster", { count: p.count });
    return p.label ? `${t(kindKey(p.kind))}: ${p.label}` : t(kindKey(p.kind));
  }

  function decorate(marker) {
    const element = marker.getElement();
    const p = marker.options.facility;
    if (p.cluster) {
      element.dataset.kind = "cluster";
      element.dataset.count = String(p.count);
    } else {
      element.dataset.facilityId = String(p.id);
      element.dataset.kind = p.kind;
    }
    element.setAttribute("aria-label", label(marker));
  }

  function facilityMarker(feature) {
    const [lon, lat] = feature.geometry.coordinates;
    const p = feature.properties;
    const small = p.kind === "security_light";
    const marker = L.marker([lat, lon], {
      icon: L.divIcon({
        html: kindIcon(p.kind, "marker-icon"),
        className: `facility-marker facility-marker-${p.kind}`,
        iconSize: small ? [34, 34] : [44, 44],
      }),
      keyboard: true,
      riseOnHover: true,
      // Bells above everything else where markers overlap; lights below.
      zIndexOffset: p.kind === "bell" ? 400 : small ? -400 : 0,
      facility: p,
    });
    onActivate(marker, () => onSelect({ id: p.id, kind: p.kind, label: p.label, lat, lon }, marker.getElement()));
    return marker;
  }

  function clusterMarker(feature) {
    const [lon, lat] = feature.geometry.coordinates;
    const p = feature.properties;
    const size = p.count < 10 ? 36 : p.count < 100 ? 42 : 50;
    const count = document.createElement("span");
    count.textContent = String(p.count);
    const marker = L.marker([lat, lon], {
      icon: L.divIcon({ html: count, className: "facility-cluster", iconSize: [size, size] }),
      keyboard: true,
      facility: p,
    });
    onActivate(marker, () => map.setView([lat, lon], Math.min(map.getZoom() + 2, map.getMaxZoom())));
    return marker;
  }

  /** Show exactly these features (clusters merged where they would overlap), keeping markers that stay. */
  function draw(allFeatures) {
    const clusters = allFeatures.filter((feature) => feature.properties.cluster);
    const features = clusters.length
      ? [...allFeatures.filter((feature) => !feature.properties.cluster), ...mergeClusters(map, clusters)]
      : allFeatures;
    const wanted = new Map(features.map((feature) => [markerKey(feature), feature]));
    for (const [key, marker] of markers) {
      if (!wanted.has(key)) {
        group.removeLayer(marker);
        markers.delete(key);
      }
    }
    for (const [key, feature] of wanted) {
      if (markers.has(key)) continue;
      const marker = feature.properties.cluster ? clusterMarker(feature) : facilityMarker(feature);
      marker.on("add", () => decorate(marker));
      markers.set(key, marker);
      group.addLayer(marker);
    }
  }

  function drawSaved(enabled) {
    const saved = savedViewport();
    const features = (saved?.collection?.features ?? []).filter(
      (feature) => feature.properties.cluster || enabled.includes(feature.properties.kind),
    );
    draw(features);
    return saved?.at ?? null;
  }

  async function load() {
    if (!map.getSize().x) return; // hidden (another screen is shown): nothing to see yet
    const enabled = kinds();
    const bbox = boxOf(map);
    const mine = ++sequence;
    const tooWide = bbox[2] - bbox[0] > MAX_SPAN_DEG || bbox[3] - bbox[1] > MAX_SPAN_DEG;
    onTooWide(tooWide && enabled.length > 0);
    if (tooWide || enabled.length === 0) {
      draw([]);
      return;
    }
    try {
      const collection = await api.facilitiesInView(bbox, enabled);
      if (mine !== sequence) return; // the map moved on meanwhile
      // Offline, the facilities themselves are worth more than clusters:
      // a clustered answer never replaces a saved one with the facilities.
      const saved = savedViewport();
      if (!collection.aggregated || !saved || saved.collection?.aggregated) saveViewport(collection, bbox, enabled);
      draw(collection.features);
      onConnection(true);
    } catch (error) {
      if (mine !== sequence) return;
      if (!error.isNetworkError) {
        console.warn("facilities: viewport not loaded", error);
        return;
      }
      onConnection(false, drawSaved(enabled));
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(load, DEBOUNCE_MS);
  }

  map.on("moveend", schedule);

  return {
    /** Ask again at once (the chips changed, or the connection came back). */
    reload() {
      clearTimeout(timer);
      return load();
    },
    /** Name every marker again in the current language. */
    relabel() {
      for (const marker of markers.values()) {
        marker.getElement()?.setAttribute("aria-label", label(marker));
      }
    },
  };
}
