/**
 * The fields of a warning's form (every CAP field AlertWriteSchema takes,
 * except the areas, which console-warning-map.js draws): filling them from an
 * alert, reading them back as the API's body, what changed since they were
 * filled, and the server's field errors shown next to their fields.
 */

import { clearText } from "./console-format.js";
import { fromLocalInput, toLocalInput } from "./console-warning-format.js";
import { find, findAll } from "./dom.js";
import { setText } from "./i18n.js";

const CHOICES = ["status", "category", "urgency", "severity", "certainty"];
const TEXTS = ["event", "headline_ko", "headline_en", "description_ko", "description_en", "instruction_ko", "instruction_en", "area_desc_ko", "area_desc_en"];
const TIMES = ["onset", "expires"];
const HOUR_MS = 3_600_000;

/** What a new warning starts with (the areas aside). */
export function blankWarning(now = new Date()) {
  return {
    status: "actual",
    category: "safety",
    urgency: "expected",
    severity: "moderate",
    certainty: "likely",
    ...Object.fromEntries(TEXTS.map((name) => [name, ""])),
    onset: null,
    expires: new Date(now.getTime() + 6 * HOUR_MS).toISOString(),
  };
}

export function fillFields(form, alert) {
  for (const name of [...CHOICES, ...TEXTS]) form.elements[name].value = alert[name] ?? "";
  for (const name of TIMES) form.elements[name].value = toLocalInput(alert[name]);
}

/** The fields as the API takes them: texts trimmed, times in ISO (null when empty). */
export function readFields(form) {
  const body = {};
  for (const name of CHOICES) body[name] = form.elements[name].value;
  for (const name of TEXTS) body[name] = form.elements[name].value.trim();
  for (const name of TIMES) body[name] = fromLocalInput(form.elements[name].value);
  return body;
}

/** The names whose values differ between two bodies (areas compared whole). */
export function changedFields(before, after) {
  return Object.keys(after).filter((name) => JSON.stringify(before?.[name] ?? null) !== JSON.stringify(after[name] ?? null));
}

/** Expires `hours` from now. */
export function expireIn(form, hours) {
  form.elements.expires.value = toLocalInput(new Date(Date.now() + hours * HOUR_MS).toISOString());
}

// The server writes its messages in English; the ones it is known to send
// are said in the operator's language, anything else is shown as it came.
const KNOWN = [
  [/^(Missing data for required field|Field may not be null)/, "console.warnings.error.required"],
  [/^Length must be between 1 and (\d+)/, "console.warnings.error.length", (m) => ({ max: m[1] })],
  [/^Longer than maximum length (\d+)/, "console.warnings.error.length", (m) => ({ max: m[1] })],
  [/^(The warning must expire in the future|In the past)/, "console.warnings.error.expires_past"],
  [/^Onset comes before expiry/, "console.warnings.error.onset_after_expiry"],
  [/^Draw a circle or a polygon/, "console.warnings.error.no_area"],
  [/^Unknown area code: (.+?)\.?$/, "console.warnings.error.unknown_area", (m) => ({ codes: m[1] })],
  [/^Not a valid (datetime|aware datetime)/i, "console.warnings.error.datetime"],
];

function messagesOf(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(messagesOf);
  if (value && typeof value === "object") return Object.values(value).flatMap(messagesOf);
  return [];
}

function say(node, message, field) {
  for (const [pattern, key, vars] of KNOWN) {
    const match = pattern.exec(message);
    if (!match) continue;
    const empty = field && !field.value?.trim();
    setText(node, empty && key === "console.warnings.error.length" ? "console.warnings.error.required" : key, vars?.(match));
    node.removeAttribute("lang");
    return;
  }
  clearText(node);
  node.textContent = message;
  node.lang = "en";
}

export function clearFieldErrors(root) {
  for (const slot of findAll("[data-field-error]", root)) clearText(slot);
  for (const field of findAll('[aria-invalid="true"]', root)) field.removeAttribute("aria-invalid");
}

/**
 * Put each field's messages ({field: [messages]}, nested for the areas)
 * next to it. Returns the first field marked (to move the focus to) and the
 * messages that have no place on the form.
 */
export function showFieldErrors(root, errors) {
  clearFieldErrors(root);
  let first = null;
  const unplaced = [];
  for (const [name, value] of Object.entries(errors ?? {})) {
    const slot = find(`[data-field-error="${CSS.escape(name)}"]`, root);
    const messages = messagesOf(value);
    if (!slot) {
      unplaced.push(...messages.map((message) => `${name}: ${message}`));
      continue;
    }
    const field = root.querySelector(`[aria-describedby~="${CSS.escape(slot.id)}"]`);
    say(slot, messages.join(" "), field);
    if (field) field.setAttribute("aria-invalid", "true");
    first ??= field ?? slot;
  }
  return { first, unplaced };
}
