/**
 * The control-room console (console.html) for operators and admins: a
 * sidebar of sections behind hash routes (#/live, #/reports, …): the live
 * list (live.js), the reports list and each report's page
 * (console-reports.js), the warnings and each warning's page
 * (console-warnings.js); the other sections are placeholders until their
 * features land.
 */

import { initReports } from "./console-reports.js";
import { initWarnings } from "./console-warnings.js";
import { find, findAll, markReady } from "./dom.js";
import { initI18n } from "./i18n.js";
import { initLanguageSwitch } from "./lang-switch.js";
import { initLiveList } from "./live.js";
import { startRouter } from "./router.js";
import { requireUser, wireLogout } from "./staff.js";

/** Only admins manage users; the server enforces it, the page just agrees. */
function hideAdminOnly(user) {
  if (user.role === "admin") return;
  for (const element of findAll("[data-admin-only]")) element.remove();
  const route = location.hash.replace(/^#\/?/, "").split(/[/?]/)[0]; // "reports" of #/reports/12
  if (route && !find(`[data-screen="${CSS.escape(route)}"]`)) location.hash = "#/live";
}

async function main() {
  await initI18n();
  initLanguageSwitch();
  startRouter({ fallback: "live", titlePrefix: null });
  wireLogout();
  markReady();
  const user = await requireUser();
  if (!user) return;
  hideAdminOnly(user);
  initLiveList();
  initReports();
  initWarnings();
}

main();
