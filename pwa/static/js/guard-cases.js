/**
 * The cases the control room dispatched to this guard (guard.html): what,
 * where (distance and direction from here, and a geo: link for the phone's
 * map app), the operator's instruction, photos, and a note back — "arrived",
 * "nothing found" — with which the guard may also close the case. Checked
 * every 15 s; a new case vibrates the phone and is announced.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { formatDistance, seenFrom } from "./geo.js";
import { formatDateTime, language, setText } from "./i18n.js";
import { urgentPosition } from "./location.js";

const POLL_MS = 15_000;

let list;
let known = null; // ids already shown; null until the first load

function part(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function where(report, here) {
  const line = part("p", "case-where");
  if (!Number.isFinite(report.lat)) {
    setText(line, "guard.cases.no_location");
    return line;
  }
  if (here) {
    const seen = seenFrom(here, report);
    const compass = language() === "ko" ? seen.compass_ko : seen.compass;
    setText(line, "guard.cases.distance", { distance: formatDistance(seen.distance_m), compass });
    line.append(" ");
  }
  const link = part("a", "case-map");
  link.href = `geo:${report.lat},${report.lon}?q=${report.lat},${report.lon}`;
  setText(link, "guard.cases.open_map");
  line.append(link);
  return line;
}

function noteForm(report) {
  const form = part("form", "case-form");
  const id = `case-note-${report.id}`;
  const label = part("label");
  label.htmlFor = id;
  setText(label, "guard.cases.note_label");
  const note = part("textarea");
  note.id = id;
  note.name = "note";
  note.rows = 2;
  note.maxLength = 1000;
  note.required = true;
  const actions = part("div", "case-actions");
  const save = part("button", "button button-secondary");
  save.type = "submit";
  save.value = "note";
  setText(save, "guard.cases.save_note");
  const close = part("button", "button");
  close.type = "submit";
  close.value = "resolve";
  close.dataset.caseResolve = "";
  setText(close, "guard.cases.resolve");
  actions.append(save, close);
  const status = part("p", "case-status");
  status.setAttribute("role", "status");
  form.append(label, note, actions, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const resolved = event.submitter?.value === "resolve";
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    try {
      await api.updateAssignedCase(report.id, { note: note.value.trim(), resolved });
      note.value = "";
      setText(status, resolved ? "guard.cases.resolved" : "guard.cases.noted");
      if (resolved) await load();
    } catch (error) {
      setText(status, error.status === 409 ? "guard.cases.closed_meanwhile" : "guard.cases.failed");
    } finally {
      for (const button of form.querySelectorAll("button")) button.disabled = false;
    }
  });
  return form;
}

function card(report, here) {
  const item = part("li", "card case");
  item.dataset.caseId = String(report.id);
  const heading = part("h2", "case-kind");
  setText(heading, `report.kind.${report.kind}`);
  const time = part("time", "case-time", formatDateTime(report.received_at));
  time.dateTime = report.received_at;
  item.append(heading, time, where(report, here));
  if (report.dispatch_note) {
    const instruction = part("p", "case-instruction");
    const label = part("strong");
    setText(label, "guard.cases.instruction");
    instruction.append(label, " ", report.dispatch_note);
    item.append(instruction);
  }
  if (report.text) item.append(part("p", "case-text", report.text));
  if (report.photos?.length) {
    const photos = part("div", "case-photos");
    for (const photo of report.photos) {
      const image = part("img");
      image.src = `/api/v1/reports/${report.id}/photos/${photo.id}`;
      image.alt = "";
      image.loading = "lazy";
      image.width = 96;
      image.height = Math.round((96 * photo.height) / Math.max(photo.width, 1));
      photos.append(image);
    }
    item.append(photos);
  }
  item.append(noteForm(report));
  return item;
}

function announceNew(reports) {
  const fresh = known === null ? [] : reports.filter((r) => !known.has(r.id));
  known = new Set(reports.map((r) => r.id));
  if (!fresh.length) return;
  setText(find("[data-cases-announce]"), "guard.cases.new", { count: fresh.length });
  navigator.vibrate?.([300, 150, 300]);
}

async function load() {
  let reports;
  try {
    reports = await api.assignedCases();
  } catch (error) {
    console.warn("guard: cases not loaded", error);
    return;
  }
  // Where the guard is now (or was last), to say how far and which way.
  const here = reports.length ? await urgentPosition(3_000) : null;
  // Keep a card the guard is typing in; rebuild the rest.
  const typing = document.activeElement?.closest?.("[data-case-id]");
  for (const item of [...list.children]) {
    if (item !== typing) item.remove();
  }
  for (const report of reports) {
    if (typing?.dataset.caseId === String(report.id)) continue;
    list.append(card(report, here));
  }
  if (typing && !reports.some((r) => String(r.id) === typing.dataset.caseId)) typing.remove();
  find("[data-cases-empty]").hidden = reports.length > 0;
  announceNew(reports);
}

export function initGuardCases() {
  list = find("[data-cases]");
  if (!list) return;
  load();
  setInterval(() => {
    if (document.visibilityState === "visible") load();
  }, POLL_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") load();
  });
}
