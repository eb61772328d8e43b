/**
 * "My reports": every report this device sent, newest first, with where it
 * stands — still waiting in the outbox, sent, acknowledged, dispatched,
 * resolved or closed — the control room's note to the reporter, and what
 * became of its photo. Joins the outbox (what has not reached the server),
 * the outbox's record of refusals, and /api/v1/reports/mine; offline, the
 * last answer is shown, marked as such.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { formatDateTime, setText } from "./i18n.js";
import { failures, pending } from "./outbox.js";
import { readJSON, writeJSON } from "./storage.js";

const SAVED_KEY = "ansim.reports.mine";
const POLL_MS = 15_000;

// What the resident sees for each status of their report (the SOS dialog too).
const STATE_OF_STATUS = {
  new: "sent",
  acknowledged: "acknowledged",
  dispatched: "dispatched",
  resolved: "resolved",
  false_alarm: "closed",
  duplicate: "closed",
};

/** The resident's word for a stored report's status: sent, acknowledged, dispatched, resolved or closed. */
export function reportState(report) {
  return STATE_OF_STATUS[report.status] ?? "sent";
}

/** One row per report: the server's reports, then what never reached it. */
function rows(reports, waiting, refused) {
  const photoWaiting = new Set(waiting.filter((item) => item.report).map((item) => item.report.id));
  const photoRefused = new Set(refused.filter((entry) => entry.stage === "photo").map((entry) => entry.report_id));
  const known = new Set(reports.map((report) => report.id));
  const result = reports.map((report) => ({
    id: report.id,
    kind: report.kind,
    state: reportState(report),
    at: report.client_time ?? report.received_at,
    text: report.text,
    note: report.public_note,
    photos: report.photos?.length ?? 0,
    photo: photoWaiting.has(report.id) ? "queued" : photoRefused.has(report.id) && !report.photos?.length ? "failed" : null,
  }));
  for (const item of waiting) {
    // Stored already (its photo still waits) but not in the list we hold: the list is older.
    if (item.report && known.has(item.report.id)) continue;
    result.push({
      id: item.report?.id ?? null,
      key: item.key,
      kind: item.body.kind,
      state: item.report ? "sent" : "queued",
      at: item.body.client_time ?? item.created_at,
      text: item.body.text,
      note: null,
      photos: 0,
      photo: item.photo ? "queued" : null,
    });
  }
  for (const entry of refused) {
    if (entry.stage !== "report") continue;
    result.push({ id: null, key: entry.key, kind: entry.kind, state: "failed", at: entry.created_at ?? entry.at, text: null, note: null, photos: 0, photo: null });
  }
  return result.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

/** root is the "my reports" section. */
export function createMyReports(root) {
  const list = find("[data-my-reports-list]", root);
  const template = find("[data-my-report-template]", root);
  const empty = find("[data-my-reports-empty]", root);
  const note = find("[data-my-reports-note]", root);
  let saved = readJSON(SAVED_KEY); // {reports, at}: the last answer from the server
  let offline = false;
  let current = [];
  let timer = null;
  let sequence = 0;

  function row(entry) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.state = entry.state;
    item.dataset.kind = entry.kind;
    if (entry.id !== null) item.dataset.reportId = String(entry.id);
    if (entry.key) item.dataset.key = entry.key;
    find("[data-my-report-icon]", item).setAttribute("href", `#report-${entry.kind}`);
    setText(find("[data-my-report-kind]", item), `report.kind.${entry.kind}`);
    const state = find("[data-my-report-state]", item);
    state.dataset.state = entry.state;
    setText(state, `report.state.${entry.state}`);
    const time = find("[data-my-report-time]", item);
    time.dateTime = entry.at;
    time.textContent = formatDateTime(entry.at);
    const text = find("[data-my-report-text]", item);
    text.hidden = !entry.text;
    text.textContent = entry.text ?? "";
    const noteEl = find("[data-my-report-note]", item);
    noteEl.hidden = !entry.note;
    if (entry.note) setText(noteEl, "report.mine.note", { note: entry.note });
    const photo = find("[data-my-report-photo]", item);
    photo.hidden = !(entry.photo || entry.photos);
    photo.dataset.photo = entry.photo ?? "sent";
    if (entry.photo) setText(photo, `report.mine.photo.${entry.photo}`);
    else if (entry.photos) setText(photo, "report.mine.photo.sent", { n: entry.photos });
    return item;
  }

  function render() {
    list.replaceChildren(...current.map(row));
    empty.hidden = current.length > 0;
    note.hidden = !(offline && saved);
    if (!note.hidden) setText(note, "screen.report.mine.offline", { time: formatDateTime(saved.at) });
    root.dataset.loaded = "true";
  }

  async function refresh() {
    const mine = ++sequence;
    const waiting = await pending().catch(() => []);
    try {
      const reports = await api.myReports();
      saved = { reports, at: new Date().toISOString() };
      writeJSON(SAVED_KEY, saved);
      offline = false;
    } catch (error) {
      offline = true;
      if (!error.isNetworkError) console.warn("my reports: not loaded", error);
    }
    if (mine !== sequence) return;
    current = rows(saved?.reports ?? [], waiting, failures());
    render();
  }

  return {
    refresh,
    render,
    /** Ask every POLL_MS while the list is on view; at once when it comes into view. */
    setActive(active) {
      clearInterval(timer);
      timer = null;
      if (!active) return;
      refresh();
      timer = setInterval(refresh, POLL_MS);
    },
  };
}
