/**
 * The guard's phone shell (guard.html): who is on duty, the cases the
 * control room dispatched to them (guard-cases.js), today's patrols (a
 * placeholder until patrols land) and a panic button that, for now, offers
 * a call or text to 112.
 */

import { wireDialog } from "./dialog.js";
import { find, markReady } from "./dom.js";
import { initGuardCases } from "./guard-cases.js";
import { initI18n } from "./i18n.js";
import { initLanguageSwitch } from "./lang-switch.js";
import { requireUser, wireLogout } from "./staff.js";

async function main() {
  await initI18n();
  initLanguageSwitch();
  wireDialog(find("[data-panic]"), find("[data-panic-dialog]"));
  wireLogout();
  markReady();
  if (await requireUser()) initGuardCases();
}

main();
