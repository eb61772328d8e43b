/**
 * Register the service worker that keeps the resident shell and the offline
 * page available without a connection. It lives at /sw.js so its scope can
 * be the whole site.
 */

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => {
      // The app works without it, only not offline; say so for developers.
      console.warn("Service worker registration failed:", error);
    });
  });
}
