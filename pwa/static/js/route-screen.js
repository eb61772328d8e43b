/**
 * The route screen ([data-screen="route"]): walking routes from where the
 * resident is (location.js) to their home — the one placed on the alerts
 * screen and kept on this device (alerts-subscription.js) — or to a point
 * tapped on the map. The alternatives the server finds (shortest, balanced,
 * safest) are drawn each in its own colour and dash pattern, with a card
 * per route saying its length, time, safety score and what the score rests
 * on; choosing a card brings its line forward and highlights the bells
 * along it. Routes need the server: offline, the screen says so.
 */

import * as api from "./api.js";
import { createAreaMap } from "./alerts-map.js";
import { storedHome } from "./alerts-subscription.js";
import { find, findAll } from "./dom.js";
import { formatDistance } from "./geo.js";
import { language, LANGUAGE_CHANGED, setText, t } from "./i18n.js";
import { createLocator } from "./location.js";

const L = window.L;
const ROUTE_ZOOM = 15;
const KINDS = ["shortest", "balanced", "safest"];
// Colour and dash pattern both tell the routes apart (never colour alone).
const LINE_STYLES = {
  shortest: { color: "#4dabf7", dashArray: null, pattern: "solid" },
  balanced: { color: "#ffc53d", dashArray: "16 10", pattern: "dashed" },
  safest: { color: "#51cf66", dashArray: "1 10", pattern: "dotted" },
};

function pinIcon(className) {
  const pin = document.createElement("span");
  pin.className = "position-pin";
  return L.divIcon({ html: pin, className, iconSize: [36, 44], iconAnchor: [18, 42] });
}

function bellIcon() {
  const box = document.createElement("span");
  box.className = "route-bell-icon";
  box.innerHTML = '<svg viewBox="0 0 32 32" aria-hidden="true" focusable="false"><use href="#kind-bell"/></svg>';
  return L.divIcon({ html: box, className: "route-bell", iconSize: [30, 30], iconAnchor: [15, 15] });
}

const percent = (share) => Math.round((Number(share) || 0) * 100);

/** The key of the message for a failed route request. */
export function routeErrorKey(error) {
  if (!navigator.onLine || error?.isNetworkError) return "offline";
  if (error?.status === 404) return "no_path";
  if (error?.status === 503) return "no_graph";
  if (error?.status === 422) {
    const query = error.errors?.query ?? {};
    if (query.from) return "too_far_from";
    if (query.to) return /km/.test(String(query.to)) ? "too_long" : "too_far_to";
    return "invalid";
  }
  return "failed";
}

export function initRouteScreen() {
  const screen = find('[data-screen="route"]');
  if (!screen) return;
  const form = find("[data-route-form]", screen);
  const fromLine = find("[data-route-from]", screen);
  const toRadios = findAll("[data-route-to]", screen);
  const toStatus = find("[data-route-to-status]", screen);
  const homeHelp = find("[data-route-home-help]", screen);
  const container = find("[data-route-map]", screen);
  const findButton = find("[data-route-find]", screen);
  const status = find("[data-route-status]", screen);
  const errorLine = find("[data-route-error]", screen);
  const results = find("[data-route-results]", screen);
  const noteLine = find("[data-route-note]", screen);
  const cardList = find("[data-route-cards]", screen);
  const bellsLine = find("[data-route-bells]", screen);

  let view = null;
  let starting = null;
  let home = storedHome();
  let point = null; // a tapped destination {lat, lon}
  let destinationMarker = null;
  let answer = null; // the last FeatureCollection
  let selected = 0;
  let lines = [];
  let bells = null;
  let routesLayer = null;
  let busy = false;

  const locator = createLocator({
    onPosition: (position) => {
      view?.showPosition(position);
      renderFrom();
    },
    onState: () => renderFrom(),
  });

  const mode = () => toRadios.find((radio) => radio.checked)?.value ?? "home";
  const destination = () => (mode() === "home" ? home : point);

  function renderFrom() {
    const position = locator.position;
    const state = locator.state;
    if (position?.source === "gps" && state !== "denied") {
      setText(fromLine, "screen.route.from.located", { accuracy: formatDistance(position.accuracy || 0) });
    } else if (position?.source === "manual") {
      setText(fromLine, "screen.route.from.manual");
    } else if (state === "locating") {
      setText(fromLine, "screen.route.from.locating");
    } else {
      setText(fromLine, "screen.route.from.none");
    }
  }

  function renderTo() {
    const homeMode = mode() === "home";
    homeHelp.hidden = !(homeMode && !home);
    if (homeMode) {
      if (home) setText(toStatus, "screen.route.to.home_set");
      else toStatus.textContent = "";
    } else {
      setText(toStatus, point ? "screen.route.to.point_set" : "screen.route.to.point_none");
    }
    toStatus.hidden = !toStatus.textContent;
    if (!view) return;
    const target = destination();
    if (!target) {
      destinationMarker?.remove();
      destinationMarker = null;
      return;
    }
    const title = t(homeMode ? "screen.route.marker.home" : "screen.route.marker.destination");
    if (!destinationMarker) {
      destinationMarker = L.marker([target.lat, target.lon], { icon: pinIcon("route-destination"), interactive: false, keyboard: false, zIndexOffset: 900 }).addTo(view.map);
    }
    destinationMarker.setLatLng([target.lat, target.lon]);
    const element = destinationMarker.getElement();
    element?.setAttribute("title", title);
    if (element) element.dataset.routeDestination = homeMode ? "home" : "point";
  }

  function choosePoint(lat, lon) {
    point = { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
    for (const radio of toRadios) radio.checked = radio.value === "point";
    renderTo();
  }

  async function ensureMap() {
    if (view) return view.map.invalidateSize();
    starting ??= (async () => {
      const near = locator.position ?? home;
      view = await createAreaMap(container, near ? [near.lat, near.lon] : null, near ? ROUTE_ZOOM : null);
      routesLayer = L.featureGroup().addTo(view.map);
      bells = L.layerGroup().addTo(view.map);
      view.map.on("click", (event) => choosePoint(event.latlng.lat, event.latlng.lng));
      if (locator.position) view.showPosition(locator.position);
      container.dataset.mapReady = "true";
      renderTo();
      if (answer) drawRoutes();
    })();
    return starting;
  }

  function showError(key) {
    if (key) setText(errorLine, `screen.route.error.${key}`);
    else {
      delete errorLine.dataset.i18n;
      errorLine.textContent = "";
    }
    errorLine.dataset.error = key ?? "";
  }

  function routeName(feature) {
    const kinds = feature.properties.kinds?.length ? feature.properties.kinds : [feature.properties.kind];
    return kinds.map((kind) => t(`screen.route.kind.${kind}`)).join(" · ");
  }

  function styleFor(feature, index) {
    const base = LINE_STYLES[feature.properties.kind] ?? LINE_STYLES.shortest;
    const chosen = index === selected;
    return { color: base.color, dashArray: base.dashArray, weight: chosen ? 8 : 4, opacity: chosen ? 1 : 0.55, lineCap: "round", lineJoin: "round" };
  }

  function drawRoutes() {
    if (!view) return;
    routesLayer.clearLayers();
    lines = answer.features.map((feature, index) => {
      const latlngs = feature.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
      const line = L.polyline(latlngs, { ...styleFor(feature, index), interactive: false, className: `route-line route-line-${feature.properties.kind}` }).addTo(routesLayer);
      const element = line.getElement();
      if (element) {
        element.dataset.routeLine = feature.properties.kind;
        element.dataset.routeIndex = String(index);
      }
      return line;
    });
    const bounds = routesLayer.getBounds();
    if (bounds.isValid()) view.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
    highlight();
  }

  /** Bring the chosen route's line forward and mark the bells along it. */
  function highlight() {
    if (!answer) return;
    answer.features.forEach((feature, index) => {
      const line = lines[index];
      if (!line) return;
      line.setStyle(styleFor(feature, index));
      const element = line.getElement();
      if (element) element.dataset.selected = String(index === selected);
    });
    lines[selected]?.bringToFront();
    for (const [index, card] of findAll("[data-route-card]", cardList).entries()) {
      card.setAttribute("aria-pressed", String(index === selected));
    }
    const feature = answer.features[selected];
    const along = (feature?.properties.facilities ?? []).filter((item) => item.kind === "bell");
    if (along.length) setText(bellsLine, "screen.route.bells", { count: along.length });
    else setText(bellsLine, "screen.route.bells_none");
    if (!bells) return;
    bells.clearLayers();
    for (const bell of along) {
      const marker = L.marker([bell.lat, bell.lon], { icon: bellIcon(), interactive: false, keyboard: false, zIndexOffset: 800 }).addTo(bells);
      const element = marker.getElement();
      if (element) {
        element.dataset.routeBell = String(bell.id);
        element.setAttribute("title", t("screen.route.bell"));
      }
    }
    container.dataset.routeBells = String(along.length);
  }

  function card(feature, index) {
    const { kind, length_m: length, walking_minutes: minutes, safety_score: score, explanation = {} } = feature.properties;
    const style = LINE_STYLES[kind] ?? LINE_STYLES.shortest;
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "route-card";
    button.dataset.routeCard = kind;
    button.setAttribute("aria-pressed", String(index === selected));

    const head = document.createElement("span");
    head.className = "route-card-head";
    const swatch = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    swatch.setAttribute("class", "route-swatch");
    swatch.setAttribute("viewBox", "0 0 48 12");
    swatch.setAttribute("aria-hidden", "true");
    swatch.setAttribute("focusable", "false");
    const stroke = document.createElementNS("http://www.w3.org/2000/svg", "line");
    for (const [name, value] of Object.entries({ x1: 4, y1: 6, x2: 44, y2: 6, stroke: style.color, "stroke-width": 5, "stroke-linecap": "round" })) stroke.setAttribute(name, String(value));
    if (style.dashArray) stroke.setAttribute("stroke-dasharray", style.dashArray.replace(/\d+/g, (n) => String(Math.max(1, Math.round(Number(n) / 2)))));
    swatch.append(stroke);
    const name = document.createElement("span");
    name.className = "route-card-name";
    name.textContent = routeName(feature);
    const scoreBadge = document.createElement("span");
    scoreBadge.className = "route-card-score";
    scoreBadge.dataset.routeScore = String(score);
    scoreBadge.textContent = t("screen.route.card.score", { score: Math.round(score) });
    head.append(swatch, name, scoreBadge);

    const meta = document.createElement("span");
    meta.className = "route-card-meta";
    meta.textContent = t("screen.route.card.meta", { length: formatDistance(length), minutes: Math.max(1, Math.round(minutes)) });
    const why = document.createElement("span");
    why.className = "route-card-why";
    why.dataset.routeExplanation = "";
    why.textContent = t("screen.route.card.explanation", {
      camera: percent(explanation.camera_share),
      lit: percent(explanation.lit_share),
      safe: percent(explanation.safe_path_share),
      bells: explanation.bells_passed ?? 0,
    });
    const pattern = document.createElement("span");
    pattern.className = "route-card-pattern";
    pattern.textContent = t(`screen.route.card.line_${style.pattern}`);

    button.append(head, meta, why, pattern);
    button.addEventListener("click", () => {
      selected = index;
      highlight();
    });
    item.append(button);
    return item;
  }

  function renderResults() {
    results.hidden = !answer;
    cardList.replaceChildren();
    if (!answer) return;
    cardList.append(...answer.features.map(card));
    const note = answer.note?.[language()] ?? answer.note?.ko;
    noteLine.hidden = !note;
    noteLine.textContent = note ?? "";
    highlight();
  }

  async function findRoutes() {
    if (busy) return;
    showError(null);
    const from = locator.position;
    const to = destination();
    if (!from) return showError("no_from");
    if (!to) return showError(mode() === "home" ? "no_home" : "no_point");
    if (!navigator.onLine) return showError("offline");
    busy = true;
    findButton.disabled = true;
    screen.dataset.routeState = "finding";
    setText(status, "screen.route.finding");
    try {
      const found = await api.routes(from, to);
      answer = { ...found, features: (found.features ?? []).filter((f) => KINDS.includes(f.properties?.kind)) };
      selected = 0;
      setText(status, "screen.route.found", { count: answer.features.length });
      renderResults();
      drawRoutes();
      screen.dataset.routeState = "found";
    } catch (error) {
      answer = null;
      lines = [];
      routesLayer?.clearLayers();
      bells?.clearLayers();
      renderResults();
      delete status.dataset.i18n;
      status.textContent = "";
      showError(routeErrorKey(error));
      screen.dataset.routeState = "error";
      if (!error.status || error.status >= 500) console.warn("routes: not found", error);
    } finally {
      busy = false;
      findButton.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    findRoutes();
  });
  for (const radio of toRadios) radio.addEventListener("change", renderTo);
  find("[data-route-centre]", screen).addEventListener("click", async () => {
    await ensureMap();
    const centre = view.map.getCenter();
    choosePoint(centre.lat, centre.lng);
  });

  let active = null;
  function syncActive() {
    const visible = !screen.hidden && document.visibilityState === "visible";
    if (visible === active) return;
    active = visible;
    locator.setActive(visible);
    if (!visible) return;
    home = storedHome(); // it may have been placed on the alerts screen meanwhile
    renderTo();
    ensureMap().catch((error) => console.error("route: map not started", error));
  }
  new MutationObserver(syncActive).observe(screen, { attributes: true, attributeFilter: ["hidden"] });
  document.addEventListener("visibilitychange", syncActive);
  document.addEventListener(LANGUAGE_CHANGED, () => {
    view?.relabel();
    renderFrom();
    renderTo();
    if (answer) renderResults();
  });

  renderFrom();
  renderTo();
  locator.start().then(syncActive, (error) => console.error("route: location not started", error));
}
