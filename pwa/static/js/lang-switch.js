/**
 * Language controls: every [data-lang-switch] button flips between Korean and
 * English (its label names the other language, in that language), and
 * [data-lang-choice] radio buttons pick one outright.
 */

import { findAll } from "./dom.js";
import { language, setLanguage, LANGUAGE_CHANGED } from "./i18n.js";

function otherLanguage() {
  return language() === "ko" ? "en" : "ko";
}

function reflect() {
  for (const button of findAll("[data-lang-switch]")) {
    // The label is in the language it offers, so mark it for screen readers.
    button.lang = otherLanguage();
  }
  for (const radio of findAll("[data-lang-choice]")) {
    radio.checked = radio.value === language();
  }
}

export function initLanguageSwitch() {
  for (const button of findAll("[data-lang-switch]")) {
    button.addEventListener("click", () => setLanguage(otherLanguage()));
  }
  for (const radio of findAll("[data-lang-choice]")) {
    radio.addEventListener("change", () => radio.checked && setLanguage(radio.value));
  }
  document.addEventListener(LANGUAGE_CHANGED, reflect);
  reflect();
}
