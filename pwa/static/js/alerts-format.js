/**
 * How a warning reads on the resident's screens: its texts in the reader's
 * language (the API gives *_ko and *_en side by side), its severity as a
 * word in a coloured badge (never colour alone), whether it is an update or
 * a cancel, and its times.
 */

import { formatDateTime, language, setText } from "./i18n.js";

const SEVERITIES = new Set(["extreme", "severe", "moderate", "minor", "unknown"]);

/** alert's field ("headline", "description", …) in the reader's language, Korean when missing. */
export function localized(alert, field) {
  return alert?.[`${field}_${language()}`] || alert?.[`${field}_ko`] || "";
}

/** A warning still in force at now (epoch milliseconds): its expiry is ahead. */
export function inForce(alert, now = Date.now()) {
  const expires = Date.parse(alert?.expires);
  return Number.isNaN(expires) || expires > now;
}

/** Fill a severity badge: the word, with data-severity for its colour. */
export function showSeverity(element, severity) {
  const known = SEVERITIES.has(severity) ? severity : "unknown";
  element.dataset.severity = known;
  setText(element, `alerts.severity.${known}`);
}

/** Fill a message-type badge: shown for an update or a cancel, hidden for a first warning. */
export function showMsgType(element, msgType) {
  const labelled = msgType === "update" || msgType === "cancel";
  element.hidden = !labelled;
  element.dataset.msgType = msgType ?? "alert";
  if (labelled) setText(element, `alerts.msg_type.${msgType}`);
}

/** Fill a <time> with key's text around a moment in the reader's language ("{time}까지"); hidden without one. */
export function showTime(element, iso, key) {
  const text = iso ? formatDateTime(iso) : "";
  element.hidden = !text;
  if (!text) return;
  element.dateTime = iso;
  setText(element, key, { time: text });
}
