/**
 * The outbox: every report waits here (IndexedDB "ansim-outbox") until the
 * server has stored it, so an SOS made without a signal goes out when the
 * signal returns. Each item keeps its idempotency key and client_time from
 * the moment it was made; every retry reuses that key, so the server stores
 * the report once however often it is sent.
 *
 * A report may carry a photo (a Blob kept in the same IndexedDB item). It is
 * uploaded once the report is stored: the item stays, with the stored report
 * in it, until the photo is uploaded too, so a photo that meets a dead
 * network is retried like a report. The server keeps each distinct photo
 * once, so a retry never attaches it twice.
 *
 * Replayed at start, on the "online" event, when the service worker's
 * Background Sync asks, and every 15 s while items remain. A 4xx answer
 * (except 408 and 429) means the report (or its photo: too large, not an
 * image) can never be stored: it is dropped and the error kept for the
 * record; 5xx and network failures keep it.
 */

import * as api from "./api.js";
import { readJSON, writeJSON } from "./storage.js";

const DB_NAME = "ansim-outbox";
const STORE = "reports";
const RETRY_MS = 15_000;
const FAILED_KEY = "ansim.outbox.failed";
const FAILED_KEPT = 20;
export const SYNC_TAG = "ansim-outbox";
export const FLUSH_MESSAGE = "ansim-outbox-flush";

// Each gets every outcome: {type: "sent"|"failed"|"photo-sent"|"photo-failed", item, report, photo, error}.
const watchers = new Set();
let database = null;
let flushing = null;
let retryTimer = null;

function openDatabase() {
  database ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      database = null;
      reject(request.error);
    };
  });
  return database;
}

async function transact(mode, work) {
  const db = await openDatabase();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** The items still waiting, oldest first. */
export async function pending() {
  const items = (await transact("readonly", (store) => store.getAll())) ?? [];
  return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

function remove(key) {
  return transact("readwrite", (store) => store.delete(key));
}

function put(item) {
  return transact("readwrite", (store) => store.put(item));
}

/** A new idempotency key: a UUID (8–100 of [A-Za-z0-9_.:-], as the server wants). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** onSent(item, report) runs for each item the server stored (201, or 200 for a retry). */
export function onSent(listener) {
  watchers.add((outcome) => {
    if (outcome.type === "sent") listener(outcome.item, outcome.report);
  });
}

/** onChange(outcome) runs for every outcome: a report or a photo sent, or refused for good. */
export function onChange(listener) {
  watchers.add(listener);
}

function emit(outcome) {
  for (const watcher of watchers) {
    try {
      watcher(outcome);
    } catch (error) {
      // A screen's bug must not stop the outbox: the item is already settled.
      console.error("outbox: a listener failed", error);
    }
  }
}

/** What the server refused for good, newest first: {key, kind, stage, report_id, status, message, at}. */
export function failures() {
  return readJSON(FAILED_KEY) ?? [];
}

function recordFailure(item, error, stage) {
  const entry = {
    key: item.key,
    kind: item.body.kind,
    stage, // "report", or "photo" when the report was stored but its photo was not
    report_id: item.report?.id ?? null,
    status: error.status,
    message: error.message,
    at: new Date().toISOString(),
    created_at: item.created_at,
  };
  writeJSON(FAILED_KEY, [entry, ...failures()].slice(0, FAILED_KEPT));
}

function keepsTrying(error) {
  const status = error?.status ?? 0;
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/** Send one item (the report, then its photo); false when the server could not be reached. */
async function sendOne(item) {
  if (!item.report) {
    let report;
    try {
      report = await api.sendReport(item.body, item.key);
    } catch (error) {
      if (keepsTrying(error)) return false;
      console.error("outbox: report refused, dropped", error);
      recordFailure(item, error, "report");
      await remove(item.key);
      emit({ type: "failed", item, error });
      return true;
    }
    if (item.photo) {
      // Kept with the stored report in it: the photo goes next, now or later.
      item = { ...item, report };
      await put(item);
    } else {
      await remove(item.key);
    }
    emit({ type: "sent", item, report });
    if (!item.photo) return true;
  }
  return sendPhoto(item);
}

async function sendPhoto(item) {
  try {
    const photo = await api.addReportPhoto(item.report.id, item.photo, item.photo_name);
    await remove(item.key);
    emit({ type: "photo-sent", item, report: item.report, photo });
    return true;
  } catch (error) {
    if (keepsTrying(error)) return false;
    console.error("outbox: photo refused, dropped", error);
    recordFailure(item, error, "photo");
    await remove(item.key);
    emit({ type: "photo-failed", item, report: item.report, error });
    return true;
  }
}

async function flushNow() {
  for (const item of await pending()) {
    // The first failure to reach the server ends this round; the rest would fail too.
    if (!(await sendOne(item))) break;
  }
  scheduleRetry((await pending()).length > 0);
}

/** Try to send everything waiting. Rounds never overlap; a call during one joins it. */
export function flush() {
  flushing ??= flushNow()
    .catch((error) => console.error("outbox: flush failed", error))
    .finally(() => {
      flushing = null;
    });
  return flushing;
}

function scheduleRetry(needed) {
  clearTimeout(retryTimer);
  retryTimer = needed ? setTimeout(flush, RETRY_MS) : null;
}

async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register(SYNC_TAG);
  } catch {
    // No Background Sync here: the page's own replay is enough.
  }
}

/**
 * Queue a report (with an optional photo Blob) and try to send it at once.
 * Resolves to {state, report, photo, error}: state "sent" with the stored
 * report, "queued" while it waits for a connection, or "failed" when the
 * server refused it for good (error says why); photo is null without one,
 * else "sent", "queued" or "failed" likewise.
 */
export async function queue(body, key = newKey(), { photo = null, photoName = "photo" } = {}) {
  const item = { key, body, created_at: new Date().toISOString() };
  if (photo) Object.assign(item, { photo, photo_name: photoName });
  await put(item);
  const seen = {}; // outcome type → outcome, for this item
  const watcher = (outcome) => {
    if (outcome.item.key === item.key) seen[outcome.type] = outcome;
  };
  const waiting = async () => (await pending()).some((other) => other.key === item.key);
  watchers.add(watcher);
  try {
    await flush();
    // A round already running may have listed the items before this one.
    if (!seen.sent && !seen.failed && (await waiting())) await flush();
  } finally {
    watchers.delete(watcher);
  }
  const stillWaiting = await waiting();
  if (stillWaiting) requestBackgroundSync();
  let photoState = null;
  if (photo) photoState = seen["photo-sent"] ? "sent" : seen["photo-failed"] || seen.failed ? "failed" : "queued";
  if (seen.sent) return { state: "sent", report: seen.sent.report, photo: photoState, error: seen["photo-failed"]?.error ?? null };
  if (stillWaiting) return { state: "queued", report: null, photo: photoState, error: null };
  return { state: "failed", report: null, photo: photoState, error: seen.failed?.error ?? null };
}

/** Replay now, whenever the connection returns, and when the service worker asks. */
export function startOutbox() {
  window.addEventListener("online", flush);
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === FLUSH_MESSAGE) flush();
  });
  flush();
}
