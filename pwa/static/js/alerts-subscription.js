/**
 * What the resident follows and whether their phone is told: the areas
 * (home with a radius, chosen 동, "where I am"), kept on this device, and the
 * push subscription that carries them to the server.
 *
 * States: checking, on, off, working, blocked (the browser refuses
 * notifications), unsupported, ios (an iPhone outside the installed app).
 * The permission prompt comes only from turnOn(), which the "Turn on" button
 * calls. At start a subscription made with a VAPID key the server no longer
 * has is made again, and what the server holds is refreshed when it differs
 * from what the device follows (or once a day, in case the server dropped it).
 * "Where I am" is a point rounded to ~100 m, sent again when the phone has
 * moved more than MOVE_M, at most every HERE_EVERY_MS while the app is open.
 */

import * as api from "./api.js";
import { distanceM } from "./geo.js";
import { language } from "./i18n.js";
import { currentSubscription, pushSupport, subscribe, subscriptionBody, subscriptionKey } from "./alerts-push.js";
import { readJSON, writeJSON } from "./storage.js";

const FOLLOW_KEY = "ansim.alerts.follow";
const SYNCED_KEY = "ansim.alerts.synced";
export const RADII = [300, 500, 1000];
export const MAX_AREAS = 20; // what the server takes
const RESYNC_MS = 24 * 3600_000;
const SAVE_DELAY_MS = 600;
const MOVE_M = 200;
const HERE_EVERY_MS = 3 * 60_000;

function loadFollow() {
  const saved = readJSON(FOLLOW_KEY) ?? {};
  const home = Number.isFinite(saved.home?.lat) && Number.isFinite(saved.home?.lon) ? saved.home : null;
  const radius = RADII.includes(saved.radius_m) ? saved.radius_m : 500;
  return {
    home: home && { lat: home.lat, lon: home.lon },
    radius_m: radius,
    area_codes: Array.isArray(saved.area_codes) ? saved.area_codes.filter((code) => typeof code === "string").slice(0, MAX_AREAS) : [],
    here: saved.here === true,
    here_point: Number.isFinite(saved.here_point?.lat) ? saved.here_point : null,
  };
}

/** The home the resident placed on the alerts screen ({lat, lon}), kept on this device, or null. */
export function storedHome() {
  return loadFollow().home;
}

/** About 100 m: the server keeps no finer a point for "where I am", so none finer leaves the phone. */
const coarse = (value) => Math.round(value * 1000) / 1000;

function geolocationState() {
  return navigator.permissions
    ?.query({ name: "geolocation" })
    .then((status) => status.state)
    .catch(() => "prompt") ?? Promise.resolve("prompt");
}

function currentPoint() {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) return reject(new Error("no geolocation"));
    navigator.geolocation.getCurrentPosition(
      (fix) => resolve({ lat: coarse(fix.coords.latitude), lon: coarse(fix.coords.longitude) }),
      reject,
      // A rough fix, but a fresh one: an old one would hide a move.
      { enableHighAccuracy: false, timeout: 20_000, maximumAge: 0 },
    );
  });
}

/** onChange({state, note}) after every change; note is a passing message (a key suffix) or null. */
export function createSubscription({ onChange }) {
  let follow = loadFollow();
  let state = "checking";
  let note = null;
  let subscription = null;
  let saveTimer = null;
  let hereTimer = null;

  function set(nextState, nextNote = null) {
    state = nextState;
    note = nextNote;
    onChange({ state, note });
  }

  /** What the server should hold for this subscription. */
  function wanted() {
    return {
      language: language(),
      home: follow.home ? { ...follow.home, radius_m: follow.radius_m } : null,
      area_codes: follow.area_codes,
      here: follow.here ? follow.here_point : null,
    };
  }

  const fingerprint = () => JSON.stringify({ endpoint: subscription?.endpoint, ...wanted() });
  const hasAreas = () => Boolean(follow.home || follow.area_codes.length || follow.here);

  function markSynced() {
    writeJSON(SYNCED_KEY, { fingerprint: fingerprint(), at: Date.now() });
  }

  function needsSync() {
    const synced = readJSON(SYNCED_KEY);
    return !synced || synced.fingerprint !== fingerprint() || Date.now() - synced.at > RESYNC_MS;
  }

  async function post() {
    await api.savePushSubscription(subscriptionBody(subscription, wanted()));
    markSynced();
  }

  /** Send what the device follows; the note says how it went. */
  async function sync() {
    clearTimeout(saveTimer);
    if (state !== "on" || !subscription) return;
    if (!navigator.onLine) return set("on", "save_pending");
    try {
      await post();
      set("on", hasAreas() ? "saved" : "nothing");
    } catch (error) {
      set("on", error.isNetworkError ? "save_pending" : "save_failed");
      if (!error.isNetworkError) console.warn("alerts: areas not saved", error);
    }
  }

  /** A subscription made with a key the server no longer has is made again; a stale server copy is refreshed. */
  async function reconcile() {
    if (state !== "on" || !navigator.onLine) return;
    try {
      const key = await api.vapidPublicKey();
      const heldKey = subscriptionKey(subscription);
      if (heldKey && heldKey !== key) {
        const renewed = await subscribe(key);
        subscription = renewed.subscription;
        if (renewed.replaced) await api.deletePushSubscription(renewed.replaced).catch(() => undefined);
        await post();
      } else if (needsSync()) {
        await post();
      }
    } catch (error) {
      if (!error.isNetworkError) console.warn("alerts: subscription not checked", error);
    }
  }

  async function refreshHere({ ask = false } = {}) {
    if (!follow.here) return;
    if (!ask && (await geolocationState()) !== "granted") return; // never a prompt without a tap
    let point;
    try {
      point = await currentPoint();
    } catch (error) {
      if (error.code === 1) {
        // PERMISSION_DENIED: the toggle cannot work; say so and turn it off.
        follow = { ...follow, here: false, here_point: null };
        writeJSON(FOLLOW_KEY, follow);
        followHere();
        if (state === "on" && subscription) await post().catch(() => undefined); // the server forgets the old point too
        set(state, "here_denied");
      }
      return;
    }
    const moved = !follow.here_point || distanceM(follow.here_point, point) > MOVE_M;
    if (!moved) return;
    follow = { ...follow, here_point: point };
    writeJSON(FOLLOW_KEY, follow);
    if (state !== "on" || !subscription || !navigator.onLine) return;
    try {
      await api.updatePushSubscription({ endpoint: subscription.endpoint, here: point });
      markSynced();
    } catch (error) {
      if (error.status === 404) await post().catch(() => undefined); // the server forgot us: subscribe again
    }
  }

  function followHere() {
    clearInterval(hereTimer);
    hereTimer = null;
    // Only a subscription that follows "where I am" needs the phone's position.
    if (!follow.here || state !== "on" || document.visibilityState !== "visible") return;
    refreshHere();
    hereTimer = setInterval(refreshHere, HERE_EVERY_MS);
  }

  return {
    get follow() {
      return follow;
    },
    get state() {
      return state;
    },
    hasAreas,

    /** Find out where things stand (no prompt), and put right what the server holds. */
    async start() {
      const support = pushSupport();
      if (support !== "supported") return set(support);
      if (Notification.permission === "denied") return set("blocked");
      try {
        subscription = await currentSubscription();
      } catch {
        subscription = null;
      }
      set(subscription && Notification.permission === "granted" ? "on" : "off");
      document.addEventListener("visibilitychange", () => {
        followHere();
        // Unblocked in the browser's settings meanwhile: offer the button again.
        if (state === "blocked" && Notification.permission !== "denied") set("off");
      });
      window.addEventListener("online", () => state === "on" && needsSync() && sync());
      followHere();
      await reconcile();
    },

    /** The resident tapped "Turn on": ask for permission (the only place that does), subscribe, send. */
    async turnOn() {
      if (state === "working") return;
      if (!hasAreas()) return set(state, "nothing");
      if (!navigator.onLine) return set(state, "offline");
      set("working");
      let permission;
      try {
        permission = await Notification.requestPermission();
      } catch {
        permission = Notification.permission;
      }
      if (permission === "denied") return set("blocked");
      if (permission !== "granted") return set("off", "dismissed");
      try {
        const key = await api.vapidPublicKey();
        const made = await subscribe(key);
        subscription = made.subscription;
        if (made.replaced) await api.deletePushSubscription(made.replaced).catch(() => undefined);
        await post();
        set("on", "turned_on");
        followHere();
      } catch (error) {
        console.warn("alerts: not subscribed", error);
        // Half a subscription (the browser's without the server's) would only mislead: drop it.
        await subscription?.unsubscribe().catch(() => undefined);
        subscription = null;
        set("off", error.isNetworkError ? "offline" : "failed");
      }
    },

    /** The resident tapped "Turn off": the server forgets the subscription, then the browser drops it. */
    async turnOff() {
      if (state === "working") return;
      set("working");
      const held = subscription ?? (await currentSubscription().catch(() => null));
      if (held) {
        // Offline, the browser's side still goes: pushes to a dropped endpoint are refused, and the server then forgets it.
        await api.deletePushSubscription(held.endpoint).catch(() => undefined);
        await held.unsubscribe().catch(() => undefined);
      }
      subscription = null;
      writeJSON(SYNCED_KEY, null);
      set("off", "turned_off");
      followHere();
    },

    /** The resident changed what they follow: keep it, and tell the server shortly after (taps come in bursts). */
    change(changes) {
      follow = { ...follow, ...changes };
      if (!follow.here) follow.here_point = null;
      writeJSON(FOLLOW_KEY, follow);
      if ("here" in changes) followHere();
      if (state !== "on") return set(state, hasAreas() ? "saved_local" : null);
      clearTimeout(saveTimer);
      saveTimer = setTimeout(sync, SAVE_DELAY_MS);
    },

    /** The toggle for "where I am" was tapped on: ask for the position now (this may prompt), then send it. */
    async locateHere() {
      await refreshHere({ ask: true });
      if (state === "on" && follow.here) await sync();
    },

    /** The app's language changed: notifications follow it. */
    languageChanged() {
      if (state === "on") sync();
    },
  };
}
