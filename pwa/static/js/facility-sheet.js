/**
 * A facility's details in a bottom sheet (<dialog data-facility-sheet>):
 * what and where it is, whether it works, who looks after it (with a call
 * link) and the attributes the public data gives, with labels in the
 * reader's language. Opens at once with what the map already knows and fills
 * in when the server answers; offline, the last saved details are shown.
 * A bell, camera or light can be reported broken from here.
 * Everything is written with textContent: the data comes from public files.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { FAULT_KINDS, kindIcon, kindKey } from "./facility-kinds.js";
import { formatDistance, seenFrom } from "./geo.js";
import { formatDate, setText, t } from "./i18n.js";
import { savedDetails, saveDetails } from "./offline-store.js";

/** Attributes shown, in this order; anything else in the data is left out. */
const ATTRIBUTES = [
  "bell_number",
  "purpose",
  "place_type",
  "camera_count",
  "direction",
  "retention_days",
  "opening_hours",
  "operating",
  "phone",
  "police_station",
  "police_link",
  "link_method",
  "security_company_link",
  "management_office_link",
  "extra_functions",
  "count",
  "mount",
  "install_year",
  "installed",
  "designated_year",
  "last_inspection_date",
  "last_inspection_result",
];

function attributeValue(name, value) {
  if (typeof value === "boolean") return t(value ? "map.sheet.yes" : "map.sheet.no");
  if (name === "camera_count") return t("map.sheet.cameras", { n: value });
  if (name === "count") return t("map.sheet.count", { n: value });
  if (name === "retention_days") return t("map.sheet.days", { n: value });
  if (name === "last_inspection_date") return formatDate(value) || String(value);
  return String(value);
}

function telHref(phone) {
  const digits = String(phone).replace(/[^0-9+]/g, "");
  return digits ? `tel:${digits}` : null;
}

/** position() returns the resident's point {lat, lon} or null, for "how far from me". */
export function createFacilitySheet(dialog, { position }) {
  const title = find("[data-facility-title]", dialog);
  const kindEl = find("[data-facility-kind]", dialog);
  const statusEl = find("[data-facility-status]", dialog);
  const distanceEl = find("[data-facility-distance]", dialog);
  const list = find("[data-facility-details]", dialog);
  const note = find("[data-facility-note]", dialog);
  const reportFault = find("[data-facility-report]", dialog);

  let shown = null; // {summary, details, note}
  let opener = null;
  let sequence = 0;

  function row(labelText, value, href = null) {
    const dt = document.createElement("dt");
    dt.textContent = labelText;
    const dd = document.createElement("dd");
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = value;
      dd.append(link);
    } else {
      dd.textContent = value;
    }
    list.append(dt, dd);
  }

  function render() {
    if (!shown) return;
    const { summary, details } = shown;
    const facility = { ...summary, ...(details ?? {}) };
    const kind = facility.kind;
    const name = facility.location || summary.label || facility.road_address || facility.lot_address;
    title.textContent = name || t(kindKey(kind));

    kindEl.replaceChildren(kindIcon(kind), document.createTextNode(t(kindKey(kind))));
    statusEl.hidden = !facility.status || facility.status === "active";
    if (!statusEl.hidden) setText(statusEl, `map.status_value.${facility.status}`);

    const here = position();
    distanceEl.hidden = !(here && Number.isFinite(facility.lat));
    if (!distanceEl.hidden) {
      const seen = seenFrom(here, facility);
      setText(distanceEl, "map.sheet.from_you", {
        distance: formatDistance(seen.distance_m),
        compass: t(`map.compass.${seen.compass}`),
      });
    }

    list.replaceChildren();
    if (details) {
      if (details.location && details.location !== name) row(t("map.sheet.location"), details.location);
      if (details.road_address && details.road_address !== name) row(t("map.sheet.road_address"), details.road_address);
      if (details.lot_address && details.lot_address !== name) row(t("map.sheet.lot_address"), details.lot_address);
      const area = [details.gu_name, details.dong_name].filter(Boolean).join(" ");
      if (area) row(t("map.sheet.area"), area);
      const attributes = details.attributes ?? {};
      for (const attribute of ATTRIBUTES) {
        const value = attributes[attribute];
        if (value === null || value === undefined || value === "") continue;
        const text = attributeValue(attribute, value);
        row(t(`map.attr.${attribute}`), text, attribute === "phone" ? telHref(value) : null);
      }
      if (details.agency_name) row(t("map.sheet.agency"), details.agency_name);
      if (details.agency_phone) row(t("map.sheet.phone"), details.agency_phone, telHref(details.agency_phone));
      if (details.source) {
        const date = details.source_date ? formatDate(details.source_date) : "";
        row(t("map.sheet.source"), date ? `${details.source} (${date})` : details.source);
      }
    }
    note.hidden = !shown.note;
    if (shown.note) setText(note, shown.note);

    // A broken bell, camera or light: report it, with this facility picked.
    reportFault.hidden = !FAULT_KINDS.includes(kind);
    reportFault.href = `#/report?kind=facility_fault&facility=${encodeURIComponent(summary.id)}`;
  }

  async function load(id) {
    const mine = ++sequence;
    try {
      const details = await api.facility(id);
      saveDetails(details);
      if (mine !== sequence) return;
      shown = { ...shown, details, note: null };
    } catch (error) {
      if (mine !== sequence) return;
      const saved = savedDetails(id);
      const offline = error.isNetworkError;
      shown = {
        ...shown,
        details: saved,
        note: offline ? (saved ? "map.sheet.offline_saved" : "map.sheet.offline_none") : "map.sheet.error",
      };
    }
    render();
  }

  for (const button of dialog.querySelectorAll("[data-dialog-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a tap on the backdrop
  });
  // The link goes on to the report screen; the sheet makes way for it.
  reportFault.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    shown = null;
    sequence += 1;
    if (opener?.isConnected) opener.focus({ preventScroll: true });
    opener = null;
  });

  return {
    /** Show summary {id, kind, label, lat, lon} now, and its details when they come. */
    open(summary, from) {
      opener = from ?? document.activeElement;
      shown = { summary, details: null, note: "map.sheet.loading" };
      render();
      if (!dialog.open) dialog.showModal();
      load(summary.id);
    },
    render,
  };
}
