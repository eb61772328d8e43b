/**
 * The outbox: every report waits here (IndexedDB "ansim-outbox") until the
 * server has stored it, so an SOS made without a signal goes out when the
 * signal returns. Each item keeps its idempotency key and client_time from
 * the moment it was made; every retry reuses that key, so the server stores
 * the report once however often it is sent.
 *
 * Replayed at start, on the "online" event, when the service worker's
 * Background Sync asks, and every 15 s while items remain. A 4xx answer
 * (except 408 and 429) means the report can never be stored: it is dropped
 * and the error kept for the record; 5xx and network failures keep it.
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

const sentListeners = new Set();
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

/** A new idempotency key: a UUID (8–100 of [A-Za-z0-9_.:-], as the server wants). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** onSent(item, report) runs for each item the server stored (201, or 200 for a retry). */
export function onSent(listener) {
  sentListeners.add(listener);
}

function recordFailure(item, error) {
  const failed = readJSON(FAILED_KEY) ?? [];
  const entry = { key: item.key, kind: item.body.kind, status: error.status, message: error.message, at: new Date().toISOString() };
  writeJSON(FAILED_KEY, [entry, ...failed].slice(0, FAILED_KEPT));
}

function keepsTrying(error) {
  const status = error?.status ?? 0;
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

async function sendOne(item) {
  try {
    const report = await api.sendReport(item.body, item.key);
    await remove(item.key);
    for (const listener of sentListeners) listener(item, report);
    return true;
  } catch (error) {
    if (keepsTrying(error)) return false;
    console.error("outbox: report refused, dropped", error);
    recordFailure(item, error);
    await remove(item.key);
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
 * Queue a report and try to send it at once. Resolves to {state, report}:
 * "sent" with the stored report, "queued" while it waits for a connection,
 * or "failed" when the server refused it for good.
 */
export async function queue(body, key = newKey()) {
  const item = { key, body, created_at: new Date().toISOString() };
  await transact("readwrite", (store) => store.put(item));
  let report = null;
  const listener = (sent, stored) => {
    if (sent.key === item.key) report = stored;
  };
  const waiting = async () => (await pending()).some((other) => other.key === item.key);
  sentListeners.add(listener);
  try {
    await flush();
    // A round already running may have listed the items before this one.
    if (!report && (await waiting())) await flush();
  } finally {
    sentListeners.delete(listener);
  }
  if (report) return { state: "sent", report };
  if (await waiting()) {
    requestBackgroundSync();
    return { state: "queued", report: null };
  }
  return { state: "failed", report: null };
}

/** Replay now, whenever the connection returns, and when the service worker asks. */
export function startOutbox() {
  window.addEventListener("online", flush);
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === FLUSH_MESSAGE) flush();
  });
  flush();
}
