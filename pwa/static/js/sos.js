/**
 * The resident SOS: the button opens a dialog that counts down five seconds
 * (time to cancel a pocket press), then sends the resident's position to the
 * control room through the outbox, which keeps it until the server has it.
 * The dialog then follows the report (queued → sent → acknowledged …) by
 * polling /reports/mine. Calling or texting 112 stays one tap away throughout.
 */

import * as api from "./api.js";
import { wireDialog } from "./dialog.js";
import { find } from "./dom.js";
import { setText, t } from "./i18n.js";
import { lastKnownPosition, urgentPosition } from "./location.js";
import { reportState } from "./my-reports.js";
import { newKey, onSent, queue } from "./outbox.js";
import { readJSON, writeJSON } from "./storage.js";

const COUNTDOWN_SECONDS = 5;
const POLL_MS = 5_000;
const POSITION_TIMEOUT_MS = 5_000;
const CURRENT_KEY = "ansim.sos.current";

const FINISHED = new Set(["resolved", "closed", "failed"]);

let dialog;
let countdownTimer = null;
// The last SOS from this device, kept across visits: {key, id, state, note}.
let current = readJSON(CURRENT_KEY);
let shown = false; // the dialog shows `current` (not a new countdown)

function el(name) {
  return find(`[data-sos-${name}]`, dialog);
}

function remember(changes) {
  current = { ...current, ...changes };
  writeJSON(CURRENT_KEY, current);
  render();
}

function render() {
  const state = el("state");
  const note = el("note");
  if (!shown || !current) {
    state.dataset.state = "idle";
    state.textContent = "";
    delete state.dataset.i18n;
    note.hidden = true;
    return;
  }
  state.dataset.state = current.state;
  setText(state, `sos.state.${current.state}`);
  note.textContent = current.note ?? "";
  note.hidden = !current.note;
}

/** The SMS link carries the position when it is known, so a text to 112 says where. */
function updateSmsLink(position) {
  const link = el("sms");
  if (!position) {
    link.href = "sms:112";
    return;
  }
  const body = t("sos.sms_body", { lat: position.lat.toFixed(5), lon: position.lon.toFixed(5) });
  link.href = `sms:112?body=${encodeURIComponent(body)}`;
}

function showCountdown(visible) {
  el("pending").hidden = !visible;
}

function stopCountdown() {
  clearInterval(countdownTimer);
  countdownTimer = null;
}

function startCountdown() {
  stopCountdown();
  shown = false;
  render();
  updateSmsLink(lastKnownPosition());
  let remaining = COUNTDOWN_SECONDS;
  el("countdown").textContent = String(remaining);
  showCountdown(true);
  countdownTimer = setInterval(() => {
    remaining -= 1;
    el("countdown").textContent = String(Math.max(remaining, 0));
    if (remaining <= 0) send();
  }, 1_000);
}

function cancel() {
  stopCountdown();
  showCountdown(false);
  if (dialog.open) dialog.close();
}

async function send() {
  stopCountdown();
  showCountdown(false);
  const clientTime = new Date().toISOString();
  const key = newKey();
  shown = true;
  remember({ key, id: null, state: "sending", note: null });
  const position = await urgentPosition(POSITION_TIMEOUT_MS);
  updateSmsLink(position);
  const body = {
    kind: "sos",
    lat: position?.lat ?? null,
    lon: position?.lon ?? null,
    accuracy_m: Number.isFinite(position?.accuracy) ? Math.min(Math.round(position.accuracy), 100_000) : null,
    text: null,
    silent: false,
    client_time: clientTime,
  };
  const result = await queue(body, key);
  if (current?.key !== key) return; // a newer SOS took over meanwhile
  if (result.report) applyReport(result.report);
  else remember({ state: result.state });
}

function applyReport(report) {
  remember({ id: report.id, state: reportState(report), note: report.public_note ?? null });
}

function following() {
  return Boolean(current?.id) && !FINISHED.has(current.state);
}

async function poll() {
  if (!following() || !navigator.onLine) return;
  try {
    const report = (await api.myReports()).find((mine) => mine.id === current.id);
    if (report) applyReport(report);
  } catch {
    // Offline or the server is busy: the next poll asks again.
  }
}

export function initSos() {
  const opener = find("[data-sos]");
  dialog = find("[data-sos-dialog]");
  if (!opener || !dialog) return;
  wireDialog(opener, dialog);
  opener.addEventListener("click", startCountdown);
  el("cancel").addEventListener("click", cancel);
  el("send-now").addEventListener("click", send);
  // Closing the dialog (Escape, the close button, the backdrop) before the
  // countdown ends cancels the SOS; one already sent keeps being followed.
  dialog.addEventListener("close", () => {
    stopCountdown();
    showCountdown(false);
  });
  // An SOS queued offline and sent later (the outbox replays it) is followed too.
  onSent((item, report) => {
    if (item.key === current?.key) applyReport(report);
  });
  setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") poll();
  });
  poll();
}
