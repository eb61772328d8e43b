/**
 * What an operator can do with a report next, on its page: only the moves the
 * server allows from its status (TRANSITIONS in server/reports/service.py),
 * each behind a short form with an internal note for the log and, for the
 * reporter, a public note prefilled in both languages. Dispatching may name a
 * guard; merging names the report to merge into. A 409 (someone else moved
 * the case first) is said plainly, and the page reloads.
 */

import * as api from "./api.js";
import { clearText, personName } from "./console-format.js";
import { find, findAll } from "./dom.js";
import { setText } from "./i18n.js";

const CLOSED = ["resolved", "false_alarm", "duplicate"];
/** Mirrors the server's TRANSITIONS: where a report may go from each status. */
const TRANSITIONS = {
  new: ["acknowledged", "dispatched", ...CLOSED],
  acknowledged: ["dispatched", ...CLOSED],
  dispatched: CLOSED,
  ...Object.fromEntries(CLOSED.map((status) => [status, ["acknowledged"]])),
};

// The reporter does not choose a language when reporting: tell them in both.
const PUBLIC_NOTES = {
  acknowledge: "관제센터가 신고를 확인했습니다. / The control room has seen your report.",
  dispatch: "안전지킴이가 출동했습니다. 안전한 곳에서 기다려 주세요. / A safety guard is on the way. Please wait somewhere safe.",
  resolve: "신고가 처리되었습니다. 알려 주셔서 감사합니다. / Your report has been dealt with. Thank you for telling us.",
  false_alarm: "확인해 보니 위험한 상황은 아니었습니다. 알려 주셔서 감사합니다. / We checked and found no danger. Thank you for telling us.",
  reopen: "신고를 다시 살펴보고 있습니다. / We are looking into your report again.",
};
PUBLIC_NOTES.redispatch = PUBLIC_NOTES.dispatch;

/** Each action: the status it leads to, and when it is offered. */
const ACTIONS = [
  { name: "acknowledge", to: "acknowledged", offered: (status) => status === "new" },
  { name: "dispatch", to: "dispatched", offered: (status) => TRANSITIONS[status].includes("dispatched") },
  // Already dispatched: send another guard (the status stays, the log says who).
  { name: "redispatch", to: "dispatched", offered: (status) => status === "dispatched" },
  { name: "resolve", to: "resolved" },
  { name: "false_alarm", to: "false_alarm" },
  { name: "merge", to: "duplicate" },
  { name: "reopen", to: "acknowledged", offered: (status) => CLOSED.includes(status) },
];

/** The actions offered for a report in this status, in the order they are shown. */
export function actionsFor(status) {
  const next = TRANSITIONS[status] ?? [];
  return ACTIONS.filter((action) => (action.offered ? action.offered(status) : next.includes(action.to)));
}

/**
 * The actions card of a report page. onDone(actionName) after a change was
 * stored; onConflict() after a 409, so the page can reload.
 */
export function createActions(card, { onDone, onConflict }) {
  const buttons = find("[data-report-action-buttons]", card);
  const form = find("[data-report-action-form]", card);
  const heading = find("[data-action-heading]", form);
  const guardField = find("[data-action-guard-field]", form);
  const guardSelect = form.elements.assignee;
  const guardNote = find("[data-action-guards-note]", form);
  const mergeField = find("[data-action-merge-field]", form);
  const publicField = find("[data-action-public-field]", form);
  const submit = find("[data-action-submit]", form);
  const error = find("[data-action-error]", card);
  const closedNote = find("[data-action-none]", card);

  let report = null;
  let open = null; // the action whose form is showing
  let guardsLoaded = false;

  const clearError = () => clearText(error);

  async function loadGuards() {
    if (guardsLoaded) return;
    try {
      const guards = await api.guards();
      guardSelect.replaceChildren(guardSelect.options[0], ...guards.map((guard) => new Option(personName(guard), String(guard.id))));
      guardsLoaded = true;
      guardNote.hidden = true;
    } catch (failure) {
      console.warn("report: no guard list", failure);
      setText(guardNote, "console.report.guards_failed");
      guardNote.hidden = false;
    }
  }

  function buttonOf(name) {
    return find(`[data-action="${name}"]`, buttons);
  }

  function close({ focus = false } = {}) {
    const was = open;
    open = null;
    form.hidden = true;
    for (const button of findAll("[data-action]", buttons)) button.setAttribute("aria-expanded", "false");
    if (focus && was) buttonOf(was)?.focus();
  }

  function show(name) {
    open = name;
    clearError();
    form.reset();
    form.dataset.action = name;
    setText(heading, `console.report.action.${name}`);
    setText(submit, `console.report.submit.${name}`);
    const dispatching = name === "dispatch" || name === "redispatch";
    guardField.hidden = !dispatching;
    mergeField.hidden = name !== "merge";
    publicField.hidden = name === "merge"; // the merge call takes no note for the reporter
    form.elements.public_note.value = PUBLIC_NOTES[name] ?? "";
    if (dispatching) loadGuards();
    for (const button of findAll("[data-action]", buttons)) {
      button.setAttribute("aria-expanded", String(button.dataset.action === name));
    }
    form.hidden = false;
    (dispatching ? guardSelect : name === "merge" ? form.elements.into : form.elements.note).focus();
  }

  function render(next) {
    report = next;
    const offered = actionsFor(report.status);
    buttons.replaceChildren(
      ...offered.map((action) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = action.name === "false_alarm" || action.name === "merge" ? "button button-secondary" : "button";
        button.dataset.action = action.name;
        button.setAttribute("aria-controls", form.id);
        button.setAttribute("aria-expanded", String(open === action.name));
        setText(button, `console.report.action.${action.name}`);
        button.addEventListener("click", () => (open === action.name ? close() : show(action.name)));
        return button;
      }),
    );
    closedNote.hidden = offered.length > 0;
    if (open && !offered.some((action) => action.name === open)) {
      // The case moved on (another operator, a guard) while the form was open.
      close();
      setText(error, "console.report.action_stale");
    }
  }

  function body() {
    const text = (name) => form.elements[name].value.trim() || null;
    return { note: text("note"), public_note: publicField.hidden ? null : text("public_note") };
  }

  async function send(name) {
    const action = ACTIONS.find((candidate) => candidate.name === name);
    const { note, public_note } = body();
    if (name === "merge") {
      const into = Number(form.elements.into.value);
      if (!Number.isInteger(into) || into < 1 || into === report.id) {
        setText(error, "console.report.merge_invalid");
        form.elements.into.focus();
        return false;
      }
      await api.mergeReport(report.id, { into, note });
      return true;
    }
    const assignee = guardField.hidden ? null : Number(guardSelect.value) || null;
    await api.changeReportStatus(report.id, { status: action.to, note, public_note, assignee_id: assignee ?? undefined });
    return true;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!open || !report) return;
    const name = open;
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    clearError();
    try {
      if (!(await send(name))) return;
      close();
      onDone(name);
    } catch (failure) {
      if (failure.status === 409) {
        close();
        setText(error, "console.report.conflict");
        onConflict();
      } else if (failure.status === 404 && name === "merge") {
        setText(error, "console.report.merge_not_found");
      } else if (failure.status === 422) {
        setText(error, "console.report.invalid");
      } else {
        setText(error, failure.isNetworkError ? "console.report.offline" : "console.report.action_failed");
      }
    } finally {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    }
  });
  find("[data-action-cancel]", form).addEventListener("click", () => close({ focus: true }));
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close({ focus: true });
  });

  return {
    render,
    /** Leaving the page: forget the form and any message. */
    reset() {
      close();
      clearError();
      report = null;
    },
  };
}
