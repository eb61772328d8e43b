/**
 * Where the resident is: the phone's position, followed while the map is on
 * screen, or a point they set by hand when location is denied or cannot be
 * found. The browser is asked only after a tap, or at once when permission
 * was already granted. The last point is kept on this device, so a reopened
 * app starts where the resident was.
 *
 * States (reported to onState, and shown by the map screen):
 *   prompt       never asked: offer "Find my location"
 *   locating     asked, waiting for the first fix
 *   located      following the phone's position
 *   denied       the browser refuses: set the point by hand
 *   unavailable  no fix (no signal, timeout, no geolocation at all)
 *   manual       following a point the resident set by hand
 */

import { readJSON, writeJSON } from "./storage.js";

const STORAGE_KEY = "ansim.position";
const GEO_OPTIONS = { enableHighAccuracy: true, timeout: 10_000, maximumAge: 5_000 };

function loadSaved() {
  const saved = readJSON(STORAGE_KEY);
  return Number.isFinite(saved?.lat) && Number.isFinite(saved?.lon) ? saved : null;
}

/** A position as the app keeps it, from a GeolocationPosition. */
function fromFix(fix) {
  return {
    lat: fix.coords.latitude,
    lon: fix.coords.longitude,
    accuracy: fix.coords.accuracy,
    source: "gps",
    at: fix.timestamp || Date.now(),
  };
}

function save(position) {
  writeJSON(STORAGE_KEY, position);
}

/** The geolocation PermissionStatus (state "granted", "denied" or "prompt"), or null when the browser cannot tell. */
async function permissionStatus() {
  try {
    return await navigator.permissions.query({ name: "geolocation" });
  } catch {
    return null;
  }
}

/**
 * onPosition(position, {centre}) gets {lat, lon, accuracy, source: "gps"|"manual", at};
 * centre is true when the map should move to it (the first fix after a tap).
 * onState(state) gets one of the states above.
 */
export function createLocator({ onPosition, onState }) {
  let position = loadSaved();
  let state = "prompt";
  let watchId = null;
  let following = false; // the resident wants the phone's position followed
  let active = false; // the map is on screen and the page visible
  let centreOnFix = false;

  function setState(next) {
    state = next;
    onState(next);
  }

  function stopWatch() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    watchId = null;
  }

  function onFix(fix) {
    position = fromFix(fix);
    save(position);
    setState("located");
    onPosition(position, { centre: centreOnFix });
    centreOnFix = false;
  }

  function onError(error) {
    if (error.code === error.PERMISSION_DENIED) {
      stopWatch();
      following = false;
      setState("denied");
    } else if (state !== "located") {
      // Keep watching: a fix may still come when the signal returns.
      setState("unavailable");
    }
  }

  function startWatch() {
    if (watchId !== null) return;
    if (state !== "located") setState("locating");
    watchId = navigator.geolocation.watchPosition(onFix, onError, GEO_OPTIONS);
  }

  return {
    get position() {
      return position;
    },

    get state() {
      return state;
    },

    /** At start: the saved point, then follow the phone if permission was already granted. */
    async start() {
      if (position) onPosition(position, { centre: false });
      if (!("geolocation" in navigator)) {
        setState(position?.source === "manual" ? "manual" : "unavailable");
        return;
      }
      const status = await permissionStatus();
      if (status?.state === "granted") {
        following = true;
        centreOnFix = true;
        if (active) startWatch();
        else setState("locating");
      } else if (status?.state === "denied") {
        setState(position?.source === "manual" ? "manual" : "denied");
      } else {
        setState(position?.source === "manual" ? "manual" : "prompt");
      }
      if (status) {
        status.addEventListener("change", () => {
          if (status.state === "denied" && following) {
            stopWatch();
            following = false;
            setState("denied");
          }
        });
      }
    },

    /** The resident tapped "Find my location": ask (this may prompt) and follow. */
    locate() {
      if (!("geolocation" in navigator)) {
        setState("unavailable");
        return;
      }
      following = true;
      if (state === "located" && position) {
        onPosition(position, { centre: true });
        startWatch();
        return;
      }
      centreOnFix = true;
      stopWatch();
      setState("locating");
      startWatch();
    },

    /** The resident set their point by hand: stop following the phone. */
    setManual(lat, lon) {
      stopWatch();
      following = false;
      centreOnFix = false;
      position = { lat, lon, accuracy: null, source: "manual", at: Date.now() };
      save(position);
      setState("manual");
      onPosition(position, { centre: false });
    },

    /** Follow the phone only while the map is on screen (saves battery). */
    setActive(isActive) {
      active = isActive;
      if (active && following) startWatch();
      else stopWatch();
    },
  };
}

/** The last point kept on this device ({lat, lon, accuracy, source, at}), or null. */
export function lastKnownPosition() {
  return loadSaved();
}

/**
 * A fresh, accurate fix for an SOS: the phone's position if it answers
 * within timeout milliseconds (and it is kept as the last point), else the
 * last known point, else null. Never rejects: an SOS goes out without a
 * position rather than not at all.
 */
export function urgentPosition(timeout = 5_000) {
  const fallback = () => loadSaved();
  if (!("geolocation" in navigator)) return Promise.resolve(fallback());
  return new Promise((resolve) => {
    // The browser's timeout does not count while a permission prompt waits.
    const guard = setTimeout(() => resolve(fallback()), timeout + 500);
    navigator.geolocation.getCurrentPosition(
      (fix) => {
        clearTimeout(guard);
        const position = fromFix(fix);
        save(position);
        resolve(position);
      },
      () => {
        clearTimeout(guard);
        resolve(fallback());
      },
      { enableHighAccuracy: true, timeout, maximumAge: 10_000 },
    );
  });
}
