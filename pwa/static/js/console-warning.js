/**
 * One warning's page in the console: #/warnings/new (from a report with
 * ?report=<id>: prefilled by the server, linked back to it) and
 * #/warnings/<id>. A form with every CAP field, Korean first; the areas drawn
 * on a map (console-warning-map.js) with how many subscribers they reach;
 * the warning's record and delivery counts, which move as pushes go out; and
 * what its state allows (console-warning-actions.js).
 */

import * as api from "./api.js";
import { clearText, element, timeElement } from "./console-format.js";
import { createWarningActions } from "./console-warning-actions.js";
import { countsElement, localised, severityLabel, statePill, typeTags } from "./console-warning-format.js";
import { blankWarning, clearFieldErrors, expireIn, fillFields, readFields } from "./console-warning-form.js";
import { createCountsWatch } from "./console-warning-live.js";
import { createAreaEditor } from "./console-warning-map.js";
import { find, findAll } from "./dom.js";
import { LANGUAGE_CHANGED, setText } from "./i18n.js";

const EDITABLE = ["new", "draft", "approved", "update"];
const NO_AREAS = { circles: [], polygons: [], geocodes: [] };
const PREVIEW_DELAY_MS = 400;

const isEmpty = (areas) => !areas.circles.length && !areas.polygons.length && !areas.geocodes.length;

function fact(name, ...value) {
  const term = element("dt", "", { key: `console.warnings.fact.${name}` });
  const detail = document.createElement("dd");
  detail.dataset.fact = name;
  detail.append(...value);
  return [term, detail];
}

function link(hash, key, vars) {
  const anchor = element("a", "", { key, vars });
  anchor.href = hash;
  return anchor;
}

function person(name, at) {
  if (!name) return [element("span", "muted", { text: "—" })];
  return at ? [element("span", "", { text: name }), " · ", timeElement(at)] : [element("span", "", { text: name })];
}

/** The warning's record: its state, CAP identifier, who wrote and approved it, when it went out, its deliveries. */
function facts(alert) {
  const rows = [
    fact("state", statePill(alert.state), ...typeTags(alert).flatMap((tag) => [" ", tag])),
    fact("identifier", element("code", "", { text: alert.identifier })),
    fact("author", ...person(alert.author_name, alert.created_at)),
    fact("approver", ...person(alert.approver_name, alert.approved_at)),
    fact("sent_at", alert.sent_at ? timeElement(alert.sent_at) : element("span", "muted", { key: "console.warnings.not_sent" })),
  ];
  if (alert.references_id) rows.push(fact("references", link(`#/warnings/${alert.references_id}`, `console.warnings.references.${alert.msg_type}`, { id: alert.references_id })));
  if (alert.sent_at) {
    rows.push(fact("deliveries", countsElement(alert.counts)));
    if (alert.status !== "test") {
      const cap = link(`/api/v1/alerts/${alert.id}/cap`, "console.warnings.cap_link");
      cap.target = "_blank";
      rows.push(fact("cap", cap));
    }
  }
  return rows.flat();
}

export function createWarningPage(view) {
  const title = find("[data-warning-title]", view);
  const headline = find("[data-warning-headline]", view);
  const badges = find("[data-warning-badges]", view);
  const source = find("[data-warning-source]", view);
  const back = find("[data-warning-back]", view);
  const error = find("[data-warning-error]", view);
  const announcer = find("[data-warning-announce]", view);
  const form = find("[data-warning-form]", view);
  const factsCard = find("[data-warning-facts-card]", view);
  const reach = find("[data-warning-reach]", view);
  const note = find("[data-warning-action-note]", view);

  /** current: the warning as last loaded (null: a new one); snapshot: the body as filled, to tell what changed. */
  const state = { current: null, sourceReportId: null, snapshot: null, updating: false, pendingNews: null };
  let loadCount = 0;
  let previewTimer = null;
  let previewCount = 0;

  const editor = createAreaEditor(find("[data-warning-areas]", view), { onChange: schedulePreview });
  const watch = createCountsWatch((alert) => alert.id === state.current?.id && render(alert, { fill: false }));
  const body = () => ({ ...readFields(form), areas: editor.areas() });
  const kind = () => (state.updating ? "update" : (state.current?.state ?? "new"));
  const say = (key, vars) => setText(announcer, key, vars);
  const actions = createWarningActions(view, {
    state,
    form,
    body,
    render,
    showActions,
    say,
    reload,
    recipients,
    areas: () => editor.areas(),
    schedulePreview,
  });

  // ---- what is shown ----

  function renderHead() {
    const { current, sourceReportId } = state;
    if (current) {
      setText(title, "console.warnings.page.title", { id: current.id });
      headline.textContent = localised(current, "headline");
      badges.replaceChildren(statePill(current.state), ...typeTags(current), severityLabel(current.severity));
      view.dataset.state = current.state;
    } else {
      setText(title, sourceReportId ? "console.warnings.page.new_from_report" : "console.warnings.page.new", { id: sourceReportId });
      headline.textContent = "";
      badges.replaceChildren();
      delete view.dataset.state;
    }
    source.hidden = !sourceReportId;
    source.replaceChildren(...(sourceReportId ? [link(`#/reports/${sourceReportId}`, "console.warnings.page.source", { id: sourceReportId })] : []));
  }

  function showActions() {
    const offered = actions.show(kind());
    const editable = EDITABLE.includes(kind());
    find("[data-warning-fields]", form).disabled = !editable;
    editor.setEditable(editable);
    reach.hidden = !editable;
    view.dataset.mode = kind();
    if (kind() === "approved" || kind() === "update") setText(note, `console.warnings.note.${kind()}`);
    else if (state.current && !offered) setText(note, `console.warnings.note.${state.current.state}`);
    else clearText(note);
  }

  function render(alert, { fill }) {
    state.current = alert;
    state.sourceReportId = alert.source_report_id ?? null;
    renderHead();
    find("[data-warning-facts]", view).replaceChildren(...facts(alert));
    factsCard.hidden = false;
    if (fill) {
      fillFields(form, alert);
      editor.set(alert.areas ?? NO_AREAS);
      state.snapshot = body();
      schedulePreview();
    }
    showActions();
    view.dataset.warningLoaded = String(alert.id);
    watch.watch(alert);
  }

  // ---- how many it reaches ----

  async function recipients(areas) {
    return isEmpty(areas) ? 0 : (await api.previewAlert(areas)).recipients;
  }

  /** Count again once the areas stop changing (no areas: said at once). */
  function schedulePreview() {
    clearTimeout(previewTimer);
    if (isEmpty(editor.areas())) return preview();
    reach.setAttribute("aria-busy", "true");
    previewTimer = setTimeout(preview, PREVIEW_DELAY_MS);
  }

  async function preview() {
    const mine = ++previewCount;
    const areas = editor.areas();
    try {
      if (isEmpty(areas)) {
        setText(reach, "console.warnings.reach.none");
        delete reach.dataset.recipients;
        return;
      }
      const n = await recipients(areas);
      if (mine !== previewCount) return;
      const update = state.updating || state.current?.references_id;
      setText(reach, update ? "console.warnings.reach.count_update" : "console.warnings.reach.count", { n });
      reach.dataset.recipients = String(n);
    } catch (failure) {
      if (mine !== previewCount) return;
      setText(reach, failure.status === 422 ? "console.warnings.reach.invalid" : "console.warnings.reach.failed");
      delete reach.dataset.recipients;
    } finally {
      if (mine === previewCount) reach.removeAttribute("aria-busy");
    }
  }

  // ---- loading ----

  async function reload() {
    const mine = ++loadCount;
    const id = state.current?.id;
    if (!id) return;
    try {
      const alert = await api.managedAlert(id);
      if (mine === loadCount) render(alert, { fill: !state.updating });
    } catch {
      if (mine === loadCount) setText(error, "console.warnings.error.load_failed", { id });
    }
  }

  function reset() {
    loadCount += 1;
    clearTimeout(previewTimer);
    previewCount += 1;
    watch.stop();
    actions.reset();
    Object.assign(state, { current: null, sourceReportId: null, snapshot: null, updating: false });
    for (const node of [error, announcer]) clearText(node);
    clearFieldErrors(form);
    factsCard.hidden = true;
    delete view.dataset.warningLoaded;
  }

  async function openNew(reportId) {
    reset();
    const mine = loadCount;
    state.sourceReportId = reportId;
    renderHead();
    let values = blankWarning();
    if (reportId) {
      try {
        values = await api.draftFromReport(reportId);
      } catch (failure) {
        if (mine !== loadCount) return;
        setText(error, failure.status === 404 ? "console.warnings.error.report_not_found" : "console.warnings.error.report_failed", { id: reportId });
      }
    }
    if (mine !== loadCount) return;
    fillFields(form, values);
    editor.set(values.areas ?? NO_AREAS);
    showActions();
    schedulePreview();
    view.dataset.warningLoaded = "new";
  }

  async function openExisting(id) {
    reset();
    const mine = loadCount;
    setText(title, "console.warnings.page.title", { id });
    headline.textContent = "";
    badges.replaceChildren();
    source.hidden = true;
    try {
      const alert = await api.managedAlert(id);
      if (mine !== loadCount) return;
      render(alert, { fill: true });
      if (state.pendingNews) say(...state.pendingNews); // what opened this page (an update made, a cancellation sent)
    } catch (failure) {
      if (mine !== loadCount) return;
      setText(error, failure.status === 404 ? "console.warnings.error.not_found" : "console.warnings.error.load_failed", { id });
      view.dataset.mode = "missing";
      actions.show("missing");
    } finally {
      state.pendingNews = null;
    }
  }

  form.addEventListener("submit", (event) => event.preventDefault()); // only the buttons act
  for (const button of findAll("[data-expires-in]", form)) {
    button.addEventListener("click", () => expireIn(form, Number(button.dataset.expiresIn)));
  }
  document.addEventListener(LANGUAGE_CHANGED, () => {
    if (view.hidden) return;
    if (state.current) {
      renderHead();
      find("[data-warning-facts]", view).replaceChildren(...facts(state.current));
    }
    editor.relabel();
  });

  return {
    /** #/warnings/new[?report=<id>] (id null) or #/warnings/<id>; the heading takes the focus. */
    open({ id = null, reportId = null }) {
      title.tabIndex = -1;
      title.focus({ preventScroll: true });
      window.scrollTo(0, 0);
      editor.open().catch((failure) => console.error("warnings: no map", failure));
      return id ? openExisting(id) : openNew(reportId);
    },
    close: reset,
    /** Where "back to the list" goes: the list with the filters it had. */
    setListHash(hash) {
      back.href = hash;
    },
  };
}
