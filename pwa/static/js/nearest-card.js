/**
 * The nearest-bell card at the foot of the map: which emergency bell is
 * closest, how far, which way (an arrow, turned by the phone's compass when
 * it has one), and how long a walk; below it, the nearest CCTV and safe house.
 *
 * Asked again whenever the resident moves more than MOVE_M. Offline, the
 * answer is worked out on the phone from what was saved (the last nearby
 * answers and the last viewport), measured from where the resident is now.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { kindKey } from "./facility-kinds.js";
import { distanceM, formatDistance, seenFrom } from "./geo.js";
import { setText, t } from "./i18n.js";
import { savedNearby, saveNearby, savedViewport } from "./offline-store.js";

const KINDS = ["bell", "cctv", "safe_house"];
const RADIUS_M = 5000;
const MOVE_M = 20;

function walkMinutes(item) {
  return Math.max(1, Math.ceil(item.walking_minutes));
}

/** The nearest saved facility of kind, seen from point; null when none is within reach. */
function nearestSaved(kind, point) {
  const candidates = new Map();
  for (const item of savedNearby(kind)?.items ?? []) candidates.set(item.id, item);
  for (const feature of savedViewport()?.collection?.features ?? []) {
    const p = feature.properties;
    if (p.cluster || p.kind !== kind) continue;
    const [lon, lat] = feature.geometry.coordinates;
    candidates.set(p.id, { id: p.id, kind, lat, lon, label: p.label });
  }
  let best = null;
  for (const candidate of candidates.values()) {
    const item = seenFrom(point, { id: candidate.id, kind, lat: candidate.lat, lon: candidate.lon, label: candidate.label });
    if (item.distance_m <= RADIUS_M && (!best || item.distance_m < best.distance_m)) best = item;
  }
  return best;
}

/**
 * root holds the card's elements. onOpen(item, element) when the resident
 * taps the bell (or a CCTV or safe house below it); onConnection(ok, savedAt).
 */
export function createNearestCard(root, { onOpen, onConnection }) {
  const card = find("[data-nearest-bell]", root);
  const labelEl = find("[data-nearest-label]", root);
  const distanceEl = find("[data-nearest-distance]", root);
  const compassEl = find("[data-nearest-compass]", root);
  const walkEl = find("[data-nearest-walk]", root);
  const arrow = find("[data-nearest-arrow]", root);
  const savedBadge = find("[data-nearest-saved]", root);

  let point = null; // where the last answer was asked for
  let results = null; // {bell, cctv, safe_house}: items or null; null before any answer
  let fromSaved = false; // results were worked out from saved answers
  let heading = null; // degrees clockwise from north, from the phone's compass
  let turned = 0; // the arrow's rotation so far, unwrapped so it always turns the short way
  let sequence = 0;

  function turnArrow() {
    const bearing = results?.bell?.bearing_deg;
    if (bearing === undefined) return;
    const target = heading === null ? bearing : bearing - heading;
    turned += ((((target - turned) % 360) + 540) % 360) - 180;
    arrow.style.transform = `rotate(${turned}deg)`;
    if (heading === null) delete arrow.dataset.heading;
    else arrow.dataset.heading = String(Math.round(heading));
  }

  function renderOther(kind) {
    const button = find(`[data-nearest-other="${kind}"]`, root);
    const item = results?.[kind];
    button.hidden = !item;
    if (item) setText(find("[data-nearest-other-text]", button), `map.nearest.${kind}`, { distance: formatDistance(item.distance_m) });
  }

  function render() {
    const bell = results?.bell;
    card.disabled = !bell;
    card.dataset.state = !point ? "no-position" : !results ? "loading" : bell ? "found" : "none";
    savedBadge.hidden = !(fromSaved && bell);
    if (bell) {
      labelEl.textContent = bell.label || t(kindKey("bell"));
      delete labelEl.dataset.i18n;
      distanceEl.textContent = formatDistance(bell.distance_m);
      setText(compassEl, `map.compass.${bell.compass}`);
      setText(walkEl, "map.walk", { minutes: walkMinutes(bell) });
      card.dataset.facilityId = String(bell.id);
      arrow.dataset.bearing = String(bell.bearing_deg);
      turnArrow();
    } else {
      let key = "map.nearest.none";
      if (!point) key = "map.nearest.no_position";
      else if (!results) key = "map.nearest.loading";
      else if (fromSaved) key = "map.nearest.offline";
      setText(labelEl, key);
      for (const element of [distanceEl, compassEl, walkEl]) {
        element.textContent = "";
        delete element.dataset.i18n;
      }
      delete card.dataset.facilityId;
      delete arrow.dataset.bearing;
    }
    for (const kind of KINDS.slice(1)) renderOther(kind);
  }

  async function ask(position) {
    const mine = ++sequence;
    const here = { lat: position.lat, lon: position.lon };
    point = here;
    try {
      const answers = await Promise.all(
        KINDS.map((kind) => api.nearby({ lat: here.lat, lon: here.lon, kinds: [kind], limit: 1, radius: RADIUS_M })),
      );
      if (mine !== sequence) return;
      results = {};
      KINDS.forEach((kind, n) => {
        results[kind] = answers[n].items[0] ?? null;
        saveNearby(kind, here, answers[n].items);
      });
      fromSaved = false;
      onConnection(true);
    } catch (error) {
      if (mine !== sequence) return;
      // Whatever went wrong, the last saved answers are better than nothing.
      results = Object.fromEntries(KINDS.map((kind) => [kind, nearestSaved(kind, here)]));
      fromSaved = true;
      if (error.isNetworkError) onConnection(false, savedNearby("bell")?.at ?? null);
      else console.warn("nearest: not loaded", error);
    }
    render();
  }

  function onOrientation(event) {
    let next = null;
    if (typeof event.webkitCompassHeading === "number") next = event.webkitCompassHeading;
    else if (event.absolute && typeof event.alpha === "number") next = 360 - event.alpha;
    if (next === null) return;
    heading = (next + (screen.orientation?.angle ?? 0) + 360) % 360;
    turnArrow();
  }

  card.addEventListener("click", () => results?.bell && onOpen(results.bell, card));
  for (const kind of KINDS.slice(1)) {
    const button = find(`[data-nearest-other="${kind}"]`, root);
    button.addEventListener("click", () => results?.[kind] && onOpen(results[kind], button));
  }
  render();

  return {
    /** The resident is at position now; ask again if they moved far enough. */
    update(position, { force = false } = {}) {
      if (!force && point && distanceM(point, position) < MOVE_M) return;
      ask(position);
    },
    /** Ask again for the same point (the connection came back). */
    refresh() {
      if (point) ask(point);
    },
    render,
    /** Follow the phone's compass only while the map is on screen. */
    setActive(active) {
      const method = active ? "addEventListener" : "removeEventListener";
      window[method]("deviceorientationabsolute", onOrientation);
      window[method]("deviceorientation", onOrientation);
      if (!active) heading = null;
    },
  };
}
