/**
 * The alerts screen ([data-screen="alerts"]): at #/alerts the feed of
 * warnings in force and "Areas I follow"; at #/alerts/<id> one warning,
 * where a notification's tap leads. The feed is asked for while it is on
 * view, and again when a push arrives while the app is open.
 */

import { find } from "./dom.js";
import { LANGUAGE_CHANGED } from "./i18n.js";
import { createAlertDetail } from "./alerts-detail.js";
import { createAlertsFeed } from "./alerts-feed.js";
import { createAlertSettings } from "./alerts-settings.js";

/** The warning id in the address (#/alerts/12), or null for the list. */
function alertIdInAddress() {
  const match = location.hash.match(/^#\/alerts\/(\d+)/);
  return match ? Number(match[1]) : null;
}

export function initAlertsScreen() {
  const screen = find('[data-screen="alerts"]');
  if (!screen) return;
  const overview = find("[data-alerts-overview]", screen);
  const detailRoot = find("[data-alert-detail]", screen);
  const feed = createAlertsFeed(find("[data-alerts-feed]", screen), { onChange: () => !detailRoot.hidden && detail.render() });
  const detail = createAlertDetail(detailRoot, { feed: () => feed.saved });
  const settings = createAlertSettings(find("[data-alerts-settings]", screen));

  let active = null;
  let shownId = undefined;

  function syncActive() {
    const visible = !screen.hidden && document.visibilityState === "visible";
    const id = visible ? alertIdInAddress() : null;
    const listing = visible && id === null;
    overview.hidden = !(id === null);
    detailRoot.hidden = id === null;
    if (visible && id !== null && id !== shownId) {
      detail.show(id);
      // Whether it was since updated or withdrawn shows in the current list: ask once.
      if (!feed.live) feed.refresh();
    }
    shownId = visible ? id : undefined;
    if (listing === active) return;
    active = listing;
    feed.setActive(listing);
    settings.setActive(listing);
  }

  /** After a move within the screen, take screen readers to the new view's heading. */
  function focusView() {
    if (screen.hidden) return;
    const heading = detailRoot.hidden ? find("h1", overview) : detail.heading;
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  new MutationObserver(syncActive).observe(screen, { attributes: true, attributeFilter: ["hidden"] });
  document.addEventListener("visibilitychange", syncActive);
  // Runs after the router's own listener, which has shown the screen by then.
  window.addEventListener("hashchange", () => {
    syncActive();
    focusView();
  });
  window.addEventListener("online", () => active && feed.refresh());
  // A warning pushed while the app is open: the list shows it without waiting for the next minute.
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "ansim-alert" && active) feed.refresh();
    // A notification was tapped and this window could not be moved by the worker: move it here.
    if (event.data?.type === "ansim-open" && typeof event.data.url === "string" && event.data.url.startsWith("/#/")) location.assign(event.data.url);
  });
  document.addEventListener(LANGUAGE_CHANGED, () => {
    feed.render();
    if (!detailRoot.hidden) detail.render();
    settings.render();
    settings.languageChanged();
  });

  syncActive();
}
