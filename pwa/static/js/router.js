/**
 * Hash routing between the screens of one page: #/map, #/route, …
 *
 * Screens are <section data-screen="name">; links are <a data-nav="name">.
 * One screen is shown at a time; the active link gets aria-current="page";
 * the document title follows the screen (i18n key "<titlePrefix><name>"),
 * unless titlePrefix is null.
 */

import { find, findAll } from "./dom.js";
import { applyTitle } from "./i18n.js";

function routeName(fallback) {
  const name = location.hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return find(`[data-screen="${CSS.escape(name)}"]`) ? name : fallback;
}

function show(name, titlePrefix) {
  for (const screen of findAll("[data-screen]")) {
    screen.hidden = screen.dataset.screen !== name;
  }
  for (const link of findAll("[data-nav]")) {
    if (link.dataset.nav === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (titlePrefix === null) return; // the page keeps one title
  document.documentElement.dataset.i18nTitle = `${titlePrefix}${name}`;
  applyTitle();
}

/** Move focus to the new screen's heading so screen readers announce it. */
function focusHeading(name) {
  const heading = find(`[data-screen="${CSS.escape(name)}"] h1, [data-screen="${CSS.escape(name)}"] h2`);
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

export function startRouter({ fallback, titlePrefix = "title." }) {
  show(routeName(fallback), titlePrefix);
  window.addEventListener("hashchange", () => {
    const name = routeName(fallback);
    show(name, titlePrefix);
    focusHeading(name);
  });
}
