/**
 * The console's Warnings section. At #/warnings, every warning in any state
 * (filtered by state, kept in the hash; a page at a time): its type and
 * severity, headline and area, who wrote and approved it, when it went out
 * and until when, and its delivery counts, which move while pushes are still
 * queued. At #/warnings/new (?report=<id> to start from a report) and
 * #/warnings/<id>, one warning's page (console-warning.js).
 */

import * as api from "./api.js";
import { clearText, element, timeElement } from "./console-format.js";
import { countsElement, localised, severityLabel, STATES, statePill, typeTags } from "./console-warning-format.js";
import { createCountsWatch } from "./console-warning-live.js";
import { createWarningPage } from "./console-warning.js";
import { find, findAll } from "./dom.js";
import { LANGUAGE_CHANGED, setText } from "./i18n.js";

const PAGE_SIZE = 25;
const SECTION = /^#\/warnings(?=$|[/?])/; // what the router shows this section for
const ONE = /^#\/warnings\/(\d+)\/?(?:\?|$)/;
const NEW = /^#\/warnings\/new\/?(?:\?(.*))?$/;

let screen;
let listView;
let pageView;
let form;
let rows;
let errorBox;
let page; // the warning page
let watch; // delivery counts of the rows with pushes queued

let filters = { state: [], page: 1 };
let pages = 1;
let total = 0;
let loadCount = 0;
let viewing = null; // "list" | "warning" | null (another section)
const shown = new Map(); // id → alert, for redrawing (a language switch)

/** The filters in a hash such as "#/warnings?state=sent,draft&page=2". */
function parseFilters(hash) {
  const query = hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : "";
  const params = new URLSearchParams(query);
  const state = params
    .getAll("state")
    .flatMap((value) => value.split(","))
    .filter((value) => STATES.includes(value));
  const number = Number.parseInt(params.get("page") ?? "1", 10);
  return { state, page: Number.isFinite(number) && number > 0 ? number : 1 };
}

function filtersHash({ state, page: number }) {
  const params = new URLSearchParams();
  if (state.length) params.set("state", state.join(","));
  if (number > 1) params.set("page", String(number));
  const query = params.toString().replace(/%2C/gi, ",");
  return query ? `#/warnings?${query}` : "#/warnings";
}

function cell(...children) {
  const td = document.createElement("td");
  td.append(...children);
  return td;
}

function dash() {
  return element("span", "muted", { text: "—" });
}

function rowOf(id) {
  return find(`tr[data-warning-id="${CSS.escape(String(id))}"]`, rows);
}

function fillRow(row, alert) {
  row.dataset.state = alert.state;
  const open = element("a", "report-link", { key: "console.warnings.open", vars: { id: alert.id } });
  open.href = `#/warnings/${alert.id}`;
  open.dataset.warningLink = "";
  const headline = cell(element("span", "warning-headline", { text: localised(alert, "headline") }));
  for (const tag of typeTags(alert)) headline.append(" ", tag);
  const people = cell(alert.author_name ? element("span", "", { text: alert.author_name }) : dash());
  if (alert.approver_name) people.append(element("span", "warning-approver", { key: "console.warnings.approved_by", vars: { name: alert.approver_name } }));
  row.replaceChildren(
    cell(open),
    cell(statePill(alert.state)),
    cell(severityLabel(alert.severity)),
    headline,
    cell(element("span", "", { text: localised(alert, "area_desc") })),
    people,
    cell(alert.sent_at ? timeElement(alert.sent_at, { short: true }) : dash()),
    cell(timeElement(alert.expires, { short: true })),
    cell(alert.sent_at ? countsElement(alert.counts) : dash()),
  );
  shown.set(alert.id, alert);
}

function newRow(alert) {
  const row = document.createElement("tr");
  row.dataset.warningId = String(alert.id);
  fillRow(row, alert);
  return row;
}

function renderCount() {
  setText(find("[data-warnings-count]", listView), "console.warnings.count", { total, page: filters.page, pages });
  find("[data-warnings-empty]", listView).hidden = rows.children.length > 0;
  find("[data-warnings-prev]", listView).disabled = filters.page <= 1;
  find("[data-warnings-next]", listView).disabled = filters.page >= pages;
}

async function load() {
  const mine = ++loadCount;
  watch.stop();
  const table = rows.closest("table");
  table.setAttribute("aria-busy", "true");
  try {
    const { items, pagination } = await api.alertsPage({ state: filters.state }, { page: filters.page, pageSize: PAGE_SIZE });
    if (mine !== loadCount) return;
    total = pagination?.total ?? items.length;
    pages = Math.max(1, pagination?.total_pages ?? 1);
    if (filters.page > pages) {
      filters = { ...filters, page: pages };
      history.replaceState(null, "", filtersHash(filters));
      load();
      return;
    }
    shown.clear();
    rows.replaceChildren(...items.map(newRow));
    for (const alert of items) watch.watch(alert);
    renderCount();
    clearText(errorBox);
  } catch (error) {
    if (mine !== loadCount) return;
    console.error("warnings: list not loaded", error);
    setText(errorBox, "console.warnings.load_failed");
  } finally {
    if (mine === loadCount) table.removeAttribute("aria-busy");
  }
}

function onCounts(alert) {
  const row = viewing === "list" && rowOf(alert.id);
  if (row) fillRow(row, alert);
}

function fillForm() {
  for (const box of findAll('input[name="state"]', form)) box.checked = filters.state.includes(box.value);
}

function applyForm() {
  filters = { state: findAll('input[name="state"]:checked', form).map((box) => box.value), page: 1 };
  history.replaceState(null, "", filtersHash(filters));
  page.setListHash(filtersHash(filters));
  load();
}

function goToPage(number) {
  filters = { ...filters, page: number };
  history.replaceState(null, "", filtersHash(filters));
  page.setListHash(filtersHash(filters));
  load();
}

function focusHeading() {
  const heading = find("#warnings-heading");
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}

function showList() {
  const previous = viewing;
  viewing = "list";
  listView.hidden = false;
  pageView.hidden = true;
  page.close();
  screen.setAttribute("aria-labelledby", "warnings-heading");
  filters = parseFilters(location.hash);
  fillForm();
  page.setListHash(filtersHash(filters));
  load();
  if (previous === "warning") focusHeading();
}

function showWarning(route) {
  viewing = "warning";
  watch.stop();
  listView.hidden = true;
  pageView.hidden = false;
  screen.setAttribute("aria-labelledby", "warning-heading");
  page.open(route);
}

function route() {
  if (!SECTION.test(location.hash)) {
    if (viewing) page.close();
    viewing = null;
    watch.stop();
    return;
  }
  const one = ONE.exec(location.hash);
  const fresh = NEW.exec(location.hash);
  if (one) showWarning({ id: Number(one[1]) });
  else if (fresh) {
    const report = Number.parseInt(new URLSearchParams(fresh[1] ?? "").get("report") ?? "", 10);
    showWarning({ reportId: Number.isInteger(report) && report > 0 ? report : null });
  } else showList(); // #/warnings, #/warnings?…, or an address that names no warning
}

export function initWarnings() {
  screen = find('[data-screen="warnings"]');
  if (!screen) return;
  listView = find("[data-warnings-list]", screen);
  pageView = find("[data-warning-view]", screen);
  form = find("[data-warning-filters]", listView);
  rows = find("[data-warnings-rows]", listView);
  errorBox = find("[data-warnings-error]", listView);
  page = createWarningPage(pageView);
  watch = createCountsWatch(onCounts);

  form.addEventListener("change", applyForm);
  form.addEventListener("submit", (event) => event.preventDefault());
  find("[data-warnings-prev]", listView).addEventListener("click", () => goToPage(Math.max(1, filters.page - 1)));
  find("[data-warnings-next]", listView).addEventListener("click", () => goToPage(Math.min(pages, filters.page + 1)));
  document.addEventListener(LANGUAGE_CHANGED, () => {
    for (const [id, alert] of shown) {
      const row = rowOf(id);
      if (row) fillRow(row, alert);
    }
  });
  window.addEventListener("hashchange", route);
  route();
}
