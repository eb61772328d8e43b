/**
 * Small JSON values kept in localStorage across visits.
 *
 * Storage can be blocked (some private modes), full, or hold a damaged
 * entry; none of that may break a screen, so reads fall back to null and
 * failed writes only mean the value is not kept for the next visit.
 */

/** The saved value, or null when nothing (usable) is saved. */
export function readJSON(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/** Keep a value for the next visit, if the browser lets us. */
export function writeJSON(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Not kept; this visit works all the same.
  }
}
