/**
 * The Leaflet map itself: the base tiles named by the server's settings (or
 * none, with a drawn grid instead), the resident's position with its
 * accuracy circle, and Leaflet's own controls in the app's language.
 *
 * Leaflet is the vendored UMD build, loaded by a classic <script> before the
 * modules, so it is window.L here. Tiles are fetched by Leaflet as the map
 * moves and never stored by the app (tile servers forbid bulk copies); when
 * they fail, the map still draws everything else on its plain background.
 */

import { t } from "./i18n.js";

const L = window.L;
const MIN_ZOOM = 8; // wider views would exceed the 2° the viewport API allows
const MAX_ZOOM = 19;

/** Attribution text goes into Leaflet as HTML: keep the setting plain text. */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function positionIcon(source) {
  const dot = document.createElement("span");
  dot.className = source === "manual" ? "position-pin" : "position-dot";
  return L.divIcon({
    html: dot,
    className: "position-marker",
    iconSize: source === "manual" ? [36, 44] : [26, 26],
    iconAnchor: source === "manual" ? [18, 42] : [13, 13],
  });
}

/**
 * A Leaflet map in container, starting at view {center: [lat, lon], zoom}.
 * settings is the config's "map" object {tile_url, attribution, ...}.
 */
export function createMap(container, settings, view) {
  const map = L.map(container, {
    zoomControl: false,
    minZoom: MIN_ZOOM,
    maxZoom: MAX_ZOOM,
    zoomSnap: 1,
    worldCopyJump: false,
  });
  // Bottom left: the SOS button covers the bottom right corner.
  map.attributionControl.setPosition("bottomleft").setPrefix("Leaflet");

  const hasTiles = Boolean(settings?.tile_url);
  if (hasTiles) {
    L.tileLayer(settings.tile_url, {
      maxZoom: MAX_ZOOM,
      attribution: escapeHtml(settings.attribution ?? ""),
    }).addTo(map);
  }
  container.classList.toggle("map-nobase", !hasTiles);

  let zoomControl = null;
  function relabel() {
    zoomControl?.remove();
    zoomControl = L.control
      .zoom({ position: "topright", zoomInTitle: t("map.zoom_in"), zoomOutTitle: t("map.zoom_out") })
      .addTo(map);
  }
  relabel();
  // The zoom level, for styles and tests that need to know it.
  map.on("zoomend", () => {
    container.dataset.zoom = String(map.getZoom());
  });
  map.setView(view.center, view.zoom);

  let marker = null;
  let accuracy = null;
  let markerSource = null;

  /** Draw the resident's point: a dot with its accuracy, or a pin when set by hand. */
  function showPosition(position) {
    const latlng = [position.lat, position.lon];
    if (!marker || markerSource !== position.source) {
      marker?.remove();
      marker = L.marker(latlng, {
        icon: positionIcon(position.source),
        interactive: false,
        keyboard: false,
        zIndexOffset: 1000,
      }).addTo(map);
      markerSource = position.source;
      marker.getElement().dataset.positionMarker = position.source;
    } else {
      marker.setLatLng(latlng);
    }
    if (position.source === "gps" && position.accuracy > 0) {
      if (!accuracy) {
        accuracy = L.circle(latlng, {
          radius: position.accuracy,
          interactive: false,
          color: "#8ccbff",
          weight: 1.5,
          fillColor: "#8ccbff",
          fillOpacity: 0.15,
        }).addTo(map);
      }
      accuracy.setLatLng(latlng).setRadius(position.accuracy);
    } else {
      accuracy?.remove();
      accuracy = null;
    }
  }

  /**
   * Centre the map on latlng, in the middle of the part that overlays leave
   * uncovered (insets: {top, bottom} in pixels), at zoom or nearer.
   */
  function focus(latlng, zoom, insets = { top: 0, bottom: 0 }) {
    const target = Math.max(map.getZoom(), zoom);
    const size = map.getSize();
    const band = size.y - insets.top - insets.bottom;
    // Where latlng should appear, relative to the container's centre.
    const shift = band >= 80 ? insets.top + band / 2 - size.y / 2 : 0;
    const centre = map.unproject(map.project(latlng, target).subtract([0, shift]), target);
    map.setView(centre, target);
  }

  return { map, hasTiles, relabel, showPosition, focus };
}
