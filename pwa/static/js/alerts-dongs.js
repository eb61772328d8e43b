/**
 * "동 I follow": a checkbox per 동 (with its 구), a box that narrows the
 * list by name, and how many are chosen (the server takes MAX_AREAS). The
 * list is kept on this device so the choice can be changed offline.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { setText } from "./i18n.js";
import { readJSON, writeJSON } from "./storage.js";

const SAVED_KEY = "ansim.alerts.areas";

const collator = new Intl.Collator("ko");

/** root is the 동 fieldset; onChange(codes) after each tap. */
export function createDongPicker(root, { chosen, max, onChange }) {
  const list = find("[data-alerts-dong-list]", root);
  const template = find("[data-alerts-dong-template]", root);
  const filter = find("[data-alerts-dong-filter]", root);
  const state = find("[data-alerts-dong-state]", root);
  const count = find("[data-alerts-dong-count]", root);
  let areas = readJSON(SAVED_KEY)?.areas ?? null; // [{code, name, level, parent_code}]
  let codes = new Set(chosen);
  let loaded = false;
  let failed = false;

  function renderCount() {
    setText(count, codes.size >= max ? "screen.alerts.follow.dongs.max" : "screen.alerts.follow.dongs.chosen", { n: codes.size, max });
    for (const input of list.querySelectorAll("input")) input.disabled = !input.checked && codes.size >= max;
  }

  function applyFilter() {
    const words = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const label of list.children) {
      const match = !words || label.dataset.search.includes(words);
      label.hidden = !match;
      shown += match;
    }
    return shown;
  }

  function renderState(shown) {
    let key = null;
    if (!areas) key = failed ? "screen.alerts.follow.dongs.offline" : "screen.alerts.follow.dongs.loading";
    else if (!list.children.length) key = "screen.alerts.follow.dongs.none";
    else if (!shown) key = "screen.alerts.follow.dongs.no_match";
    state.hidden = !key;
    if (key) setText(state, key);
  }

  function renderList() {
    const gu = new Map((areas ?? []).filter((area) => area.level === "gu").map((area) => [area.code, area.name]));
    const dongs = (areas ?? []).filter((area) => area.level === "dong");
    // The ones already chosen first, then by 구 and name.
    dongs.sort((a, b) => codes.has(b.code) - codes.has(a.code) || collator.compare(a.parent_code ?? "", b.parent_code ?? "") || collator.compare(a.name, b.name));
    list.replaceChildren(
      ...dongs.map((area) => {
        const label = template.content.firstElementChild.cloneNode(true);
        const input = find("input", label);
        input.value = area.code;
        input.checked = codes.has(area.code);
        find("[data-alerts-dong-name]", label).textContent = area.name;
        const guName = gu.get(area.parent_code) ?? "";
        find("[data-alerts-dong-gu]", label).textContent = guName;
        label.dataset.search = `${area.name} ${guName} ${area.name_en ?? ""}`.toLowerCase();
        label.dataset.code = area.code;
        return label;
      }),
    );
    renderState(applyFilter());
    renderCount();
  }

  list.addEventListener("change", (event) => {
    const input = event.target;
    if (input.checked) codes.add(input.value);
    else codes.delete(input.value);
    renderCount();
    onChange([...codes]);
  });
  filter.addEventListener("input", () => renderState(applyFilter()));

  renderList();
  return {
    render: () => {
      renderState(applyFilter());
      renderCount();
    },
    /** Ask for the list (once per page when it answers; again after a failure). */
    async load() {
      if (loaded) return;
      try {
        // Both levels: the 구 names tell apart 동 of the same name.
        const all = await api.areas();
        areas = all.map(({ code, name, name_en, level, parent_code }) => ({ code, name, name_en, level, parent_code }));
        writeJSON(SAVED_KEY, { areas, at: new Date().toISOString() });
        loaded = true;
        failed = false;
      } catch (error) {
        failed = true;
        if (!error.isNetworkError) console.warn("alerts: areas not loaded", error);
      }
      renderList();
    },
  };
}
