/**
 * The filter chips above the map: [data-kind-filter="bell"] toggle buttons
 * (aria-pressed) choosing which kinds the map draws. The choice is kept on
 * this device; a kind never chosen either way starts as facility-kinds.js says.
 */

import { findAll } from "./dom.js";
import { KINDS, KIND_NAMES } from "./facility-kinds.js";
import { readJSON, writeJSON } from "./storage.js";

const STORAGE_KEY = "ansim.map.kinds";

function load() {
  const saved = readJSON(STORAGE_KEY);
  if (Array.isArray(saved)) return new Set(saved.filter((kind) => KIND_NAMES.includes(kind)));
  return new Set(KINDS.filter((entry) => entry.on).map((entry) => entry.kind));
}

function save(kinds) {
  writeJSON(STORAGE_KEY, [...kinds]);
}

/**
 * Wire the chips under root. onChange(kinds) is called with the chosen kinds
 * (in chip order) whenever one is toggled. Returns enabledKinds().
 */
export function initKindFilter(root, onChange) {
  const chosen = load();
  const chips = findAll("[data-kind-filter]", root);
  const enabledKinds = () => KIND_NAMES.filter((kind) => chosen.has(kind));

  for (const chip of chips) {
    chip.setAttribute("aria-pressed", String(chosen.has(chip.dataset.kindFilter)));
    chip.addEventListener("click", () => {
      const kind = chip.dataset.kindFilter;
      if (chosen.has(kind)) chosen.delete(kind);
      else chosen.add(kind);
      chip.setAttribute("aria-pressed", String(chosen.has(kind)));
      save(chosen);
      onChange(enabledKinds());
    });
  }
  return enabledKinds;
}
