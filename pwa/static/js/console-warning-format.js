/**
 * How the console's Warnings screens write a warning: its state, message
 * type and severity as pills and tags, its delivery counts, its headline and
 * area in the reader's language, and times between the API's ISO strings and
 * the form's datetime-local inputs.
 */

import { element } from "./console-format.js";
import { language, t } from "./i18n.js";

export const STATES = ["draft", "approved", "sent", "updated", "cancelled", "expired"];
const COUNTS = ["queued", "sent", "failed", "gone"];

/** The warning's state (초안, 승인됨, 발령됨…); its colour follows data-state, its words say it. */
export function statePill(state) {
  const pill = element("span", "status-pill warning-state", { key: `console.warnings.state.${state}` });
  pill.dataset.state = state;
  return pill;
}

/** "업데이트" or "해제" for a follow-up, and "훈련"/"시험" when the warning is not for real. */
export function typeTags(alert) {
  const tags = [];
  if (alert.msg_type && alert.msg_type !== "alert") tags.push(element("span", "tag tag-strong", { key: `console.warnings.msg_type.${alert.msg_type}` }));
  if (alert.status && alert.status !== "actual") tags.push(element("span", "tag tag-strong", { key: `console.warnings.status.${alert.status}` }));
  return tags;
}

export function severityLabel(severity) {
  const label = element("span", "severity", { key: `console.warnings.severity.${severity}` });
  label.dataset.severity = severity;
  return label;
}

/** A text of the alert in the reader's language (Korean when the English one is empty). */
export function localised(alert, name) {
  return (language() === "en" && alert[`${name}_en`]) || alert[`${name}_ko`] || "";
}

/** Delivery counts, "대기 2 · 전송 5 · 실패 0 · 없음 1", each part data-count="<state>" with data-n. */
export function countsElement(counts) {
  const box = element("span", "delivery-counts");
  box.dataset.counts = "";
  COUNTS.forEach((name, index) => {
    const n = counts?.[name] ?? 0;
    const part = element("span", `delivery-count${n ? "" : " muted"}`, { key: `console.warnings.count.${name}`, vars: { n } });
    part.dataset.count = name;
    part.dataset.n = String(n);
    if (index) box.append(" · ");
    box.append(part);
  });
  return box;
}

/** Everyone the warning was queued for, whatever came of it. */
export function totalDeliveries(counts) {
  return COUNTS.reduce((sum, name) => sum + (counts?.[name] ?? 0), 0);
}

function pad(n) {
  return String(n).padStart(2, "0");
}

/** An ISO time as a datetime-local value in the operator's time zone ("2025-11-26T21:41"). */
export function toLocalInput(iso) {
  const date = iso ? new Date(iso) : null;
  if (!date || Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value as an ISO time (null when empty or not a time). */
export function fromLocalInput(value) {
  const date = value ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}

/** "1 km", "500 m". */
export function formatRadius(metres) {
  return metres >= 1000 ? `${Number((metres / 1000).toFixed(2))} km` : `${Math.round(metres)} m`;
}

/** The name of a 구 or 동 in the reader's language. */
export function areaName(area) {
  return (language() === "en" && area.name_en) || area.name;
}

/** A name for an area code the area list does not know. */
export function unknownArea(code) {
  return t("console.warnings.area.code", { code });
}
