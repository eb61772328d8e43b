/**
 * The one module that talks to the network.
 *
 * Every API request carries this device's anonymous key (X-Device-Key), so a
 * resident never needs an account, and every state-changing request carries
 * the session's CSRF token (X-CSRFToken), which /api/v1/auth/me hands out.
 * Failures become an ApiError the caller can translate for the user.
 */

const DEVICE_KEY_STORAGE = "ansim.deviceKey";
const DEVICE_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

let csrfToken = null;
let memoryDeviceKey = null; // used only when localStorage is unavailable

/** An HTTP or network failure. status 0 means the server was not reached. */
export class ApiError extends Error {
  constructor(status, message, { errors = null, retryAfter = null, code = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.errors = errors; // e.g. {"json": {"login": ["Missing data…"]}}
    this.retryAfter = retryAfter; // seconds, from the Retry-After header
  }

  get isNetworkError() {
    return this.status === 0;
  }
}

function newDeviceKey() {
  // 32 random bytes, base64url without padding: 43 characters.
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** This device's anonymous key, created on first use and kept for good. */
export function deviceKey() {
  try {
    let key = localStorage.getItem(DEVICE_KEY_STORAGE);
    if (!key || !DEVICE_KEY_PATTERN.test(key)) {
      key = newDeviceKey();
      localStorage.setItem(DEVICE_KEY_STORAGE, key);
    }
    return key;
  } catch {
    // Storage blocked (some private modes): keep the key for this page only.
    memoryDeviceKey ??= newDeviceKey();
    return memoryDeviceKey;
  }
}

/** Seconds to wait, from a Retry-After header (seconds or an HTTP date). */
function parseRetryAfter(value) {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function readBody(response) {
  const type = response.headers.get("Content-Type") || "";
  if (response.status === 204 || !type.includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** flask-smorest's X-Pagination header ({total, total_pages, page, …}), or null. */
function parsePagination(value) {
  try {
    return value ? JSON.parse(value) : null;
  } catch {
    return null;
  }
}

async function send(method, path, body, extraHeaders = {}, { paged = false } = {}) {
  const headers = { Accept: "application/json", "X-Device-Key": deviceKey(), ...extraHeaders };
  // A FormData body (a photo) sets its own multipart Content-Type with the boundary.
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (UNSAFE_METHODS.has(method)) {
    if (!csrfToken) await me();
    headers["X-CSRFToken"] = csrfToken;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || form ? body : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (error) {
    throw new ApiError(0, error.message || "Network error");
  }
  const data = await readBody(response);
  if (!response.ok) {
    throw new ApiError(response.status, data?.message || response.statusText, {
      errors: data?.errors ?? null,
      code: data?.code ?? response.status,
      retryAfter: parseRetryAfter(response.headers.get("Retry-After")),
    });
  }
  if (paged) return { items: data ?? [], pagination: parsePagination(response.headers.get("X-Pagination")) };
  return data;
}

async function request(method, path, body, extraHeaders, options) {
  try {
    return await send(method, path, body, extraHeaders, options);
  } catch (error) {
    // A session that expired or rotated invalidates the token we hold: fetch a
    // fresh one and try once more rather than failing the user's action.
    const csrfRejected =
      error.status === 400 && UNSAFE_METHODS.has(method) && /csrf/i.test(error.message);
    if (!csrfRejected) throw error;
    csrfToken = null;
    return send(method, path, body, extraHeaders, options);
  }
}

export function getJSON(path) {
  return request("GET", path);
}

export function sendJSON(method, path, body) {
  return request(method.toUpperCase(), path, body);
}

/** Who is signed in (user or null), this device, and a fresh CSRF token. */
export async function me() {
  const data = await send("GET", "/api/v1/auth/me");
  csrfToken = data?.csrf_token ?? null;
  return data;
}

/** Sign a staff member in; returns the server's answer (it names the user). */
export async function login({ login, password, remember = false }) {
  const data = await request("POST", "/api/v1/auth/login", { login, password, remember });
  // Signing in starts a new session, so the old token is no longer valid.
  csrfToken = data?.csrf_token ?? null;
  return data;
}

export async function logout() {
  const data = await request("POST", "/api/v1/auth/logout");
  csrfToken = null;
  return data;
}

let configRequest = null;

/**
 * Public settings: version, district, map tiles. Asked once per page (the
 * header and the map both need them); a failure is forgotten so the next
 * caller tries again.
 */
export function config() {
  configRequest ??= getJSON("/api/v1/config").catch((error) => {
    configRequest = null;
    throw error;
  });
  return configRequest;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    search.set(name, Array.isArray(value) ? value.join(",") : String(value));
  }
  return search.toString();
}

/** The nearest working facilities of the given kinds around a point, nearest first. */
export function nearby({ lat, lon, kinds, limit = 1, radius = 5000 }) {
  return getJSON(`/api/v1/facilities/nearby?${query({ lat, lon, kind: kinds, limit, radius })}`);
}

/**
 * Facilities inside a map viewport as a GeoJSON FeatureCollection (clusters
 * when crowded). bbox is [min_lon, min_lat, max_lon, max_lat].
 */
export function facilitiesInView(bbox, kinds) {
  const box = bbox.map((n) => n.toFixed(6));
  return getJSON(`/api/v1/facilities?${query({ bbox: box, kind: kinds })}`);
}

/** One facility with everything known about it. */
export function facility(id) {
  return getJSON(`/api/v1/facilities/${encodeURIComponent(id)}`);
}

/**
 * Send a report (an SOS among them). The same idempotencyKey on every retry
 * makes the server store it once: 201 the first time, 200 with the same
 * report for a retry.
 */
export function sendReport(body, idempotencyKey) {
  return request("POST", "/api/v1/reports", body, { "Idempotency-Key": idempotencyKey });
}

/** The reports this device sent, with their status and the operator's public note. */
export function myReports() {
  return getJSON("/api/v1/reports/mine");
}

/**
 * Attach a photo (a Blob or File) to a stored report, as the multipart field
 * "photo". The server keeps each distinct photo once: 201 the first time,
 * 200 for the same photo again; 413 too large, 415 not a JPEG, PNG or WebP.
 */
export function addReportPhoto(reportId, photo, filename = "photo") {
  const form = new FormData();
  form.append("photo", photo, filename);
  return request("POST", `/api/v1/reports/${encodeURIComponent(reportId)}/photos`, form);
}

/** Operators: the reports in these statuses (open SOS first). */
export function reportsByStatus(statuses, pageSize = 100) {
  const search = new URLSearchParams({ page_size: String(pageSize) });
  for (const status of statuses) search.append("status", status); // repeated, not comma-joined
  return getJSON(`/api/v1/reports?${search}`);
}

/** Guards: the open cases dispatched to me. */
export function assignedCases() {
  return getJSON("/api/v1/reports/assigned");
}

/** Guards: a note on a case dispatched to me ("arrived"); resolved closes it. */
export function updateAssignedCase(id, { note, resolved = false }) {
  return sendJSON("POST", `/api/v1/reports/assigned/${encodeURIComponent(id)}`, { note, resolved });
}

/** Operators: move a report along its workflow (assignee_id: the guard sent, with "dispatched"). */
export function changeReportStatus(id, { status, note, public_note, assignee_id }) {
  return sendJSON("PATCH", `/api/v1/reports/${encodeURIComponent(id)}`, { status, note, public_note, assignee_id });
}

/**
 * Operators: one page of reports matching filters {status: [], kind: [],
 * area, since, until} (times as ISO strings). Resolves to {items,
 * pagination} with the server's X-Pagination ({total, total_pages, page…}).
 */
export function reportsPage({ status = [], kind = [], area, since, until } = {}, { page = 1, pageSize = 25 } = {}) {
  const search = new URLSearchParams({ page: String(page), page_size: String(pageSize) });
  for (const value of status) search.append("status", value); // repeated, not comma-joined
  for (const value of kind) search.append("kind", value);
  for (const [name, value] of Object.entries({ area, since, until })) if (value) search.set(name, value);
  return request("GET", `/api/v1/reports?${search}`, undefined, {}, { paged: true });
}

/** Operators: one report with its history and the nearest cameras and bells. */
export function report(id) {
  return getJSON(`/api/v1/reports/${encodeURIComponent(id)}`);
}

/** Operators: mark a report a duplicate of report `into`. */
export function mergeReport(id, { into, note }) {
  return sendJSON("POST", `/api/v1/reports/${encodeURIComponent(id)}/merge`, { into, note });
}

/** Where a report's photo is served (without its location metadata). */
export function reportPhotoUrl(reportId, photoId) {
  return `/api/v1/reports/${encodeURIComponent(reportId)}/photos/${encodeURIComponent(photoId)}`;
}

/** Operators: the active guards a case can be dispatched to. */
export function guards() {
  return getJSON("/api/v1/guards");
}

/** 구 and 동 (codes and names); level "gu" or "dong", or both when absent. */
export function areas(level) {
  return getJSON(level ? `/api/v1/areas?level=${encodeURIComponent(level)}` : "/api/v1/areas");
}

/** 구 or 동 ("gu", "dong") with their GeoJSON boundaries; parent (a 구 code) lists only its 동. */
export function areaShapes(level, parent) {
  return getJSON(`/api/v1/areas?${query({ level, parent, geometry: "true" })}`);
}

/**
 * Walking routes from `from` to `to` ({lat, lon} each): a GeoJSON
 * FeatureCollection of up to three alternatives (shortest, balanced, safest)
 * with their safety explained. 422: a point too far from any street; 404: no
 * walking connection; 503: no street graph yet.
 */
export function routes(from, to, { at, maxDetour } = {}) {
  const point = (p) => `${p.lat.toFixed(6)},${p.lon.toFixed(6)}`;
  return getJSON(`/api/v1/routes?${query({ from: point(from), to: point(to), at, max_detour: maxDetour })}`);
}

/** Residents: the warnings in force, newest first (anyone may read them; no push needed). */
export function alertsInForce() {
  return getJSON("/api/v1/alerts");
}

/** Residents: one warning that was sent (404 for any other). */
export function publicAlert(id) {
  return getJSON(`/api/v1/alerts/${encodeURIComponent(id)}`);
}

/** The server's VAPID public key (the applicationServerKey to subscribe with), base64url. */
export async function vapidPublicKey() {
  return (await getJSON("/api/v1/push/vapid-public-key")).public_key;
}

/**
 * Give the server this browser's push subscription and what it follows
 * ({endpoint, keys, language, home, area_codes, here}); the same endpoint
 * again replaces what it follows.
 */
export function savePushSubscription(body) {
  return sendJSON("POST", "/api/v1/push/subscriptions", body);
}

/** Change part of what a known subscription follows ({endpoint, here}, …); 404 when unknown. */
export function updatePushSubscription(body) {
  return sendJSON("PUT", "/api/v1/push/subscriptions", body);
}

/** Forget a push subscription on the server (404 when it was not known). */
export function deletePushSubscription(endpoint) {
  return sendJSON("DELETE", "/api/v1/push/subscriptions", { endpoint });
}

/**
 * Operators: one page of warnings in any state (state: [] for all), newest
 * first, with their delivery counts. Resolves to {items, pagination}.
 */
export function alertsPage({ state = [] } = {}, { page = 1, pageSize = 25 } = {}) {
  const search = new URLSearchParams({ page: String(page), page_size: String(pageSize) });
  for (const value of state) search.append("state", value); // repeated, not comma-joined
  return request("GET", `/api/v1/alerts/manage?${search}`, undefined, {}, { paged: true });
}

/** Operators: one warning in any state, with its delivery counts ({queued, sent, failed, gone}). */
export function managedAlert(id) {
  return getJSON(`/api/v1/alerts/${encodeURIComponent(id)}/manage`);
}

/** Operators: what a warning about a report would say (a prefill; nothing is saved). */
export function draftFromReport(reportId) {
  return getJSON(`/api/v1/alerts/draft-from-report/${encodeURIComponent(reportId)}`);
}

/** Operators: how many subscribers these areas ({circles, polygons, geocodes}) reach now. */
export function previewAlert(areas) {
  return sendJSON("POST", "/api/v1/alerts/preview", { areas });
}

/** Operators: a new draft warning. */
export function createAlert(body) {
  return sendJSON("POST", "/api/v1/alerts", body);
}

/** Operators: change a draft (an approved one goes back to draft). */
export function editAlert(id, body) {
  return sendJSON("PATCH", `/api/v1/alerts/${encodeURIComponent(id)}`, body);
}

/** Operators: approve a draft (403 when two-person approval keeps its author from it). */
export function approveAlert(id) {
  return sendJSON("POST", `/api/v1/alerts/${encodeURIComponent(id)}/approve`);
}

/** Operators: send a warning; one push per subscriber reached is queued. */
export function sendAlert(id) {
  return sendJSON("POST", `/api/v1/alerts/${encodeURIComponent(id)}/send`);
}

/** Operators: an update of a sent warning, naming only what changes: a new draft. */
export function updateAlert(id, changes) {
  return sendJSON("POST", `/api/v1/alerts/${encodeURIComponent(id)}/update`, changes);
}

/** Operators: cancel a sent warning; the cancellation is sent at once. */
export function cancelAlert(id) {
  return sendJSON("POST", `/api/v1/alerts/${encodeURIComponent(id)}/cancel`, {});
}

/**
 * Operators: new and changed reports as they happen (Server-Sent Events,
 * same-origin session cookie). The browser reconnects by itself, sending
 * Last-Event-ID, and onOpen runs after each (re)connection so the caller can
 * catch up. Returns the EventSource (call close() to stop).
 */
export function reportStream({ onReport, onOpen, onError }) {
  const source = new EventSource("/api/v1/reports/stream");
  source.addEventListener("report", (event) => {
    try {
      onReport(JSON.parse(event.data));
    } catch (error) {
      console.error("report stream: bad event", error);
    }
  });
  if (onOpen) source.addEventListener("open", onOpen);
  if (onError) source.addEventListener("error", onError);
  return source;
}

/**
 * Operators: warnings as they change and as their pushes go out
 * (Server-Sent Events, `alert` events with delivery counts). Returns the
 * EventSource (call close() to stop).
 */
export function alertStream({ onAlert, onOpen, onError }) {
  const source = new EventSource("/api/v1/alerts/stream");
  source.addEventListener("alert", (event) => {
    try {
      onAlert(JSON.parse(event.data));
    } catch (error) {
      console.error("alert stream: bad event", error);
    }
  });
  if (onOpen) source.addEventListener("open", onOpen);
  if (onError) source.addEventListener("error", onError);
  return source;
}

/** A static JSON file of the app itself (the translation catalogs). */
export async function staticJSON(url) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin" });
  } catch (error) {
    throw new ApiError(0, error.message || "Network error");
  }
  if (!response.ok) throw new ApiError(response.status, `${url}: ${response.statusText}`);
  return response.json();
}
