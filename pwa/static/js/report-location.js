/**
 * Where a report happened, on the report screen: the phone's position,
 * followed while the screen is on view, or the point the resident set on the
 * map. It is shown with its accuracy, because it goes out with the report.
 * The browser is asked only after a tap, or at once when permission was
 * already granted (location.js). A crime warning post is seen online, so for
 * it the location is optional and off unless the resident ticks it.
 */

import { find } from "./dom.js";
import { formatDateTime, setText } from "./i18n.js";
import { createLocator, lastKnownPosition } from "./location.js";

const ASK_TIMEOUT_MS = 10_000;

async function permissionGranted() {
  try {
    return (await navigator.permissions.query({ name: "geolocation" })).state === "granted";
  } catch {
    return false;
  }
}

/** root is the location card; onPosition(position) runs whenever the point changes. */
export function createReportLocation(root, { onPosition }) {
  const stateEl = find("[data-report-location-state]", root);
  const valueEl = find("[data-report-location-value]", root);
  const optional = find("[data-report-location-optional]", root);
  const include = find("[data-report-location-include]", root);
  const actions = find(".report-location-actions", root);
  let required = true;
  let waiters = []; // resolvers of ensure(), woken by a fix or a refusal

  function sending() {
    return required || include.checked;
  }

  function stateKey(position, state) {
    if (!sending()) return "screen.report.location.not_sent";
    if (position) {
      if (position.source === "manual") return "screen.report.location.will_send_manual";
      return state === "located" ? "screen.report.location.will_send" : "screen.report.location.will_send_saved";
    }
    return `screen.report.location.state.${state}`;
  }

  function render() {
    const position = locator.position;
    const state = locator.state;
    optional.hidden = required;
    actions.hidden = !sending();
    root.dataset.state = !sending() ? "off" : position ? "known" : state;
    setText(stateEl, stateKey(position, state), position ? { time: formatDateTime(position.at) } : undefined);
    valueEl.hidden = !(sending() && position);
    if (valueEl.hidden) return;
    const where = { lat: position.lat.toFixed(5), lon: position.lon.toFixed(5) };
    if (Number.isFinite(position.accuracy)) {
      setText(valueEl, "screen.report.location.value_accuracy", { ...where, metres: Math.round(position.accuracy) });
    } else {
      setText(valueEl, "screen.report.location.value", where);
    }
  }

  function wake() {
    for (const resolve of waiters) resolve();
    waiters = [];
  }

  const locator = createLocator({
    onPosition(position) {
      render();
      wake();
      onPosition(position);
    },
    onState(state) {
      render();
      if (state === "denied" || state === "unavailable") wake();
    },
  });

  /**
   * Coming back to the screen: take up a point the map learned meanwhile (a
   * point set by hand there, or a fix after the resident allowed location).
   */
  async function catchUp() {
    const saved = lastKnownPosition();
    const mine = locator.position;
    if (locator.state === "located" || !saved || (mine && saved.at <= mine.at)) return;
    if (saved.source === "manual") locator.setManual(saved.lat, saved.lon);
    else if (await permissionGranted()) locator.locate();
  }

  find("[data-report-locate]", root).addEventListener("click", () => locator.locate());
  include.addEventListener("change", render);
  render();

  return {
    start: () => locator.start(),

    /** The point to send ({lat, lon, accuracy, source, at}), or null when none is known or wanted. */
    get position() {
      return sending() ? locator.position : null;
    },

    /** The resident's point whether or not it is sent (for the nearest facilities). */
    get known() {
      return locator.position;
    },

    /** Is a location needed to send this kind of report? */
    setRequired(isRequired) {
      required = isRequired;
      render();
    },

    /**
     * The point to send, asking the phone first when none is known (the
     * resident just tapped "send", so a permission prompt is expected).
     */
    async ensure() {
      if (!sending() || locator.position) return this.position;
      const woken = new Promise((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, ASK_TIMEOUT_MS);
      });
      locator.locate();
      await woken;
      return this.position;
    },

    reset() {
      include.checked = false;
      render();
    },

    /** Follow the phone only while the screen is on view. */
    setActive(active) {
      locator.setActive(active);
      if (active) catchUp();
    },
    render,
  };
}
