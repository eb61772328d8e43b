/**
 * The Map screen ([data-screen="map"]): puts the map, the facility markers
 * and their filter chips, the resident's position, the nearest-bell card,
 * the details sheet and the offline notice together. The phone's position
 * and compass are followed only while the screen is on view.
 */

import * as api from "./api.js";
import { find, findAll } from "./dom.js";
import { createFacilitiesLayer } from "./facilities-layer.js";
import { createFacilitySheet } from "./facility-sheet.js";
import { formatDateTime, LANGUAGE_CHANGED, setText } from "./i18n.js";
import { initKindFilter } from "./kind-filter.js";
import { createLocator } from "./location.js";
import { createMap } from "./map.js";
import { createNearestCard } from "./nearest-card.js";
import { savedConfig, saveConfig } from "./offline-store.js";

// Only for a first visit that is offline before the settings ever arrived.
const FALLBACK_MAP = { tile_url: "", attribution: "", center: [37.5894, 127.0167], zoom: 15 };
const LOCATED_ZOOM = 17;
const SAVED_POSITION_ZOOM = 16;
// States in which the resident may set their point by tapping the map.
const TAP_TO_SET = new Set(["denied", "unavailable", "manual"]);

async function mapSettings() {
  try {
    const config = await api.config();
    saveConfig(config);
    return config.map;
  } catch {
    return savedConfig()?.map ?? FALLBACK_MAP;
  }
}

export async function initMapScreen() {
  const screen = find('[data-screen="map"]');
  const container = find("[data-map]", screen);
  const status = find("[data-location-status]", screen);
  const help = find("[data-location-help]", screen);
  const offlineNotice = find("[data-map-offline]", screen);
  const crosshair = find("[data-map-crosshair]", screen);

  const area = find("[data-map-area]", screen);
  const overlayTop = find("[data-map-overlays]", screen);
  const overlayBottom = find("[data-nearest]", screen);

  /** How much of the map the panels above and below cover, in pixels. */
  function insets() {
    const box = area.getBoundingClientRect();
    return {
      top: overlayTop.getBoundingClientRect().bottom - box.top,
      bottom: box.bottom - overlayBottom.getBoundingClientRect().top,
    };
  }

  let view = null;
  let card = null;
  const connection = {}; // part → {ok, at}: what the last request of each part found

  function renderOffline() {
    const failed = Object.values(connection).filter((part) => !part.ok);
    offlineNotice.hidden = failed.length === 0;
    if (!failed.length) return;
    const times = failed.map((part) => part.at).filter(Boolean);
    if (times.length) setText(offlineNotice, "map.offline", { time: formatDateTime(Math.min(...times)) });
    else setText(offlineNotice, "map.offline_nothing");
  }

  const reportConnection = (part) => (ok, at = null) => {
    connection[part] = { ok, at };
    renderOffline();
  };

  function renderLocationState(state) {
    status.dataset.state = state;
    setText(status, `map.status.${state}`);
    const needsHelp = !["locating", "located"].includes(state);
    help.hidden = !needsHelp;
    crosshair.hidden = !needsHelp;
    if (needsHelp) setText(find("[data-location-help-text]", help), `map.help.${state}`);
    // Asking again is pointless once the browser has said no, and redundant in manual mode.
    find("[data-locate-retry]", help).hidden = state === "denied" || state === "manual";
    find("[data-locate]", screen).dataset.state = state;
  }

  const locator = createLocator({
    // Called only from locator.start() on, once the map and the card exist.
    onPosition(position, { centre }) {
      view.showPosition(position);
      if (centre) view.focus([position.lat, position.lon], LOCATED_ZOOM, insets());
      card.update(position);
    },
    onState: renderLocationState,
  });

  const settings = await mapSettings();
  const saved = locator.position;
  view = createMap(
    container,
    settings,
    saved
      ? { center: [saved.lat, saved.lon], zoom: SAVED_POSITION_ZOOM }
      : { center: settings.center ?? FALLBACK_MAP.center, zoom: settings.zoom ?? FALLBACK_MAP.zoom },
  );
  const { map } = view;
  find("[data-map-nobase]", screen).hidden = view.hasTiles;

  const sheet = createFacilitySheet(find("[data-facility-sheet]"), { position: () => locator.position });

  const enabledKinds = initKindFilter(screen, () => layer.reload());
  const layer = createFacilitiesLayer(map, {
    kinds: enabledKinds,
    onSelect: (facility, element) => sheet.open(facility, element),
    onConnection: reportConnection("viewport"),
    onTooWide: (tooWide) => {
      find("[data-map-too-wide]", screen).hidden = !tooWide;
    },
  });

  card = createNearestCard(overlayBottom, {
    onOpen(item, element) {
      view.focus([item.lat, item.lon], LOCATED_ZOOM, insets());
      sheet.open(item, element);
    },
    onConnection: reportConnection("nearby"),
  });

  // Finding the resident, or letting them say where they are.
  for (const button of findAll("[data-locate], [data-locate-retry]", screen)) {
    button.addEventListener("click", () => locator.locate());
  }
  find("[data-manual-position]", screen).addEventListener("click", () => {
    const centre = map.getCenter();
    locator.setManual(centre.lat, centre.lng);
  });
  map.on("click", (event) => {
    if (TAP_TO_SET.has(locator.state)) locator.setManual(event.latlng.lat, event.latlng.lng);
  });
  // A long press (a right click with a mouse) sets the point in any state.
  map.on("contextmenu", (event) => locator.setManual(event.latlng.lat, event.latlng.lng));

  // Follow the phone only while the screen is on view.
  let active = null;
  function syncActive() {
    const now = !screen.hidden && document.visibilityState === "visible";
    if (now === active) return;
    active = now;
    locator.setActive(now);
    card.setActive(now);
    if (now) map.invalidateSize();
  }
  new MutationObserver(syncActive).observe(screen, { attributes: true, attributeFilter: ["hidden"] });
  document.addEventListener("visibilitychange", syncActive);
  syncActive();

  window.addEventListener("online", () => {
    layer.reload();
    card.refresh();
  });
  document.addEventListener(LANGUAGE_CHANGED, () => {
    view.relabel();
    layer.relabel();
    card.render();
    sheet.render();
    renderOffline();
  });

  await locator.start();
  layer.reload();
  container.dataset.mapReady = "true";
}
