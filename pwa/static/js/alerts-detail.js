/**
 * One warning (#/alerts/<id>), where a notification's tap leads: what to do
 * first and most visibly, then what happened, when it started and ends,
 * whether it updates or cancels an earlier one (or was itself replaced),
 * and a map of its area. What was last received of it stays on this device,
 * so it can be read again without a connection.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { formatDateTime, setText } from "./i18n.js";
import { inForce, localized, showMsgType, showSeverity } from "./alerts-format.js";
import { createAlertMap } from "./alerts-map.js";
import { readJSON, writeJSON } from "./storage.js";

const SEEN_KEY = "ansim.alerts.seen";
const SEEN_KEPT = 20;

function remember(alert) {
  const kept = (readJSON(SEEN_KEY) ?? []).filter((entry) => entry.alert?.id !== alert.id);
  writeJSON(SEEN_KEY, [{ alert, at: new Date().toISOString() }, ...kept].slice(0, SEEN_KEPT));
}

/** What this device last received of warning id ({alert, at}), from an earlier visit or the feed. */
function recalled(id, feed) {
  const seen = (readJSON(SEEN_KEY) ?? []).find((entry) => entry.alert?.id === id);
  const listed = feed?.alerts?.find((alert) => alert.id === id);
  if (listed && (!seen || Date.parse(feed.at) > Date.parse(seen.at))) return { alert: listed, at: feed.at };
  return seen ?? null;
}

function setLink(link, id) {
  link.hidden = id === null || id === undefined;
  if (!link.hidden) link.href = `#/alerts/${encodeURIComponent(id)}`;
}

/** root is the detail <article>; feed() gives the feed's last list ({alerts, at}). */
export function createAlertDetail(root, { feed }) {
  const body = find("[data-alert-detail-body]", root);
  const note = find("[data-alert-detail-note]", root);
  const standing = find("[data-alert-standing]", root);
  const standingText = find("[data-alert-standing-text]", root);
  const standingLink = find("[data-alert-standing-link]", root);
  const mapNote = find("[data-alert-map-note]", root);
  const map = createAlertMap(find("[data-alert-map]", root));
  let id = null;
  let shown = null; // {alert, at}
  let state = "loading"; // loading | live | offline | missing | error
  let drawn = null; // the areas on the map now

  /** Where this warning stands now, as one line and a link: cancelled, over, replaced or an update. */
  function renderStanding(alert) {
    const list = feed();
    const newer = list?.alerts?.find((other) => other.references_id === alert.id);
    let key = null;
    let link = null;
    if (alert.msg_type === "cancel") [key, link] = ["screen.alerts.detail.cancels", alert.references_id];
    else if (newer) [key, link] = ["screen.alerts.detail.replaced", newer.id];
    else if (alert.state === "expired" || !inForce(alert)) key = "screen.alerts.detail.expired";
    // The server says it was replaced or called off, though the newer one is not in this device's list.
    else if (alert.state === "updated" || alert.state === "cancelled") key = "screen.alerts.detail.ended";
    // A list received after this warning was sent that leaves it out: it was withdrawn.
    else if (list && Date.parse(list.at) > Date.parse(alert.sent_at) && !list.alerts.some((other) => other.id === alert.id)) {
      key = "screen.alerts.detail.ended";
    } else if (alert.msg_type === "update") [key, link] = ["screen.alerts.detail.updates", alert.references_id];
    standing.hidden = !key;
    standing.dataset.standing = key ? key.split(".").pop() : "";
    if (key) setText(standingText, key, { time: formatDateTime(alert.expires) });
    setLink(standingLink, key ? link : null);
    if (!standingLink.hidden) setText(standingLink, alert.msg_type === "cancel" || alert.msg_type === "update" ? "screen.alerts.detail.previous" : "screen.alerts.detail.latest");
  }

  function renderText(selector, text) {
    const element = find(selector, root);
    element.textContent = text;
    element.closest("[data-alert-section]").hidden = !text;
  }

  function renderTime(selector, iso) {
    const time = find(selector, root);
    time.closest("[data-alert-time-row]").hidden = !iso;
    time.dateTime = iso ?? "";
    time.textContent = iso ? formatDateTime(iso) : "";
  }

  function renderNote() {
    const keys = {
      loading: "screen.alerts.detail.loading",
      missing: "screen.alerts.detail.not_found",
      error: "screen.alerts.detail.error",
      offline: shown ? "screen.alerts.detail.offline" : "screen.alerts.detail.offline_nothing",
    };
    const key = keys[state];
    if (key && !(state === "loading" && shown)) setText(note, key, { time: shown ? formatDateTime(shown.at) : "" });
    else {
      note.textContent = "";
      delete note.dataset.i18n;
    }
  }

  async function drawMap(alert) {
    const areas = alert.areas ?? {};
    if (drawn === areas) return;
    drawn = areas;
    const result = await map.draw(areas);
    mapNote.hidden = result.boundaries !== "missing";
    if (!mapNote.hidden) setText(mapNote, "screen.alerts.detail.map_missing");
  }

  function render() {
    root.dataset.state = state;
    renderNote();
    const alert = state === "missing" ? null : shown?.alert;
    body.hidden = !alert;
    if (!alert) return;
    root.dataset.alertId = String(alert.id);
    showSeverity(find("[data-alert-severity]", root), alert.severity);
    showMsgType(find("[data-alert-msg-type]", root), alert.msg_type);
    find("[data-alert-headline]", root).textContent = localized(alert, "headline");
    find("[data-alert-area]", root).textContent = localized(alert, "area_desc");
    renderText("[data-alert-instruction]", localized(alert, "instruction"));
    renderText("[data-alert-description]", localized(alert, "description"));
    renderTime("[data-alert-sent]", alert.sent_at);
    renderTime("[data-alert-onset]", alert.onset);
    renderTime("[data-alert-expires]", alert.expires);
    renderStanding(alert);
    drawMap(alert).catch((error) => console.error("alerts: map not drawn", error));
  }

  async function load(alertId) {
    try {
      const alert = await api.publicAlert(alertId);
      remember(alert);
      if (alertId !== id) return;
      shown = { alert, at: new Date().toISOString() };
      state = "live";
    } catch (error) {
      if (alertId !== id) return;
      state = error.status === 404 ? "missing" : error.isNetworkError ? "offline" : "error";
      if (state === "error") console.warn("alerts: warning not loaded", error);
    }
    render();
  }

  return {
    render,
    /** Show warning id: what this device knows of it at once, then the server's answer. */
    show(alertId) {
      if (alertId !== id) {
        id = alertId;
        drawn = null;
        shown = recalled(alertId, feed());
        state = "loading";
        render();
      } else {
        map.resize();
      }
      return load(alertId);
    },
    /** The heading to move focus to when the view opens. */
    get heading() {
      return body.hidden ? find("[data-alert-back]", root) : find("[data-alert-headline]", root);
    },
  };
}
