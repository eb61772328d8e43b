/**
 * The alerts feed: the warnings in force, newest first, for anyone — no push
 * subscription needed. Asked for when the list comes into view and every
 * minute while it stays in view. The last answer is kept on this device, so
 * without a connection the list still shows what was last known, with the
 * time it was received; warnings that have expired since are left out.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { formatDateTime, setText } from "./i18n.js";
import { inForce, localized, showMsgType, showSeverity, showTime } from "./alerts-format.js";
import { readJSON, writeJSON } from "./storage.js";

const SAVED_KEY = "ansim.alerts.feed";
const POLL_MS = 60_000;

/** The last list received ({alerts, at}), or null. */
export function savedFeed() {
  const saved = readJSON(SAVED_KEY);
  return Array.isArray(saved?.alerts) ? saved : null;
}

const newestFirst = (a, b) => (Date.parse(b.sent_at) || 0) - (Date.parse(a.sent_at) || 0);

/** root is the feed's section; onChange runs after each answer (or failure). */
export function createAlertsFeed(root, { onChange } = {}) {
  const list = find("[data-alerts-list]", root);
  const template = find("[data-alert-item-template]", root);
  const empty = find("[data-alerts-empty]", root);
  const note = find("[data-alerts-note]", root);
  let saved = savedFeed();
  let state = saved ? "saved" : "loading"; // loading | saved | live | offline | error
  let timer = null;
  let sequence = 0;

  function item(alert) {
    const element = template.content.firstElementChild.cloneNode(true);
    element.dataset.alertId = String(alert.id);
    element.dataset.severity = alert.severity;
    const link = find("[data-alert-link]", element);
    link.href = `#/alerts/${encodeURIComponent(alert.id)}`;
    link.textContent = localized(alert, "headline");
    showSeverity(find("[data-alert-severity]", element), alert.severity);
    showMsgType(find("[data-alert-msg-type]", element), alert.msg_type);
    find("[data-alert-area]", element).textContent = localized(alert, "area_desc");
    showTime(find("[data-alert-sent]", element), alert.sent_at, "alerts.item.sent");
    showTime(find("[data-alert-expires]", element), alert.expires, "alerts.item.until");
    return element;
  }

  function render() {
    const alerts = (saved?.alerts ?? []).filter((alert) => inForce(alert)).sort(newestFirst);
    list.replaceChildren(...alerts.map(item));
    empty.hidden = alerts.length > 0 || !saved;
    root.dataset.state = state;
    if ((state === "offline" || state === "error") && saved) {
      setText(note, "screen.alerts.feed.offline", { time: formatDateTime(saved.at) });
    } else if (state === "offline") setText(note, "screen.alerts.feed.offline_nothing");
    else if (state === "error") setText(note, "screen.alerts.feed.error");
    else if (state === "loading") setText(note, "screen.alerts.feed.loading");
    else {
      note.textContent = "";
      delete note.dataset.i18n;
    }
  }

  async function refresh() {
    const mine = ++sequence;
    try {
      const alerts = await api.alertsInForce();
      saved = { alerts, at: new Date().toISOString() };
      writeJSON(SAVED_KEY, saved);
      state = "live";
    } catch (error) {
      state = error.isNetworkError ? "offline" : "error";
      if (!error.isNetworkError) console.warn("alerts: feed not loaded", error);
    }
    if (mine !== sequence) return;
    render();
    onChange?.();
  }

  find("[data-alerts-refresh]", root).addEventListener("click", refresh);
  render();
  return {
    refresh,
    render,
    /** The list as last received ({alerts, at}) and whether it came from the server just now. */
    get saved() {
      return saved;
    },
    get live() {
      return state === "live";
    },
    /** Ask every POLL_MS while the list is on view; at once when it comes into view. */
    setActive(active) {
      clearInterval(timer);
      timer = null;
      if (!active) return;
      refresh();
      timer = setInterval(refresh, POLL_MS);
    },
  };
}
