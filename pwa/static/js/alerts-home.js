/**
 * "Around my home": a pin on a small map, placed by a tap (or at the map's
 * centre, for keyboards) and dragged to adjust, with the chosen radius drawn
 * around it. The point stays on this device; it leaves only as the push
 * subscription's home area.
 */

import { find, findAll } from "./dom.js";
import { setText, t } from "./i18n.js";
import { formatDistance } from "./geo.js";
import { lastKnownPosition } from "./location.js";
import { createAreaMap } from "./alerts-map.js";

const L = window.L;
const HOME_ZOOM = 15;
const RADIUS_STYLE = { color: "#ffc53d", weight: 2, fillColor: "#ffc53d", fillOpacity: 0.15, interactive: false, className: "home-radius" };

function pinIcon() {
  const pin = document.createElement("span");
  pin.className = "position-pin";
  return L.divIcon({ html: pin, className: "home-marker", iconSize: [36, 44], iconAnchor: [18, 42] });
}

/** root is the home fieldset; onChange({home, radius_m}) after each change by the resident. */
export function createHomePicker(root, { home, radius, onChange }) {
  const container = find("[data-alerts-home-map]", root);
  const status = find("[data-alerts-home-status]", root);
  const clearButton = find("[data-alerts-home-clear]", root);
  const radios = findAll("[data-alerts-radius]", root);
  let point = home; // {lat, lon} or null
  let radiusM = radius;
  let view = null;
  let marker = null;
  let circle = null;
  let starting = null;

  function render() {
    for (const radio of radios) radio.checked = Number(radio.value) === radiusM;
    clearButton.hidden = !point;
    root.dataset.home = point ? "set" : "none";
    if (point) setText(status, "screen.alerts.follow.home.set", { radius: formatDistance(radiusM) });
    else setText(status, "screen.alerts.follow.home.none");
    if (!view) return;
    if (!point) {
      marker?.remove();
      circle?.remove();
      marker = circle = null;
      return;
    }
    const latlng = [point.lat, point.lon];
    if (!marker) {
      // Not keyboard-focusable (Leaflet cannot drag by keys): "Use the map's centre" is the keyboard's way.
      marker = L.marker(latlng, { icon: pinIcon(), draggable: true, keyboard: false, title: t("screen.alerts.follow.home.pin"), zIndexOffset: 1000 }).addTo(view.map);
      marker.on("dragend", () => {
        const at = marker.getLatLng();
        place(at.lat, at.lng, { move: false });
      });
      circle = L.circle(latlng, { ...RADIUS_STYLE, radius: radiusM }).addTo(view.map);
    }
    marker.setLatLng(latlng);
    circle.setLatLng(latlng).setRadius(radiusM);
  }

  function changed() {
    render();
    onChange({ home: point, radius_m: radiusM });
  }

  function place(lat, lon, { move = true } = {}) {
    point = { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
    if (move && view) view.map.panTo([point.lat, point.lon]);
    changed();
  }

  async function ensureMap() {
    if (view) return view.map.invalidateSize();
    starting ??= (async () => {
      const near = point ?? lastKnownPosition();
      view = await createAreaMap(container, near ? [near.lat, near.lon] : null, near ? HOME_ZOOM : null);
      view.map.on("click", (event) => place(event.latlng.lat, event.latlng.lng, { move: false }));
      container.dataset.mapReady = "true";
      render();
    })();
    return starting;
  }

  find("[data-alerts-home-centre]", root).addEventListener("click", async () => {
    await ensureMap();
    const centre = view.map.getCenter();
    place(centre.lat, centre.lng, { move: false });
  });
  clearButton.addEventListener("click", () => {
    point = null;
    changed();
  });
  for (const radio of radios) {
    radio.addEventListener("change", () => {
      if (!radio.checked) return;
      radiusM = Number(radio.value);
      changed();
    });
  }

  render();
  return {
    render,
    /** Make the map once its fieldset is on screen, and re-measure it when it comes back. */
    show: () => ensureMap().catch((error) => console.error("alerts: home map not started", error)),
    relabel() {
      view?.relabel();
      marker?.getElement()?.setAttribute("title", t("screen.alerts.follow.home.pin"));
    },
  };
}
