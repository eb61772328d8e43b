/**
 * The browser's side of Web Push, one small step per function: can this
 * browser do it at all, the subscription it holds, subscribing with the
 * server's VAPID key (and again when the key changed), and the body the
 * server takes. Nothing here asks for permission: the settings do, after a tap.
 */

const READY_TIMEOUT_MS = 10_000;

function isIos() {
  return /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

function isInstalled() {
  return window.matchMedia?.("(display-mode: standalone)").matches || navigator.standalone === true;
}

/**
 * "supported"; "ios" on an iPhone or iPad outside the app added to the Home
 * Screen (Safari offers push only there); else "unsupported".
 */
export function pushSupport() {
  if ("serviceWorker" in navigator && "PushManager" in window && "Notification" in window) return "supported";
  return isIos() && !isInstalled() ? "ios" : "unsupported";
}

/** base64url (no padding) → bytes, for applicationServerKey. */
export function fromBase64Url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** bytes (an ArrayBuffer or view) → base64url without padding. */
export function toBase64Url(buffer) {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The service worker's registration, or null when there is none within a while. */
async function registration() {
  const existing = await navigator.serviceWorker.getRegistration("/");
  if (existing?.active) return existing;
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), READY_TIMEOUT_MS));
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

/** The push subscription this browser holds, or null. */
export async function currentSubscription() {
  const reg = await registration();
  return reg ? reg.pushManager.getSubscription() : null;
}

/** The VAPID key a subscription was made with (base64url), or null when the browser does not say. */
export function subscriptionKey(subscription) {
  const key = subscription?.options?.applicationServerKey;
  return key ? toBase64Url(key) : null;
}

/**
 * A subscription made with serverKey: the one held if it already is, else a
 * new one (an old one, made with a key the server no longer has, is dropped
 * first). Needs the notification permission. Resolves to {subscription, replaced}:
 * replaced is the old endpoint when one was dropped.
 */
export async function subscribe(serverKey) {
  const reg = await registration();
  if (!reg) throw new Error("No service worker");
  let held = await reg.pushManager.getSubscription();
  let replaced = null;
  const heldKey = subscriptionKey(held);
  if (held && heldKey && heldKey !== serverKey) {
    replaced = held.endpoint;
    await held.unsubscribe();
    held = null;
  }
  const subscription = held ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(serverKey) }));
  return { subscription, replaced };
}

/** What the server stores for a subscription: its endpoint and keys, the language, and the areas followed. */
export function subscriptionBody(subscription, { language, home, area_codes, here }) {
  const { endpoint, keys } = subscription.toJSON();
  return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth }, language, home, area_codes, here };
}
