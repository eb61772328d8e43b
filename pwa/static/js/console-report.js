/**
 * One report's page in the console (#/reports/<id>): what was reported, when
 * (the phone's time and the server's) and where (the phone's accuracy drawn
 * on a map), its text, link and photos, who sent it, the nearest cameras and
 * bells with the way to them from the report (on the map too), its whole
 * history, and the actions the case can take next (console-report-actions.js).
 */

import * as api from "./api.js";
import { createActions } from "./console-report-actions.js";
import { clearText, element, formatDistance, kindLabel, personName, statusPill, timeElement } from "./console-format.js";
import { accuracyCircle, facilityMarker, lazyMap, reportMarker, sightLine } from "./console-map.js";
import { find } from "./dom.js";
import { language, LANGUAGE_CHANGED, setText, t } from "./i18n.js";

const STAFF_ROLES = ["operator", "admin", "guard"];
const CLOCK_GAP_S = 60; // a phone's clock and the server's agree within this

function dash() {
  return element("span", "muted", { text: "—" });
}

function paragraph(className, ...children) {
  const p = element("p", className);
  p.append(...children);
  return p;
}

/** Parts with " · " between them. */
function joined(parts) {
  return parts.flatMap((part, index) => (index ? [" · ", part] : [part]));
}

/** A <dt>/<dd> pair; the <dd> is data-fact="name" for tests and styles. */
function fact(name, ...value) {
  const term = element("dt", "", { key: `console.report.fact.${name}` });
  const detail = document.createElement("dd");
  detail.dataset.fact = name;
  detail.append(...value);
  return [term, detail];
}

/** How late the report arrived after the phone made it (it may have waited offline). */
function clockNote(report) {
  if (!report.client_time) return [];
  const gap = Math.round((Date.parse(report.received_at) - Date.parse(report.client_time)) / 1000);
  if (gap > CLOCK_GAP_S) return [" ", element("span", "note-inline", { key: "console.report.arrived_late", vars: { minutes: Math.round(gap / 60) } })];
  if (gap < -CLOCK_GAP_S) return [" ", element("span", "note-inline", { key: "console.report.clock_ahead", vars: { minutes: Math.round(-gap / 60) } })];
  return [];
}

function reporter(report) {
  const parts = [];
  if (report.device_id) parts.push(element("span", "", { key: "console.report.device", vars: { id: report.device_id } }));
  if (report.user_id) parts.push(element("span", "", { key: "console.report.account", vars: { id: report.user_id } }));
  return parts.length ? joined(parts) : [dash()];
}

function facts(report) {
  const located = Number.isFinite(report.lat) && Number.isFinite(report.lon);
  const position = located
    ? element("span", "", {
        key: report.accuracy_m ? "console.report.position_accuracy" : "console.report.position",
        vars: { lat: report.lat.toFixed(5), lon: report.lon.toFixed(5), accuracy: Math.round(report.accuracy_m ?? 0) },
      })
    : element("span", "", { key: "console.report.no_position" });
  const rows = [
    fact("kind", kindLabel(report.kind), ...(report.silent ? [" ", element("span", "tag", { key: "console.live.silent" })] : [])),
    fact("status", statusPill(report.status)),
    fact("received_at", timeElement(report.received_at)),
    fact("client_time", ...(report.client_time ? [timeElement(report.client_time), ...clockNote(report)] : [element("span", "muted", { key: "console.report.no_client_time" })])),
    fact("updated_at", timeElement(report.updated_at)),
    fact("position", position),
    fact("area", report.area_name ? element("span", "", { text: report.area_name }) : dash()),
    fact("assignee", report.assignee ? element("span", "", { text: personName(report.assignee) }) : element("span", "muted", { key: "console.report.no_assignee" })),
    fact("reporter", ...reporter(report)),
  ];
  if (report.public_note) rows.push(fact("public_note", element("span", "", { text: report.public_note })));
  if (report.merged_into_id) {
    const link = element("a", "", { key: "console.report.merged_into", vars: { id: report.merged_into_id } });
    link.href = `#/reports/${report.merged_into_id}`;
    rows.push(fact("merged_into", link));
  }
  if (report.facility_id) rows.push(fact("facility", element("span", "", { key: "console.report.facility", vars: { id: report.facility_id } })));
  return rows.flat();
}

/** The link as it was reported: shown in full, marked as someone else's site, opened with no referrer. */
function externalLink(url) {
  let safe = null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") safe = parsed;
  } catch {
    // Not a URL: shown as text only.
  }
  if (!safe) return element("code", "external-url", { text: url });
  const link = element("a", "external-url", { text: url });
  link.href = safe.href;
  link.target = "_blank";
  link.rel = "noopener noreferrer nofollow";
  link.referrerPolicy = "no-referrer";
  link.dataset.reportUrl = "";
  const host = element("span", "external-host", { key: "console.report.url_host", vars: { host: safe.host } });
  return [link, host];
}

function actorOf(event) {
  if (STAFF_ROLES.includes(event.actor_role)) {
    return element("span", "", { key: "console.report.actor", vars: { name: event.actor_name ?? "", role: t(`role.${event.actor_role}`) } });
  }
  return element("span", "", { key: "console.report.actor_reporter" });
}

function historyRow(event) {
  const row = document.createElement("tr");
  const change = document.createElement("td");
  if (event.from_status && event.from_status !== event.to_status) change.append(statusPill(event.from_status), " → ");
  change.append(statusPill(event.to_status));
  if (event.assignee_name) change.append(" ", element("span", "history-assignee", { key: "console.report.assigned_to", vars: { name: event.assignee_name } }));
  const note = document.createElement("td");
  note.className = "history-note";
  note.append(event.note ? element("span", "", { text: event.note }) : dash());
  const when = document.createElement("td");
  when.append(timeElement(event.at));
  const who = document.createElement("td");
  who.append(actorOf(event));
  row.append(when, who, change, note);
  return row;
}

/** One nearby camera or bell: its number, address, view, and the way there from the report. */
function nearbyItem(item, label) {
  const li = element("li", "nearby-item");
  li.dataset.facilityId = String(item.id);
  const badge = element("span", `near-marker-badge near-marker-${item.kind}`, { text: label });
  badge.setAttribute("aria-hidden", "true");
  const body = element("div", "nearby-body");
  const title = item.ref
    ? element("p", "nearby-title", { key: "console.report.ref", vars: { ref: item.ref } })
    : element("p", "nearby-title", { text: item.label ?? `#${item.id}` });
  body.append(title);
  if (item.address) body.append(element("p", "nearby-address", { text: item.address }));
  const details = [];
  if (item.view_direction) details.push(element("span", "nearby-direction", { key: "console.report.view_direction", vars: { direction: item.view_direction } }));
  if (Number.isFinite(item.camera_count)) details.push(element("span", "", { key: "console.report.camera_count", vars: { n: item.camera_count } }));
  if (details.length) body.append(paragraph("nearby-details", ...joined(details)));
  const compass = language() === "ko" ? item.compass_ko : item.compass;
  body.append(element("p", "nearby-way", { key: "console.report.way", vars: { compass, distance: formatDistance(item.distance_m) } }));
  if (item.agency_phone) {
    const phone = element("a", "nearby-phone", { key: "console.report.phone", vars: { phone: item.agency_phone } });
    phone.href = `tel:${item.agency_phone.replace(/[^\d+]/g, "")}`;
    body.append(paragraph("", phone));
  }
  li.append(badge, body);
  return li;
}

export function createReportPage(view) {
  const title = find("[data-report-title]", view);
  const badges = find("[data-report-badges]", view);
  const error = find("[data-report-error]", view);
  const announcer = find("[data-report-announce]", view);
  const body = find("[data-report-body]", view);
  const back = find("[data-report-back]", view);
  const draft = find("[data-report-draft-warning]", view);
  const dialog = find("[data-photo-dialog]", view);
  const actions = createActions(find("[data-report-actions-card]", view), {
    onDone: (name) => {
      setText(announcer, `console.report.done.${name}`);
      reload();
    },
    onConflict: () => reload(),
  });

  let currentId = null;
  let current = null;
  let loadCount = 0;
  const reportMap = lazyMap(find("[data-report-map]", view));
  let framed = null; // the report the map was last framed on
  let photoOpener = null;

  function drawMap(report) {
    const { map, layers } = reportMap.view;
    layers.clearLayers();
    map.invalidateSize();
    const located = Number.isFinite(report.lat) && Number.isFinite(report.lon);
    find("[data-report-map-note]", view).hidden = located;
    if (!located) {
      framed = null;
      return;
    }
    const nearest = report.nearest ?? { cctv: [], bells: [] };
    nearest.cctv.forEach((item, index) => layers.addLayer(sightLine(report, item)).addLayer(facilityMarker(item, `C${index + 1}`)));
    nearest.bells.forEach((item, index) => layers.addLayer(sightLine(report, item)).addLayer(facilityMarker(item, `B${index + 1}`)));
    if (report.accuracy_m > 0) layers.addLayer(accuracyCircle(report));
    layers.addLayer(reportMarker(report, { large: true }));
    // Framed once per report: a reload after an action keeps the operator's zoom.
    const bounds = layers.getBounds();
    if (framed !== report.id && bounds.isValid()) map.fitBounds(bounds, { padding: [28, 28], maxZoom: 18 });
    framed = report.id;
  }

  function renderContent(report) {
    const text = find("[data-report-text]", view);
    text.hidden = !report.text;
    text.textContent = report.text ?? "";
    const urlBox = find("[data-report-url-box]", view);
    urlBox.hidden = !report.url;
    find("[data-report-url-slot]", view).replaceChildren(...(report.url ? [externalLink(report.url)].flat() : []));
    const photos = find("[data-report-photos]", view);
    photos.replaceChildren(
      ...(report.photos ?? []).map((photo, index) => {
        const url = api.reportPhotoUrl(report.id, photo.id);
        const link = element("a", "photo-thumb");
        link.href = url;
        link.dataset.photoId = String(photo.id);
        const image = document.createElement("img");
        image.src = url;
        image.loading = "lazy";
        image.alt = t("console.report.photo_alt", { n: index + 1, width: photo.width, height: photo.height });
        link.append(image);
        link.addEventListener("click", (event) => {
          event.preventDefault();
          openPhoto(url, image.alt, link);
        });
        const item = element("li");
        item.append(link);
        return item;
      }),
    );
    photos.hidden = !report.photos?.length;
    find("[data-report-no-content]", view).hidden = Boolean(report.text || report.url || report.photos?.length);
  }

  function renderNearby(list, items, prefix) {
    const target = find(`[data-report-${list}]`, view);
    target.replaceChildren(...items.map((item, index) => nearbyItem(item, `${prefix}${index + 1}`)));
    find(`[data-report-${list}-empty]`, view).hidden = items.length > 0;
  }

  function render(report) {
    setText(title, "console.report.title", { kind: t(`report.kind.${report.kind}`), id: report.id });
    badges.replaceChildren(statusPill(report.status), ...(report.kind === "sos" ? [" ", kindLabel("sos")] : []));
    draft.href = `#/warnings/new?report=${report.id}`;
    draft.hidden = false;
    find("[data-report-facts]", view).replaceChildren(...facts(report));
    renderContent(report);
    actions.render(report);
    find("[data-report-history]", view).replaceChildren(...(report.events ?? []).map(historyRow));
    renderNearby("cctv", report.nearest?.cctv ?? [], "C");
    renderNearby("bells", report.nearest?.bells ?? [], "B");
    body.hidden = false;
    reportMap
      .make()
      .then(() => currentId === report.id && drawMap(report))
      .catch((failure) => console.error("report: no map", failure));
  }

  async function reload() {
    const mine = ++loadCount;
    const id = currentId;
    try {
      const report = await api.report(id);
      if (mine !== loadCount || id !== currentId) return;
      current = report;
      render(report);
      if (error.dataset.i18n?.startsWith("console.report.load")) clearText(error);
      view.dataset.reportLoaded = String(report.id);
    } catch (failure) {
      if (mine !== loadCount || id !== currentId) return;
      console.error("report: not loaded", failure);
      if (failure.status === 404) body.hidden = true;
      setText(error, failure.status === 404 ? "console.report.load_not_found" : "console.report.load_failed", { id });
    }
  }

  function openPhoto(url, alt, opener) {
    photoOpener = opener;
    const image = find("[data-photo-full]", dialog);
    image.src = url;
    image.alt = alt;
    find("[data-photo-open]", dialog).href = url;
    dialog.showModal();
  }

  find("[data-dialog-close]", dialog).addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => photoOpener?.focus());

  document.addEventListener(LANGUAGE_CHANGED, () => {
    if (current && !view.hidden) render(current);
    reportMap.view?.relabel();
  });

  return {
    /** Show report id (its heading takes the focus, so screen readers announce it). */
    open(id) {
      if (id !== currentId) {
        current = null;
        body.hidden = true;
        draft.hidden = true;
        badges.replaceChildren();
        clearText(error);
        clearText(announcer);
        actions.reset();
        delete view.dataset.reportLoaded;
        setText(title, "console.report.title_loading", { id });
      }
      currentId = id;
      title.tabIndex = -1;
      title.focus({ preventScroll: true });
      window.scrollTo(0, 0);
      reload();
    },
    reload() {
      if (currentId !== null) reload();
    },
    /** A report from the live stream: a newer copy of this one reloads the page. */
    onReport(report) {
      if (report.id !== currentId || (current && report.updated_at <= current.updated_at)) return;
      reload();
    },
    close() {
      loadCount += 1; // answers still on their way are for a page no longer shown
      if (dialog.open) dialog.close();
    },
    /** Where "back to the list" goes: the list with the filters it had. */
    setListHash(hash) {
      back.href = hash;
    },
  };
}
