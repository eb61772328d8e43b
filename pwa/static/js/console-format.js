/**
 * How the console's Reports screens write things: times to the second,
 * distances, a report's kind and status, short excerpts. Text goes in
 * through textContent (setText), never as HTML.
 */

import { language, setText } from "./i18n.js";

const CLOCK = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };

function format(date, options) {
  return new Intl.DateTimeFormat(language() === "ko" ? "ko-KR" : "en-GB", options).format(date);
}

/** "2025. 11. 26. 21:41:07" or "26/11/2025, 21:41:07", in the reader's language. */
export function formatTimestamp(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "";
  return format(date, { year: "numeric", month: "2-digit", day: "2-digit", ...CLOCK });
}

/** For lists: "21:41:07" today, "11. 25. 21:41" on other days (with the year when not this one). */
export function formatShortTimestamp(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "";
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return format(date, CLOCK);
  const year = date.getFullYear() === now.getFullYear() ? {} : { year: "numeric" };
  return format(date, { ...year, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** A <time> element showing iso to the second (short: as in a list, the full time on hover). */
export function timeElement(iso, { short = false } = {}) {
  const time = document.createElement("time");
  if (!iso) return time;
  time.dateTime = iso;
  time.textContent = short ? formatShortTimestamp(iso) : formatTimestamp(iso);
  if (short) time.title = formatTimestamp(iso);
  return time;
}

/** "45 m", "1.2 km". */
export function formatDistance(metres) {
  if (!Number.isFinite(metres)) return "";
  return metres < 1000 ? `${Math.round(metres)} m` : `${(metres / 1000).toFixed(1)} km`;
}

/** The first `length` characters of text on one line, with an ellipsis when cut. */
export function excerpt(text, length = 60) {
  const line = (text ?? "").replace(/\s+/g, " ").trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/** Empty a text set by setText, and forget its key (or a language switch would bring it back). */
export function clearText(node) {
  delete node.dataset.i18n;
  delete node.dataset.i18nVars;
  node.textContent = "";
}

/** An element of tag with class names, and text by i18n key (or plain text). */
export function element(tag, className, { key, vars, text } = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (key) setText(node, key, vars);
  else if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** A status pill (접수, 확인, 출동…); its colour follows data-status, its words say it. */
export function statusPill(status) {
  const pill = element("span", "status-pill", { key: `report.status.${status}` });
  pill.dataset.status = status;
  return pill;
}

/** The report's kind in words; an SOS is marked so it stands out (not by colour alone: bold and framed). */
export function kindLabel(kind) {
  const label = element("span", kind === "sos" ? "kind-label kind-sos" : "kind-label", { key: `report.kind.${kind}` });
  label.dataset.kind = kind;
  return label;
}

/** A colleague and their team: "김지킴 · 성북 안심스카우트". */
export function personName(person) {
  if (!person) return "";
  const organisation = person.organisation?.name;
  return organisation ? `${person.display_name} · ${organisation}` : person.display_name;
}
