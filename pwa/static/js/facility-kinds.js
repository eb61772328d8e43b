/**
 * The kinds of safety facility and how each looks wherever it appears (map
 * markers, filter chips that double as the legend, the nearest card, the
 * details sheet). Each kind has its own shape and pictogram as well as its
 * own colour, so none is told apart by colour alone; the drawings are the
 * <symbol id="kind-…"> sprites in index.html.
 */

/** In the order the chips show them; security lights are many, so off at first. */
export const KINDS = [
  { kind: "bell", on: true },
  { kind: "cctv", on: true },
  { kind: "safe_house", on: true },
  { kind: "police", on: true },
  { kind: "security_light", on: false },
];

export const KIND_NAMES = KINDS.map((entry) => entry.kind);

/** The kinds a resident can report broken (a fault report names one of these). */
export const FAULT_KINDS = ["bell", "cctv", "security_light"];

/** The i18n key of a kind's name, e.g. "map.kind.bell" → 비상벨. */
export function kindKey(kind) {
  return `map.kind.${KIND_NAMES.includes(kind) ? kind : "unknown"}`;
}

const SVG = "http://www.w3.org/2000/svg";

/** A decorative <svg> drawing of a kind (screen readers get the kind's name elsewhere). */
export function kindIcon(kind, className = "kind-icon") {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", className);
  svg.setAttribute("viewBox", "0 0 32 32");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", `#kind-${KIND_NAMES.includes(kind) ? kind : "bell"}`);
  svg.append(use);
  return svg;
}
