/**
 * The console's live list (#/live): the open reports (new, acknowledged,
 * dispatched), kept current by the server's event stream. Each report has
 * one row, updated in place, with a link to the report's page; a new SOS
 * rings (a short WebAudio beep, no audio files) and stands out until someone
 * acknowledges it.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { language, setText } from "./i18n.js";

const OPEN_STATUSES = ["new", "acknowledged", "dispatched"];
// Shown to the resident, whose language the operator does not know: both.
const ACK_PUBLIC_NOTE = "관제센터가 확인했습니다 / The control room has seen your report";

let list;
let loaded = false; // after the first load, a new SOS row rings
let audio = null;

/** Two short tones. Browsers keep audio off until a tap on the page, so the first tap unlocks it. */
function beep() {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") audio.resume().catch(() => undefined);
    const now = audio.currentTime;
    for (const start of [0, 0.35]) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = "square";
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, now + start);
      gain.gain.exponentialRampToValueAtTime(0.2, now + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + start + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start(now + start);
      tone.stop(now + start + 0.3);
    }
  } catch (error) {
    console.warn("live: no sound", error);
  }
}

function unlockAudio() {
  try {
    audio ??= new AudioContext();
    audio.resume().catch(() => undefined);
  } catch {
    // No WebAudio: the alarm is visual only.
  }
}

function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const locale = language() === "ko" ? "ko-KR" : "en-GB";
  return new Intl.DateTimeFormat(locale, { timeStyle: "medium" }).format(date);
}

function part(tag, className) {
  const element = document.createElement(tag);
  element.className = className;
  return element;
}

function newRow(id) {
  const row = part("li", "live-row");
  row.dataset.reportId = String(id);
  const kind = part("span", "live-kind");
  kind.dataset.reportKind = "";
  const status = part("span", "live-status");
  status.dataset.reportStatus = "";
  const time = part("time", "live-time");
  const where = part("span", "live-where");
  where.dataset.reportWhere = "";
  const open = part("a", "live-open");
  open.href = `#/reports/${encodeURIComponent(id)}`;
  open.dataset.reportOpen = "";
  setText(open, "console.live.open", { id });
  const ack = part("button", "button live-ack");
  ack.type = "button";
  ack.dataset.reportAck = "";
  setText(ack, "console.live.ack");
  ack.addEventListener("click", () => acknowledge(id, ack));
  row.append(kind, status, time, where, open, ack);
  return row;
}

function fill(row, report) {
  row.dataset.status = report.status;
  row.dataset.updatedAt = report.updated_at ?? report.received_at ?? "";
  const alarm = report.kind === "sos" && report.status === "new";
  row.classList.toggle("live-alarm", alarm);
  setText(find("[data-report-kind]", row), `report.kind.${report.kind}`);
  const status = find("[data-report-status]", row);
  status.dataset.reportStatus = report.status;
  setText(status, `report.status.${report.status}`);
  const time = find("time", row);
  time.dateTime = report.received_at;
  time.textContent = formatTime(report.received_at);
  const where = find("[data-report-where]", row);
  if (Number.isFinite(report.lat) && Number.isFinite(report.lon)) {
    setText(where, "console.live.location", { lat: report.lat.toFixed(5), lon: report.lon.toFixed(5) });
  } else {
    setText(where, "console.live.no_location");
  }
  const ack = find("[data-report-ack]", row);
  ack.hidden = report.status !== "new";
  ack.disabled = false;
}

function clearText(element) {
  delete element.dataset.i18n; // or a language switch would bring the text back
  element.textContent = "";
}

function showEmpty() {
  find("[data-live-empty]").hidden = list.children.length > 0;
}

/** Add or update the row of one report; rows of closed reports leave the list. */
function upsert(report) {
  let row = find(`[data-report-id="${CSS.escape(String(report.id))}"]`, list);
  // An older answer (a list loaded while an event arrived) never overwrites a newer one.
  if (row && report.updated_at && row.dataset.updatedAt > report.updated_at) return;
  if (!OPEN_STATUSES.includes(report.status)) {
    row?.remove();
    showEmpty();
    return;
  }
  if (!row) {
    row = newRow(report.id);
    list.prepend(row);
    if (loaded && report.kind === "sos" && report.status === "new") {
      setText(find("[data-live-announce]"), "console.live.new_sos");
      if (!report.silent) beep();
    }
  }
  fill(row, report);
  showEmpty();
}

async function acknowledge(id, button) {
  button.disabled = true;
  const error = find("[data-live-error]");
  try {
    upsert(await api.changeReportStatus(id, { status: "acknowledged", public_note: ACK_PUBLIC_NOTE }));
    clearText(error);
  } catch {
    setText(error, "console.live.ack_failed");
    button.disabled = false;
  }
}

async function load() {
  try {
    const reports = await api.reportsByStatus(OPEN_STATUSES);
    // The server lists open SOS first; prepending in reverse keeps that order.
    for (const report of [...reports].reverse()) upsert(report);
  } catch (error) {
    console.error("live: list not loaded", error);
  }
  loaded = true;
}

export function initLiveList() {
  list = find("[data-live-list]");
  if (!list) return;
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  const error = find("[data-live-error]");
  showEmpty();
  api.reportStream({
    onReport: upsert,
    // Each (re)connection catches up with what changed while it was away.
    onOpen: () => {
      clearText(error);
      load();
    },
    onError: () => setText(error, "console.live.connection_lost"),
  });
}
