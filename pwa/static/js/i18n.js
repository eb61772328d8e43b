/**
 * Translations: Korean first, English second.
 *
 * Catalogs live in /static/i18n/<lang>.json (flat "dotted.key": "text").
 * Markup names its text with data- attributes and this module fills them:
 *   data-i18n="key"                        → textContent
 *   data-i18n-vars='{"name": "…"}'         → values for {name} in that text
 *   data-i18n-attr="aria-label:key;title:key2" → attributes
 *   <html data-i18n-title="key">           → document.title
 * Text is only ever set through textContent and setAttribute, never as HTML.
 */

import { staticJSON } from "./api.js";

export const LANGUAGES = ["ko", "en"];
const DEFAULT_LANGUAGE = "ko";
const STORAGE_KEY = "ansim.lang";
export const LANGUAGE_CHANGED = "ansim:languagechange";

const catalogs = {};
let current = DEFAULT_LANGUAGE;

/** The saved choice, else Korean — whatever the browser's own locale is. */
export function storedLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(saved) ? saved : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

export function language() {
  return current;
}

async function loadCatalog(lang) {
  catalogs[lang] ??= await staticJSON(`/static/i18n/${lang}.json`);
  return catalogs[lang];
}

/** The text for key in the current language (Korean if missing), with {vars}. */
export function t(key, vars = {}) {
  const text = catalogs[current]?.[key] ?? catalogs[DEFAULT_LANGUAGE]?.[key];
  if (text === undefined) {
    console.warn(`i18n: no text for "${key}"`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

function varsOf(element) {
  try {
    return element.dataset.i18nVars ? JSON.parse(element.dataset.i18nVars) : {};
  } catch {
    return {};
  }
}

/**
 * Give element the text of key, and remember it so a language switch redoes
 * it. The same text again leaves the element alone, so a live region (a
 * status line redrawn on every position fix) does not announce it again.
 */
export function setText(element, key, vars) {
  element.dataset.i18n = key;
  if (vars) element.dataset.i18nVars = JSON.stringify(vars);
  else delete element.dataset.i18nVars;
  const text = t(key, vars);
  if (element.textContent !== text) element.textContent = text;
}

export function applyTitle() {
  const key = document.documentElement.dataset.i18nTitle;
  if (key) document.title = t(key);
}

/** Fill every marked element under root with the current language's text. */
export function applyTranslations(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n, varsOf(element));
  }
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of element.dataset.i18nAttr.split(";")) {
      const [attribute, key] = pair.split(":").map((part) => part.trim());
      if (attribute && key) element.setAttribute(attribute, t(key));
    }
  }
  document.documentElement.lang = current;
  applyTitle();
}

/**
 * Load the catalogs and fill the page in the saved language. Both catalogs
 * are small and preloaded by the page, so switching later is instant.
 * Resolves once the text is in place; pages then set <html data-ready>.
 */
export async function initI18n() {
  current = storedLanguage();
  document.documentElement.lang = current; // right away, before any await
  // A catalog that fails to load must not stop the page (SOS above all):
  // t() falls back to Korean, and to the key itself as a last resort.
  const results = await Promise.allSettled(LANGUAGES.map(loadCatalog));
  for (const result of results) {
    if (result.status === "rejected") console.error("i18n: catalog not loaded", result.reason);
  }
  applyTranslations();
}

/** Switch language, remember it on this device, and refill the page. */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return;
  await loadCatalog(lang);
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not persisted in blocked-storage modes; the page still switches.
  }
  applyTranslations();
  document.dispatchEvent(new CustomEvent(LANGUAGE_CHANGED, { detail: { lang } }));
}

/** A moment in the reader's language: "오후 9:41" today, with the date on other days. */
export function formatDateTime(at) {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return "";
  const today = date.toDateString() === new Date().toDateString();
  const options = today ? { timeStyle: "short" } : { dateStyle: "medium", timeStyle: "short" };
  return new Intl.DateTimeFormat(current === "ko" ? "ko-KR" : "en-GB", options).format(date);
}

/** A date in the reader's language, e.g. "2025. 11. 26." or "26 Nov 2025". */
export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const locale = current === "ko" ? "ko-KR" : "en-GB";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(date);
}
