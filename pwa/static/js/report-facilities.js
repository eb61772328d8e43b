/**
 * Which facility a fault report is about: the nearest bells, cameras and
 * lights around the resident, one to pick, nearest first. A facility chosen
 * on the map (its sheet's "report a fault" button) comes first, picked
 * already. Names come from public data files: written with textContent.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { FAULT_KINDS, kindIcon, kindKey } from "./facility-kinds.js";
import { distanceM, formatDistance, seenFrom } from "./geo.js";
import { setText, t } from "./i18n.js";
import { savedDetails } from "./offline-store.js";

const RADIUS_M = 500;
const LIMIT = 8;
const MOVE_M = 20;

function nameOf(facility) {
  return facility.label || facility.location || facility.road_address || facility.lot_address || t(kindKey(facility.kind));
}

/** fieldset holds the list; position() is the resident's point or null. */
export function createFacilityPicker(fieldset, { position }) {
  const list = find("[data-report-facility-list]", fieldset);
  const stateEl = find("[data-report-facilities-state]", fieldset);
  let shown = false;
  let preset = null; // {id, kind, lat, lon, label} from the map, listed first
  let items = null; // the nearby answer, null before one
  let point = null; // where it was asked for
  let failed = false;
  let picked = null; // the chosen id
  let sequence = 0;

  function option(facility) {
    const label = document.createElement("label");
    label.className = "facility-choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "facility";
    input.value = String(facility.id);
    input.checked = picked === facility.id;
    input.addEventListener("change", () => {
      picked = facility.id;
    });
    const text = document.createElement("span");
    text.className = "facility-choice-text";
    const name = document.createElement("span");
    name.className = "facility-choice-name";
    name.textContent = nameOf(facility);
    const meta = document.createElement("span");
    meta.className = "facility-choice-meta";
    const here = position();
    const parts = [t(kindKey(facility.kind))];
    if (here && Number.isFinite(facility.lat)) parts.push(formatDistance(seenFrom(here, facility).distance_m));
    if (facility === preset) parts.push(t("screen.report.facility.from_map"));
    meta.textContent = parts.join(" · ");
    text.append(name, meta);
    label.append(input, kindIcon(facility.kind), text);
    label.dataset.facilityId = String(facility.id);
    return label;
  }

  function stateKey() {
    if (items?.length || preset) return null;
    if (failed) return "screen.report.facility.offline";
    if (!point) return "screen.report.facility.no_position";
    if (!items) return "screen.report.facility.loading";
    return "screen.report.facility.none";
  }

  function render() {
    const options = preset ? [preset] : [];
    for (const item of items ?? []) if (item.id !== preset?.id) options.push(item);
    list.replaceChildren(...options.map(option));
    const key = stateKey();
    stateEl.hidden = !key;
    if (key) setText(stateEl, key);
    else stateEl.textContent = "";
  }

  async function ask(here) {
    const mine = ++sequence;
    point = { lat: here.lat, lon: here.lon };
    try {
      const answer = await api.nearby({ ...point, kinds: FAULT_KINDS, limit: LIMIT, radius: RADIUS_M });
      if (mine !== sequence) return;
      items = answer.items;
      failed = false;
    } catch (error) {
      if (mine !== sequence) return;
      failed = true;
      if (!error.isNetworkError) console.warn("report: nearby facilities not loaded", error);
    }
    render();
  }

  /** Ask for the facilities around the resident, unless they barely moved. */
  function update(force = false) {
    const here = position();
    if (!shown || !here) return render();
    if (!force && point && !failed && distanceM(point, here) < MOVE_M) return;
    ask(here);
  }

  return {
    /** Shown only for fault reports; the list is asked for when it shows. */
    setShown(isShown) {
      shown = isShown;
      fieldset.hidden = !isShown;
      if (isShown) update();
    },

    /** The resident moved (or was found). */
    update: () => update(),
    refresh: () => update(true),

    /** Pick facility id at once (from the map), with what is known about it. */
    async preset(id) {
      picked = id;
      preset = { id, kind: null, ...savedDetails(id) };
      render();
      if (savedDetails(id)) return;
      try {
        preset = { ...preset, ...(await api.facility(id)) };
      } catch {
        // Offline or gone: it stays listed by number; the server checks it.
      }
      if (picked === id) render();
    },

    /** The chosen facility's id, or null. */
    get value() {
      return picked;
    },

    reset() {
      picked = null;
      preset = null;
      render();
    },
    render,
  };
}
