/** Finding elements. Pages mark what scripts use with data- attributes. */

/** The first element matching selector inside root (document by default). */
export function find(selector, root = document) {
  return root.querySelector(selector);
}

/** Every element matching selector inside root, as an array. */
export function findAll(selector, root = document) {
  return [...root.querySelectorAll(selector)];
}

/** Tell tests and styles that the page has its text and behaviour. */
export function markReady() {
  document.documentElement.removeAttribute("data-i18n-pending");
  document.documentElement.dataset.ready = "true";
}
