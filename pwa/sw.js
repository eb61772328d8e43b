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
