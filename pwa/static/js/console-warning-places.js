/**
 * 구 and 동 for a warning's areas: the picker (a 구, then one of its 동 or
 * the whole 구), their names in the reader's language, and their boundaries
 * for the map — 구 all at once, 동 a 구 at a time, each asked for once.
 */

import * as api from "./api.js";
import { areaName, unknownArea } from "./console-warning-format.js";
import { find } from "./dom.js";
import { t } from "./i18n.js";

/** The picker in root; onPick(code) when the operator adds one, onNothing(key) when there is nothing to add. */
export function createPlaces(root, { onPick, onNothing }) {
  const picker = find("[data-area-picker]", root);
  const note = find("[data-area-picker-note]", root);
  const guSelect = find("[data-pick-gu]", picker);
  const dongSelect = find("[data-pick-dong]", picker);
  const known = new Map(); // code → area (without its boundary)
  const shapes = new Map(); // code → GeoJSON geometry
  const requests = new Map(); // "gu" | "dong:<gu>" → promise
  let loading = null;
  let shown = true;

  function fillDongs() {
    const gu = guSelect.value;
    const dongs = [...known.values()].filter((area) => area.level === "dong" && area.parent_code === gu);
    dongSelect.replaceChildren(new Option(t("console.warnings.area.whole_gu"), ""), ...dongs.map((dong) => new Option(areaName(dong), dong.code)));
    dongSelect.disabled = !gu;
  }

  function fill() {
    const gus = [...known.values()].filter((area) => area.level === "gu");
    const chosen = guSelect.value;
    guSelect.replaceChildren(new Option(t("console.warnings.area.pick_gu_none"), ""), ...gus.map((gu) => new Option(areaName(gu), gu.code)));
    guSelect.value = chosen;
    fillDongs();
  }

  function showPicker() {
    picker.hidden = !shown || known.size === 0;
    note.hidden = !shown || known.size > 0;
  }

  async function load() {
    try {
      for (const area of await api.areas()) known.set(area.code, area);
    } catch (error) {
      console.warn("warnings: no 구/동 list", error);
    }
    showPicker();
    fill();
  }

  guSelect.addEventListener("change", fillDongs);
  find("[data-area-add]", picker).addEventListener("click", () => {
    const code = dongSelect.value || guSelect.value;
    if (code) onPick(code);
    else onNothing("console.warnings.area.pick_first");
  });

  return {
    /** The list of 구 and 동, asked for the first time the picker is needed. */
    load() {
      loading ??= load();
      return loading;
    },
    name(code) {
      const area = known.get(code);
      return area ? areaName(area) : unknownArea(code);
    },
    /** The boundary of code (GeoJSON), or null until loadShape(code) has brought it. */
    shape: (code) => shapes.get(code) ?? null,
    loadShape(code) {
      const area = known.get(code);
      const level = area?.level ?? (code.length <= 5 ? "gu" : "dong");
      const parent = level === "dong" ? (area?.parent_code ?? code.slice(0, 5)) : undefined;
      const key = level === "dong" ? `dong:${parent}` : "gu";
      if (!requests.has(key)) {
        const request = api.areaShapes(level, parent).then((found) => {
          for (const item of found) shapes.set(item.code, item.geometry);
        });
        request.catch(() => requests.delete(key)); // asked again next time
        requests.set(key, request);
      }
      return requests.get(key);
    },
    setShown(flag) {
      shown = flag;
      showPicker();
    },
    relabel: fill,
  };
}
