/**
 * "Areas I follow" on the alerts screen: the phone-notification switch with
 * where it stands (on, off, blocked by the browser and how to fix it, not
 * possible here), home on a map, 동 from a list, "where I am", and the
 * language notifications come in (the app's).
 */

import { find } from "./dom.js";
import { language, setText, t } from "./i18n.js";
import { createDongPicker } from "./alerts-dongs.js";
import { createHomePicker } from "./alerts-home.js";
import { createSubscription, MAX_AREAS } from "./alerts-subscription.js";

// Each state's help line, under the status, when it needs one.
const HELP = { blocked: "blocked", ios: "ios", unsupported: "unsupported" };

/** root is the settings section. */
export function createAlertSettings(root) {
  const status = find("[data-alerts-push-state]", root);
  const help = find("[data-alerts-push-help]", root);
  const result = find("[data-alerts-push-note]", root);
  const onButton = find("[data-alerts-turn-on]", root);
  const offButton = find("[data-alerts-turn-off]", root);
  const hereToggle = find("[data-alerts-here]", root);
  const languageLine = find("[data-alerts-language]", root);

  const subscription = createSubscription({ onChange: render });
  const { follow } = subscription;
  const home = createHomePicker(find("[data-alerts-home]", root), {
    home: follow.home,
    radius: follow.radius_m,
    onChange: (changes) => subscription.change(changes),
  });
  const dongs = createDongPicker(find("[data-alerts-dongs]", root), {
    chosen: follow.area_codes,
    max: MAX_AREAS,
    onChange: (codes) => subscription.change({ area_codes: codes }),
  });

  let current = { state: "checking", note: null };
  let busy = null; // which button is at work: "on" or "off"

  function render({ state, note } = current) {
    current = { state, note };
    if (state !== "working") busy = null;
    root.dataset.pushState = state;
    status.dataset.state = state;
    setText(status, `screen.alerts.push.state.${state}`);
    help.hidden = !HELP[state];
    if (HELP[state]) setText(help, `screen.alerts.push.help.${HELP[state]}`);
    onButton.hidden = !(state === "off" || state === "checking" || busy === "on");
    offButton.hidden = !(state === "on" || busy === "off");
    onButton.disabled = state === "checking";
    onButton.setAttribute("aria-busy", String(busy === "on"));
    offButton.setAttribute("aria-busy", String(busy === "off"));
    result.dataset.note = note ?? "";
    if (note) setText(result, `screen.alerts.push.note.${note}`);
    else if (state !== "working") {
      result.textContent = "";
      delete result.dataset.i18n;
    }
    hereToggle.checked = subscription.follow.here;
    setText(languageLine, "screen.alerts.follow.language", { language: t(`lang.name.${language()}`) });
  }

  onButton.addEventListener("click", () => {
    busy = "on";
    subscription.turnOn();
  });
  offButton.addEventListener("click", () => {
    busy = "off";
    subscription.turnOff();
  });
  hereToggle.addEventListener("change", () => {
    subscription.change({ here: hereToggle.checked });
    if (hereToggle.checked) subscription.locateHere();
  });

  render();
  const started = subscription.start().catch((error) => console.error("alerts: push state unknown", error));

  return {
    started,
    render() {
      render();
      home.render();
      home.relabel();
      dongs.render();
    },
    languageChanged: () => subscription.languageChanged(),
    /** The settings are on screen: make the map, fetch the 동 list. */
    setActive(active) {
      if (!active) return;
      home.show();
      dongs.load();
    },
  };
}
