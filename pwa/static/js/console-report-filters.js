/**
 * The Reports list's filters: statuses, kinds, an area (구 or 동) and a time
 * window. They live in the hash query (#/reports?status=new&kind=sos), so a
 * reload or a shared address keeps them; here they are read from and written
 * to the hash and the form, turned into API parameters, and checked against a
 * report that arrives on the live stream.
 */

import { find, findAll } from "./dom.js";
import { t } from "./i18n.js";

export const WINDOWS = ["today", "24h", "7d", "30d", "custom"];
const HOUR_MS = 3_600_000;
const WINDOW_HOURS = { "24h": 24, "7d": 7 * 24, "30d": 30 * 24 };
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

function list(params, name) {
  return params
    .getAll(name)
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);
}

/** The filters in a hash such as "#/reports?status=new,acknowledged&page=2". */
export function parseFilters(hash) {
  const query = hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : "";
  const params = new URLSearchParams(query);
  const window = WINDOWS.includes(params.get("window")) ? params.get("window") : "";
  const local = (name) => (window === "custom" && LOCAL_DATETIME.test(params.get(name) ?? "") ? params.get(name) : "");
  const page = Number.parseInt(params.get("page") ?? "1", 10);
  return {
    status: list(params, "status"),
    kind: list(params, "kind"),
    area: params.get("area") ?? "",
    window,
    since: local("since"),
    until: local("until"),
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/** The hash that keeps these filters, e.g. "#/reports?status=new&kind=sos". */
export function filtersHash(filters) {
  const params = new URLSearchParams();
  if (filters.status.length) params.set("status", filters.status.join(","));
  if (filters.kind.length) params.set("kind", filters.kind.join(","));
  if (filters.area) params.set("area", filters.area);
  if (filters.window) params.set("window", filters.window);
  if (filters.window === "custom") {
    if (filters.since) params.set("since", filters.since);
    if (filters.until) params.set("until", filters.until);
  }
  if (filters.page > 1) params.set("page", String(filters.page));
  const query = params.toString().replace(/%2C/gi, ","); // commas stay readable
  return query ? `#/reports?${query}` : "#/reports";
}

function isoOrNull(localValue) {
  const date = localValue ? new Date(localValue) : null;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}

/** The API's parameters: statuses, kinds, area, and since/until as ISO times. */
export function apiFilters(filters, now = new Date()) {
  let since = null;
  let until = null;
  if (filters.window === "today") {
    since = new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
  } else if (WINDOW_HOURS[filters.window]) {
    since = new Date(now.getTime() - WINDOW_HOURS[filters.window] * HOUR_MS).toISOString();
  } else if (filters.window === "custom") {
    since = isoOrNull(filters.since);
    until = isoOrNull(filters.until);
  }
  return { status: filters.status, kind: filters.kind, area: filters.area || null, since, until };
}

/** Whether a report (as the stream sends it) belongs in a list asked for with these API parameters. */
export function matches(report, query) {
  if (query.status.length && !query.status.includes(report.status)) return false;
  if (query.kind.length && !query.kind.includes(report.kind)) return false;
  if (query.area && report.gu_code !== query.area && report.dong_code !== query.area) return false;
  const received = Date.parse(report.received_at);
  if (query.since && received < Date.parse(query.since)) return false;
  if (query.until && received >= Date.parse(query.until)) return false;
  return true;
}

/** Show filters in the form (checkboxes, area, window, custom times). */
export function fillForm(form, filters) {
  for (const box of findAll('input[type="checkbox"]', form)) {
    box.checked = (filters[box.name] ?? []).includes(box.value);
  }
  const area = form.elements.area;
  if (filters.area && !findAll("option", area).some((option) => option.value === filters.area)) {
    // An area the list of names does not (yet) have: keep it, by its code.
    const option = document.createElement("option");
    option.value = option.textContent = filters.area;
    area.append(option);
  }
  area.value = filters.area;
  form.elements.window.value = filters.window;
  form.elements.since.value = filters.since;
  form.elements.until.value = filters.until;
  showCustomWindow(form);
}

/** The filters the form shows (back to the first page). */
export function readForm(form) {
  const checked = (name) => findAll(`input[name="${name}"]:checked`, form).map((box) => box.value);
  const window = form.elements.window.value;
  return {
    status: checked("status"),
    kind: checked("kind"),
    area: form.elements.area.value,
    window,
    since: window === "custom" ? form.elements.since.value : "",
    until: window === "custom" ? form.elements.until.value : "",
    page: 1,
  };
}

export function showCustomWindow(form) {
  const custom = form.elements.window.value === "custom";
  for (const field of findAll("[data-custom-window]", form)) field.hidden = !custom;
}

/**
 * Fill the area picker: 동 grouped under their 구 (each 구 first, as a whole).
 * areas: [{code, name, name_en, level, parent_code}].
 */
export function fillAreas(select, areas, lang) {
  const name = (area) => (lang === "en" && area.name_en ? area.name_en : area.name);
  const keep = select.value;
  const first = find("option", select); // "all areas"
  const gus = areas.filter((area) => area.level === "gu");
  const dongs = areas.filter((area) => area.level === "dong");
  const groups = [];
  for (const gu of gus) {
    const group = document.createElement("optgroup");
    group.label = name(gu);
    group.append(new Option(t("console.reports.filter.whole_gu", { name: name(gu) }), gu.code));
    for (const dong of dongs.filter((d) => d.parent_code === gu.code)) group.append(new Option(name(dong), dong.code));
    groups.push(group);
  }
  const orphans = dongs.filter((dong) => !gus.some((gu) => gu.code === dong.parent_code));
  select.replaceChildren(first, ...groups, ...orphans.map((dong) => new Option(name(dong), dong.code)));
  if (keep && !findAll("option", select).some((option) => option.value === keep)) select.append(new Option(keep, keep));
  select.value = keep;
}
