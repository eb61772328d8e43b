/**
 * What an operator can do with a warning, on its page, by its state: save,
 * approve and send a draft (sending asks first, naming how many subscribers
 * it reaches and its headline); write an update to a sent one (the changed
 * fields become a new draft, which opens) or cancel it (asked first; the
 * cancellation goes out at once and opens). Failures are said plainly: field
 * errors beside their fields, two-person approval, someone else's change.
 */

import * as api from "./api.js";
import { clearText, element } from "./console-format.js";
import { totalDeliveries } from "./console-warning-format.js";
import { changedFields, clearFieldErrors, showFieldErrors } from "./console-warning-form.js";
import { find, findAll } from "./dom.js";
import { setText } from "./i18n.js";

/** The actions each kind of page offers (update: writing an update to a sent warning). */
const OFFERED = {
  new: ["save", "send"],
  draft: ["save", "approve", "send"],
  approved: ["save", "send"],
  sent: ["start_update", "cancel"],
  update: ["submit_update", "abandon_update"],
};

/**
 * The action buttons of view. page is what they work on: {state (current,
 * snapshot, updating, sourceReportId, pendingNews), form, body(),
 * render(alert, {fill}), showActions(), say(key, vars), reload(),
 * recipients(areas), areas(), schedulePreview()}.
 */
export function createWarningActions(view, page) {
  const { state, form } = page;
  const error = find("[data-warning-error]", view);
  const dialog = find("[data-warning-confirm]", view);
  let busy = false;

  /** The confirmation dialog; resolves true when the operator confirms. */
  function confirm({ heading, text, vars, noteKey = null, okKey, okVars }) {
    setText(find("[data-confirm-heading]", dialog), heading);
    setText(find("[data-confirm-text]", dialog), text, vars);
    const note = find("[data-confirm-note]", dialog);
    note.hidden = !noteKey;
    if (noteKey) setText(note, noteKey);
    else clearText(note);
    find("[data-confirm-headline-ko]", dialog).textContent = form.elements.headline_ko.value.trim();
    find("[data-confirm-headline-en]", dialog).textContent = form.elements.headline_en.value.trim();
    setText(find("[data-confirm-ok]", dialog), okKey, okVars);
    const opener = document.activeElement;
    dialog.returnValue = "";
    dialog.showModal();
    find("[data-confirm-cancel]", dialog).focus(); // Enter alone never sends
    return new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => {
          opener?.focus?.();
          resolve(dialog.returnValue === "ok");
        },
        { once: true },
      );
    });
  }

  /** Store the form: a new draft, or this one's changes (an approved one goes back to draft). */
  async function save({ quiet = false } = {}) {
    if (!state.current) {
      const created = await api.createAlert({ ...page.body(), source_report_id: state.sourceReportId ?? undefined });
      history.replaceState(null, "", `#/warnings/${created.id}`); // the page stays; its address names it now
      state.snapshot = page.body();
      page.render(created, { fill: false });
      page.say("console.warnings.done.created", { id: created.id });
      return;
    }
    if (!changedFields(state.snapshot, page.body()).length) {
      if (!quiet) page.say("console.warnings.done.unchanged");
      return;
    }
    const saved = await api.editAlert(state.current.id, page.body());
    state.snapshot = page.body();
    page.render(saved, { fill: false });
    page.say("console.warnings.done.saved", { id: saved.id });
  }

  async function send() {
    await save({ quiet: true });
    let n = null;
    try {
      n = await page.recipients(page.areas());
    } catch (failure) {
      console.warn("warnings: no count before sending", failure);
    }
    const known = Number.isInteger(n);
    const yes = await confirm({
      heading: "console.warnings.confirm.send_heading",
      text: known ? "console.warnings.reach.count" : "console.warnings.confirm.count_unknown",
      vars: { n },
      noteKey: state.current.references_id ? "console.warnings.confirm.send_update_note" : null,
      okKey: known ? "console.warnings.confirm.send_ok" : "console.warnings.confirm.send_ok_unknown",
      okVars: { n },
    });
    if (!yes) return page.say("console.warnings.done.not_sent");
    const sent = await api.sendAlert(state.current.id);
    page.render(sent, { fill: false });
    page.say("console.warnings.done.sent", { n: totalDeliveries(sent.counts) });
  }

  async function approve() {
    await save({ quiet: true });
    page.render(await api.approveAlert(state.current.id), { fill: false });
    page.say("console.warnings.done.approved");
  }

  function startUpdate() {
    state.updating = true;
    page.showActions();
    page.schedulePreview();
    page.say("console.warnings.done.update_started");
    form.elements.headline_ko.focus();
  }

  function abandonUpdate() {
    state.updating = false;
    page.render(state.current, { fill: true });
    page.say("console.warnings.done.update_abandoned");
    find('[data-warning-action="start_update"]', view).focus();
  }

  async function submitUpdate() {
    const now = page.body();
    const changes = Object.fromEntries(changedFields(state.snapshot, now).map((name) => [name, now[name]]));
    const draft = await api.updateAlert(state.current.id, changes);
    state.pendingNews = ["console.warnings.done.update_created", { id: draft.id, of: state.current.id }];
    location.hash = `#/warnings/${draft.id}`;
  }

  async function cancel() {
    const yes = await confirm({
      heading: "console.warnings.confirm.cancel_heading",
      text: "console.warnings.confirm.cancel_text",
      vars: { n: totalDeliveries(state.current.counts) },
      okKey: "console.warnings.confirm.cancel_ok",
    });
    if (!yes) return;
    const cancellation = await api.cancelAlert(state.current.id);
    state.pendingNews = ["console.warnings.done.cancelled", { id: state.current.id, n: totalDeliveries(cancellation.counts) }];
    location.hash = `#/warnings/${cancellation.id}`;
  }

  const RUN = { save, send, approve, start_update: startUpdate, abandon_update: abandonUpdate, submit_update: submitUpdate, cancel };

  function explain(name, failure) {
    if (failure.status === 422) {
      const { first, unplaced } = showFieldErrors(form, failure.errors?.json);
      setText(error, "console.warnings.error.invalid");
      if (unplaced.length) error.append(" ", element("span", "", { text: unplaced.join(" ") }));
      (first ?? error).focus();
    } else if (failure.status === 403 && name === "approve") {
      setText(error, "console.warnings.error.two_person");
    } else if (failure.status === 409 && name === "send" && state.current?.state === "draft") {
      setText(error, "console.warnings.error.needs_approval");
    } else if (failure.status === 409) {
      setText(error, "console.warnings.error.conflict");
      page.reload();
    } else if (failure.status === 404) {
      setText(error, "console.warnings.error.not_found");
    } else {
      setText(error, failure.isNetworkError ? "console.warnings.error.offline" : "console.warnings.error.failed");
    }
  }

  async function run(name, button) {
    if (busy) return;
    busy = true;
    button.setAttribute("aria-busy", "true");
    clearText(error);
    clearFieldErrors(form);
    try {
      await RUN[name]();
    } catch (failure) {
      console.error(`warnings: ${name} failed`, failure);
      explain(name, failure);
    } finally {
      busy = false;
      button.removeAttribute("aria-busy");
    }
  }

  for (const button of findAll("[data-warning-action]", view)) {
    button.addEventListener("click", () => run(button.dataset.warningAction, button));
  }

  return {
    /** Show the buttons for this kind of page ("new", a state, or "update"); returns whether any is offered. */
    show(kind) {
      const offered = OFFERED[kind] ?? [];
      for (const button of findAll("[data-warning-action]", view)) button.hidden = !offered.includes(button.dataset.warningAction);
      return offered.length > 0;
    },
    /** Leaving the page: no dialog stays open. */
    reset() {
      if (dialog.open) dialog.close();
    },
  };
}
