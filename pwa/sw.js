/* Ansim service worker: keeps the resident shell usable without a network. */
const VERSION = "__ANSIM_VERSION__"; // the server puts a content hash here
const CACHE = `ansim-shell-${VERSION}`;

// The resident shell and everything it needs to start offline. Staff pages
// (login, console, guard) and the API docs are left out: they need a network.
const PRECACHE = [
  "/",
  "/offline.html",
  "/manifest.webmanifest",
  "/static/css/base.css",
  "/static/css/app.css",
  "/static/css/map.css",
  "/static/css/report.css",
  "/static/css/alerts.css",
  "/static/css/route.css",
  "/static/js/alerts-detail.js",
  "/static/js/alerts-dongs.js",
  "/static/js/alerts-feed.js",
  "/static/js/alerts-format.js",
  "/static/js/alerts-home.js",
  "/static/js/alerts-map.js",
  "/static/js/alerts-push.js",
  "/static/js/alerts-screen.js",
  "/static/js/alerts-settings.js",
  "/static/js/alerts-subscription.js",
  "/static/js/api.js",
  "/static/js/dialog.js",
  "/static/js/dom.js",
  "/static/js/facilities-layer.js",
  "/static/js/facility-kinds.js",
  "/static/js/facility-sheet.js",
  "/static/js/geo.js",
  "/static/js/i18n.js",
  "/static/js/kind-filter.js",
  "/static/js/lang-switch.js",
  "/static/js/location.js",
  "/static/js/map-screen.js",
  "/static/js/map.js",
  "/static/js/my-reports.js",
  "/static/js/nearest-card.js",
  "/static/js/offline-store.js",
  "/static/js/outbox.js",
  "/static/js/report-facilities.js",
  "/static/js/report-location.js",
  "/static/js/report-photo.js",
  "/static/js/report-screen.js",
  "/static/js/route-screen.js",
  "/static/js/storage.js",
  "/static/js/router.js",
  "/static/js/shell.js",
  "/static/js/sos.js",
  "/static/js/sw-register.js",
  // The map library (markers are drawn in SVG, so none of its images are needed).
  // Map tiles are never precached: tile servers forbid bulk copies.
  "/static/vendor/leaflet/leaflet.css",
  "/static/vendor/leaflet/leaflet.js",
  "/static/i18n/ko.json",
  "/static/i18n/en.json",
  "/static/icons/icon.svg",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/maskable-512.png",
  "/static/icons/apple-touch-icon.png",
];

// Addresses that show the shell: "/", "/?source=pwa" (same path) and "/index.html".
const SHELL_PATHS = new Set(["/", "/index.html"]);

self.addEventListener("install", (event) => {
  // cache: "reload" skips the HTTP cache, so a new version never stores old files.
  const requests = PRECACHE.map((url) => new Request(url, { cache: "reload" }));
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(requests))
      // A safety app should not wait for every tab to close to get a fix.
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(deleteOldCaches().then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Writes, other sites (map tiles: their policy forbids bulk caching) and the
  // API (always live; a later outbox replays unsent writes) go straight to
  // the network, untouched.
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request, url));
  } else {
    event.respondWith(cacheFirst(event, request));
  }
});

// Background Sync: the connection is back. The pages hold the outbox logic
// (IndexedDB, the CSRF token), so the worker asks each open page to replay.
self.addEventListener("sync", (event) => {
  if (event.tag !== "ansim-outbox") return;
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then((clients) => {
      for (const client of clients) client.postMessage({ type: "ansim-outbox-flush" });
    }),
  );
});

// ---- Area warnings over Web Push ----
//
// The server sends a small JSON (server/alerts/payload.py): {id, identifier,
// msg_type, severity, headline, area, url, expires, lang, topic?}, already in
// the subscription's language. These few words are for when it says less
// (the worker has no translation catalogs): Korean first, English second.
const ALERT_WORDS = {
  ko: { title: "새 안전 경보", body: "안심 앱에서 자세한 내용을 확인하세요.", update: "경보 내용이 바뀌었습니다.", cancel: "경보가 해제되었습니다." },
  en: { title: "New safety warning", body: "Open Ansim for the details.", update: "This warning was updated.", cancel: "This warning was called off." },
};
const LOUD_SEVERITIES = new Set(["severe", "extreme"]);
const ALERT_ICON = "/static/icons/icon-192.png";

/** The page a warning's notification opens: a same-site address only, else the warning (or the feed) by id. */
function notificationUrl(data) {
  const byId = Number.isInteger(data?.id) && data.id > 0 ? `/#/alerts/${data.id}` : "/#/alerts";
  if (typeof data?.url !== "string") return byId;
  try {
    const url = new URL(data.url, self.location.origin);
    return url.origin === self.location.origin ? url.pathname + url.search + url.hash : byId;
  } catch {
    return byId;
  }
}

/** showNotification's title and options for a push's data (null when it had none or it was not JSON). */
function alertNotification(data) {
  if (!data || typeof data !== "object") {
    return {
      title: `${ALERT_WORDS.ko.title} · ${ALERT_WORDS.en.title}`,
      options: { body: `${ALERT_WORDS.ko.body}\n${ALERT_WORDS.en.body}`, tag: "ansim-alert", icon: ALERT_ICON, badge: ALERT_ICON, data: { url: "/#/alerts" } },
    };
  }
  const lang = data.lang === "en" ? "en" : "ko";
  const words = ALERT_WORDS[lang];
  const expired = Date.parse(data.expires) < Date.now();
  // Severe and extreme warnings buzz and stay until dismissed, unless already over when they arrive.
  const loud = LOUD_SEVERITIES.has(data.severity) && data.msg_type !== "cancel" && !expired;
  const lines = [typeof data.area === "string" ? data.area : ""];
  if (data.msg_type === "update" || data.msg_type === "cancel") lines.push(words[data.msg_type]);
  if (!lines.join("")) lines.push(words.body);
  // One notification per warning and its updates: the chain's topic names it, else the warning itself.
  const chain = data.topic || data.id || data.identifier;
  return {
    title: typeof data.headline === "string" && data.headline ? data.headline : words.title,
    options: {
      body: lines.filter(Boolean).join("\n"),
      tag: chain ? `ansim-alert-${chain}` : "ansim-alert",
      // An update or a cancel replacing a shown notification is announced again.
      renotify: data.msg_type === "update" || data.msg_type === "cancel",
      requireInteraction: loud,
      ...(loud ? { vibrate: data.severity === "extreme" ? [500, 200, 500, 200, 500, 200, 500] : [400, 200, 400, 200, 400] } : {}),
      icon: ALERT_ICON,
      badge: ALERT_ICON,
      lang,
      timestamp: Date.now(),
      data: { url: notificationUrl(data), id: data.id ?? null },
    },
  };
}

self.addEventListener("push", (event) => {
  let data = null;
  try {
    data = event.data ? event.data.json() : null;
  } catch {
    data = null; // not JSON: the generic notification still tells the resident to look
  }
  const { title, options } = alertNotification(data);
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(title, options),
      // An open app refreshes its list of warnings at once.
      self.clients.matchAll({ type: "window" }).then((clients) => {
        for (const client of clients) client.postMessage({ type: "ansim-alert", id: data?.id ?? null });
      }),
    ]),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openPage(notificationUrl(event.notification.data)));
});

/** Bring the resident app forward at url: an open window of it if there is one, else a new one. */
async function openPage(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const app = windows.find((client) => SHELL_PATHS.has(new URL(client.url).pathname));
  if (!app) return self.clients.openWindow(url);
  const focused = await app.focus().catch(() => app);
  try {
    return await focused.navigate(url);
  } catch {
    // Not controlled by this worker (navigate refuses): the page moves itself.
    focused.postMessage({ type: "ansim-open", url });
    return focused;
  }
}

/** Drop the caches of earlier versions (ours all start with "ansim-"). */
async function deleteOldCaches() {
  const names = await caches.keys();
  await Promise.all(
    names.filter((name) => name.startsWith("ansim-") && name !== CACHE).map((name) => caches.delete(name)),
  );
}

/**
 * Pages: the network first, so people see the current page when online.
 * Offline, the shell addresses get the cached shell; any other page gets the
 * offline page (with its 112 link) rather than the browser's error.
 */
async function networkFirstPage(request, url) {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    const fallback = SHELL_PATHS.has(url.pathname) ? "/" : "/offline.html";
    return (await cache.match(fallback)) ?? Response.error();
  }
}

/**
 * Files: from the cache at once (fast on a bad signal), refreshed from the
 * network in the background for next time (stale-while-revalidate). Only
 * files already in the cache are refreshed, so the cache holds the shell and
 * nothing more; anything else is fetched from the network as usual.
 */
async function cacheFirst(event, request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (!cached) return fetch(request);
  if (!self.navigator.onLine) return cached; // no point asking a dead network
  event.waitUntil(
    fetch(request)
      .then((response) => (response.ok ? cache.put(request, response) : undefined))
      .catch(() => undefined), // offline: the cached copy stays
  );
  return cached;
}
