/**
 * Maps in the console's Reports screens: the base map of map.js (tiles named
 * by the server's settings; without them, or when they fail to load, the
 * drawn grid), report markers (an SOS large, red and white-ringed, the others
 * amber), and the numbered cameras and bells around one report.
 */

import * as api from "./api.js";
import { createMap } from "./map.js";

const L = window.L;
const FALLBACK = { tile_url: "", attribution: "", center: [37.5894, 127.0167], zoom: 15 };

/** A map in container, opened on the district's centre. */
async function consoleMap(container) {
  let settings = FALLBACK;
  try {
    settings = (await api.config()).map ?? FALLBACK;
  } catch {
    // No settings: no base map, the grid shows instead.
  }
  const view = createMap(container, settings, {
    center: settings.center ?? FALLBACK.center,
    zoom: settings.zoom ?? FALLBACK.zoom,
  });
  container.dataset.mapReady = "true";
  return view;
}

/**
 * A map made the first time make() is called (Leaflet measures its container,
 * so a screen makes its map once it is on view). view is then {map, relabel,
 * layers}: layers is the one group for what the screen draws.
 */
export function lazyMap(container) {
  let making = null;
  const lazy = {
    view: null,
    make() {
      making ??= consoleMap(container).then((made) => {
        lazy.view = { ...made, layers: L.featureGroup().addTo(made.map) };
        return lazy.view;
      });
      return making;
    },
  };
  return lazy;
}

/** A report's point. Its element carries data-report-id and data-kind for styles and tests. */
export function reportMarker(report, { large = false } = {}) {
  const sos = report.kind === "sos";
  const marker = L.circleMarker([report.lat, report.lon], {
    radius: (sos ? 11 : 8) + (large ? 3 : 0),
    weight: 3,
    color: sos ? "#ffffff" : "#0e1a2b",
    fillColor: sos ? "#d21f3c" : "#ffc53d",
    fillOpacity: 0.95,
    className: sos ? "report-marker report-marker-sos" : "report-marker",
  });
  marker.on("add", () => {
    const path = marker.getElement();
    path.dataset.reportId = String(report.id);
    path.dataset.kind = report.kind;
  });
  return marker;
}

/** Where the reporter's phone may have been: a circle of its GPS accuracy. */
export function accuracyCircle(report) {
  return L.circle([report.lat, report.lon], {
    radius: report.accuracy_m,
    interactive: false,
    color: "#8ccbff",
    weight: 1.5,
    fillColor: "#8ccbff",
    fillOpacity: 0.12,
  });
}

/** A camera ("C1") or bell ("B1") near a report, labelled as in the list beside the map. */
export function facilityMarker(item, label) {
  const badge = document.createElement("span");
  badge.className = `near-marker-badge near-marker-${item.kind}`;
  badge.textContent = label;
  const marker = L.marker([item.lat, item.lon], {
    icon: L.divIcon({ html: badge, className: "near-marker", iconSize: [30, 30], iconAnchor: [15, 15] }),
    interactive: false,
    keyboard: false,
  });
  marker.on("add", () => {
    marker.getElement().dataset.facilityId = String(item.id);
  });
  return marker;
}

/** A thin dashed line from the report to a facility, so the direction reads at a glance. */
export function sightLine(from, item) {
  return L.polyline(
    [
      [from.lat, from.lon],
      [item.lat, item.lon],
    ],
    { color: item.kind === "cctv" ? "#4dabf7" : "#ff8a96", weight: 2, dashArray: "4 6", interactive: false },
  );
}
