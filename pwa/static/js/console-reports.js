/**
 * The console's Reports section. At #/reports, every report by status, kind,
 * area and time window, a page at a time, with a map of them beside the
 * table; the filters live in the hash, and the live stream adds, updates and
 * removes rows as reports come in and change. At #/reports/<id>, one report's
 * page (console-report.js). The stream is open only while this section is.
 */

import * as api from "./api.js";
import { clearText, element, excerpt, kindLabel, personName, statusPill, timeElement } from "./console-format.js";
import { lazyMap, reportMarker } from "./console-map.js";
import { createReportPage } from "./console-report.js";
import { apiFilters, fillAreas, fillForm, filtersHash, matches, parseFilters, readForm, showCustomWindow } from "./console-report-filters.js";
import { find } from "./dom.js";
import { language, LANGUAGE_CHANGED, setText, t } from "./i18n.js";

const PAGE_SIZE = 25;
const OPEN = ["new", "acknowledged", "dispatched"];
const SECTION = /^#\/reports(?=$|[/?])/; // what the router shows this section for
const REPORT = /^#\/reports\/(\d+)\/?(?:\?|$)/;

let screen;
let listView;
let reportView;
let form;
let rows;
let errorBox;
let announcer;
let connection;
let page; // the report page
let listMap; // the map beside the table (console-map.js lazyMap)

let filters = parseFilters("");
let query = null; // the API parameters of the list on view
let total = 0;
let pages = 1;
let loadCount = 0;
let loading = false;
const arrivedWhileLoading = []; // stream events that came during a load
const shown = new Map(); // report id → report, for redrawing (a language switch)
let stream = null;
let viewing = null; // "list" | "report" | null (another section)
let lastOpened = null;
let started = false; // after the first route, moving into the list moves focus to it
let focusAfterLoad = null; // back from a report: its row, so the keyboard carries on from there

function rowOf(id) {
  return find(`tr[data-report-id="${CSS.escape(String(id))}"]`, rows);
}

function summary(report) {
  if (report.text) return excerpt(report.text);
  if (report.url) {
    try {
      return new URL(report.url).host;
    } catch {
      return excerpt(report.url);
    }
  }
  return "";
}

function cell(...children) {
  const td = document.createElement("td");
  td.append(...children);
  return td;
}

function dash() {
  return element("span", "muted", { text: "—" });
}

function fillRow(row, report) {
  row.dataset.status = report.status;
  row.dataset.kind = report.kind;
  row.dataset.updatedAt = report.updated_at ?? "";
  row.dataset.urgent = report.kind === "sos" && OPEN.includes(report.status) ? "1" : "0";
  row.classList.toggle("report-row-alarm", report.kind === "sos" && report.status === "new");
  const link = element("a", "report-link", { key: "console.reports.open", vars: { id: report.id } });
  link.href = `#/reports/${report.id}`;
  link.dataset.reportLink = "";
  const kind = cell(kindLabel(report.kind));
  if (report.silent) kind.append(" ", element("span", "tag", { key: "console.live.silent" }));
  const text = summary(report);
  const photos = report.photos?.length ?? 0;
  const what = cell(text ? element("span", "", { text }) : photos ? "" : dash());
  what.className = "report-summary";
  if (photos) what.append(" ", element("span", "tag", { key: "console.reports.photos", vars: { n: photos } }));
  const assignee = personName(report.assignee);
  row.replaceChildren(
    cell(link),
    kind,
    cell(statusPill(report.status)),
    cell(timeElement(report.received_at, { short: true })),
    cell(report.area_name ? element("span", "", { text: report.area_name }) : dash()),
    cell(assignee ? element("span", "", { text: assignee }) : dash()),
    what,
  );
  shown.set(report.id, report);
}

function newRow(report) {
  const row = document.createElement("tr");
  row.dataset.reportId = String(report.id);
  fillRow(row, report);
  return row;
}

function renderCount() {
  setText(find("[data-reports-count]", listView), "console.reports.count", { total, page: filters.page, pages });
  find("[data-reports-empty]", listView).hidden = rows.children.length > 0;
  find("[data-page-prev]", listView).disabled = filters.page <= 1;
  find("[data-page-next]", listView).disabled = filters.page >= pages;
}

// ---- the map beside the table ----

function addMarker(report) {
  const markers = listMap.view?.layers;
  if (!markers || !Number.isFinite(report.lat) || !Number.isFinite(report.lon)) return;
  const marker = reportMarker(report);
  marker.reportId = report.id;
  marker.bindTooltip(element("span", "", { text: `${t(`report.kind.${report.kind}`)} #${report.id}` }), { direction: "top" });
  marker.on("click", () => {
    location.hash = `#/reports/${report.id}`;
  });
  markers.addLayer(marker);
  if (report.kind !== "sos") marker.bringToBack(); // never over an SOS at the same place
}

function removeMarker(id) {
  const markers = listMap.view?.layers;
  for (const layer of markers?.getLayers() ?? []) if (layer.reportId === id) markers.removeLayer(layer);
}

function drawMarkers(items, { fit }) {
  if (!listMap.view) return;
  listMap.view.layers.clearLayers();
  for (const report of items) addMarker(report);
  const points = items.filter((r) => Number.isFinite(r.lat) && Number.isFinite(r.lon)).map((r) => [r.lat, r.lon]);
  if (fit && points.length) listMap.view.map.fitBounds(points, { padding: [32, 32], maxZoom: 16 });
}

// ---- loading and live updates ----

async function load() {
  const mine = ++loadCount;
  loading = true;
  const asked = apiFilters(filters);
  rows.closest("table").setAttribute("aria-busy", "true");
  try {
    const [{ items, pagination }] = await Promise.all([
      api.reportsPage(asked, { page: filters.page, pageSize: PAGE_SIZE }),
      listMap.make().catch((error) => console.error("reports: no map", error)),
    ]);
    if (mine !== loadCount) return; // a newer request (filters changed again) wins
    total = pagination?.total ?? items.length;
    pages = Math.max(1, pagination?.total_pages ?? 1);
    if (filters.page > pages) {
      filters = { ...filters, page: pages };
      history.replaceState(null, "", filtersHash(filters));
      load();
      return;
    }
    query = asked;
    shown.clear();
    rows.replaceChildren(...items.map(newRow));
    drawMarkers(items, { fit: true });
    renderCount();
    clearText(errorBox);
    if (focusAfterLoad !== null) {
      const link = rowOf(focusAfterLoad) && find("[data-report-link]", rowOf(focusAfterLoad));
      if (link) link.focus();
      else focusHeading();
      focusAfterLoad = null;
    }
  } catch (error) {
    if (mine !== loadCount) return;
    console.error("reports: list not loaded", error);
    setText(errorBox, error.status === 422 ? "console.reports.bad_filters" : "console.reports.load_failed");
  } finally {
    if (mine === loadCount) {
      rows.closest("table").removeAttribute("aria-busy");
      loading = false;
      for (const report of arrivedWhileLoading.splice(0)) onListReport(report);
    }
  }
}

/** Open SOS stay on top, as the server orders them; anything else goes in below them. */
function insertRow(row) {
  const firstOrdinary = row.dataset.urgent === "1" ? rows.firstElementChild : find('tr[data-urgent="0"]', rows);
  rows.insertBefore(row, firstOrdinary);
}

function flash(row) {
  row.classList.remove("report-row-fresh");
  void row.offsetWidth; // restart the animation
  row.classList.add("report-row-fresh");
}

function onListReport(report) {
  if (loading) {
    arrivedWhileLoading.push(report); // applied once the list is in, newer copies winning
    return;
  }
  if (!query) return;
  const row = rowOf(report.id);
  if (row && report.updated_at && row.dataset.updatedAt >= report.updated_at) return; // this copy or an older one
  const fits = matches(report, query);
  if (row && fits) {
    fillRow(row, report);
    removeMarker(report.id);
    addMarker(report);
    flash(row);
  } else if (row) {
    row.remove();
    shown.delete(report.id);
    removeMarker(report.id);
    total = Math.max(0, total - 1);
    setText(announcer, "console.reports.left", { id: report.id });
  } else if (fits) {
    total += 1;
    if (filters.page === 1) {
      const added = newRow(report);
      insertRow(added);
      addMarker(report);
      flash(added);
    }
    const news = report.status !== "new" ? "joined" : report.kind === "sos" ? "arrived_sos" : "arrived";
    setText(announcer, `console.reports.${news}`, { id: report.id });
  }
  pages = Math.max(pages, Math.ceil(total / PAGE_SIZE));
  renderCount();
}

function connect() {
  if (stream) return;
  stream = api.reportStream({
    onReport: (report) => (viewing === "report" ? page.onReport(report) : onListReport(report)),
    // Each (re)connection catches up with what changed while it was away.
    onOpen: () => {
      screen.dataset.stream = "open";
      clearText(connection);
      if (viewing === "report") page.reload();
      else if (viewing === "list") load();
    },
    onError: () => {
      screen.dataset.stream = "lost";
      setText(connection, "console.reports.connection_lost");
    },
  });
}

function disconnect() {
  stream?.close();
  stream = null;
  delete screen.dataset.stream;
  clearText(connection);
}

// ---- which view ----

function showList() {
  const previous = viewing;
  viewing = "list";
  listView.hidden = false;
  reportView.hidden = true;
  page.close();
  screen.setAttribute("aria-labelledby", "reports-heading");
  filters = parseFilters(location.hash);
  fillForm(form, filters);
  page.setListHash(filtersHash(filters));
  load();
  listMap.view?.map.invalidateSize();
  if (previous === "list" || (previous === null && !started)) return; // focus stays where it is
  if (previous === "report" && lastOpened) {
    focusAfterLoad = lastOpened; // its row's link, once the list is back
    return;
  }
  focusHeading();
}

function focusHeading() {
  const heading = find("#reports-heading");
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}

function showReport(id) {
  viewing = "report";
  lastOpened = id;
  listView.hidden = true;
  reportView.hidden = false;
  screen.setAttribute("aria-labelledby", "report-heading");
  page.open(id);
}

function route() {
  if (!SECTION.test(location.hash)) {
    viewing = null;
    page.close();
    disconnect();
    return;
  }
  connect();
  const report = REPORT.exec(location.hash);
  if (report) showReport(Number(report[1]));
  else showList(); // #/reports, #/reports?…, or an address that names no report
  started = true;
}

/** Apply the form's filters: the hash keeps them (no new history entry), the list reloads. */
function applyForm() {
  filters = readForm(form);
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

async function loadAreas() {
  try {
    fillAreas(form.elements.area, await api.areas(), language());
  } catch (error) {
    console.warn("reports: no area names", error); // codes in the hash still work
  }
}

export function initReports() {
  screen = find('[data-screen="reports"]');
  if (!screen) return;
  listView = find("[data-reports-list]", screen);
  reportView = find("[data-report-view]", screen);
  form = find("[data-report-filters]", listView);
  rows = find("[data-reports-rows]", listView);
  errorBox = find("[data-reports-error]", listView);
  announcer = find("[data-reports-announce]", listView);
  connection = find("[data-reports-connection]", screen);
  page = createReportPage(reportView);
  listMap = lazyMap(find("[data-reports-map]", listView));

  form.addEventListener("change", (event) => {
    if (event.target.name === "window") showCustomWindow(form);
    applyForm();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  find("[data-report-filters-reset]", form).addEventListener("click", () => {
    fillForm(form, parseFilters(""));
    applyForm();
  });
  find("[data-page-prev]", listView).addEventListener("click", () => goToPage(Math.max(1, filters.page - 1)));
  find("[data-page-next]", listView).addEventListener("click", () => goToPage(Math.min(pages, filters.page + 1)));

  document.addEventListener(LANGUAGE_CHANGED, () => {
    for (const [id, report] of shown) {
      const row = rowOf(id);
      if (row) fillRow(row, report);
    }
    listMap.view?.relabel();
    drawMarkers([...shown.values()], { fit: false });
    loadAreas();
  });
  window.addEventListener("hashchange", route);
  loadAreas();
  route();
}
