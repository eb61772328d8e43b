/**
 * The resident shell (index.html): screens behind hash routes, the bottom
 * navigation, the SOS (sos.js) and its outbox, the map screen (map-screen.js),
 * the report screen with "my reports" (report-screen.js), the alerts feed
 * the areas the resident follows (alerts-screen.js), walking routes home
 * (route-screen.js), and the little
 * the shell knows from the server (district name, whether this device is
 * known, who is signed in).
 */

import * as api from "./api.js";
import { initAlertsScreen } from "./alerts-screen.js";
import { find, markReady } from "./dom.js";
import { formatDate, initI18n, LANGUAGE_CHANGED, setText, t } from "./i18n.js";
import { initLanguageSwitch } from "./lang-switch.js";
import { initMapScreen } from "./map-screen.js";
import { startOutbox } from "./outbox.js";
import { initReportScreen } from "./report-screen.js";
import { initRouteScreen } from "./route-screen.js";
import { startRouter } from "./router.js";
import { initSos } from "./sos.js";

// What the server last told us; null until it answers (or while offline).
let session = null;

async function showDistrict() {
  if (!navigator.onLine) return; // the header reads fine without it
  try {
    const { district } = await api.config();
    const element = find("[data-district]");
    element.textContent = district?.name ?? "";
    element.hidden = !district?.name;
  } catch {
    // No district name is no loss; the rest of the shell is unaffected.
  }
}

function renderSession() {
  const status = find("[data-device-status]");
  if (!session) {
    setText(status, "screen.me.device.offline");
    status.dataset.deviceState = "unknown";
  } else if (session.device) {
    setText(status, "screen.me.device.registered", { date: formatDate(session.device.first_seen_at) });
    status.dataset.deviceState = "registered";
  } else {
    setText(status, "screen.me.device.none");
    status.dataset.deviceState = "none";
  }
  const signedIn = find("[data-signed-in]");
  const user = session?.user;
  signedIn.hidden = !user;
  if (user) setText(signedIn, "screen.me.signed_in", { name: user.display_name, role: t(`role.${user.role}`) });
}

async function loadSession() {
  session = null;
  if (navigator.onLine) {
    try {
      session = await api.me();
    } catch {
      session = null;
    }
  }
  renderSession();
}

async function main() {
  await initI18n();
  initLanguageSwitch();
  startRouter({ fallback: "map" });
  initSos();
  try {
    initReportScreen();
  } catch (error) {
    console.error("report screen: not started", error); // SOS and the rest still work
  }
  try {
    initAlertsScreen();
  } catch (error) {
    console.error("alerts screen: not started", error);
  }
  try {
    initRouteScreen();
  } catch (error) {
    console.error("route screen: not started", error);
  }
  markReady();
  startOutbox();

  // Dates and role names are formatted in the reader's language.
  document.addEventListener(LANGUAGE_CHANGED, renderSession);
  window.addEventListener("online", () => {
    loadSession();
    showDistrict();
  });
  // The map starts alongside: SOS and the navigation never wait for it.
  const map = initMapScreen().catch((error) => console.error("map: not started", error));
  await Promise.all([loadSession(), showDistrict(), map]);
}

main();
