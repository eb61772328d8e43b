/**
 * The report screen ([data-screen="report"]): what happened (big tiles with
 * a pictogram, found without reading), optional words and photo, the
 * address of a crime warning post or the broken facility when the kind asks
 * for it, and where (shown, because it is sent). The report then goes
 * through the outbox like an SOS, so a report made without a signal goes out
 * when the signal returns; "my reports" below follows what became of it.
 *
 * #/report?kind=facility_fault&facility=12 opens the screen with that kind
 * and facility picked (the facility sheet's "report a fault" button).
 */

import { find } from "./dom.js";
import { LANGUAGE_CHANGED, setText } from "./i18n.js";
import { createMyReports } from "./my-reports.js";
import { newKey, onChange, queue } from "./outbox.js";
import { createFacilityPicker } from "./report-facilities.js";
import { createReportLocation } from "./report-location.js";
import { createPhotoPicker } from "./report-photo.js";

const KINDS = ["suspicious_person", "weapon_seen", "assault", "crime_warning_post", "facility_fault", "dark_street", "other"];
// A crime warning post is seen online: where the resident stands is optional.
const LOCATION_OPTIONAL = "crime_warning_post";
const MAX_TEXT = 2000;
const MAX_ACCURACY_M = 100_000;

function hashParams() {
  return new URLSearchParams(location.hash.split("?")[1] ?? "");
}

/**
 * A web address the server takes (http or https, with a dot in the host):
 * "cafe.example.com/123" gets https:// in front. null when empty, undefined
 * when it is not an address.
 */
function normaliseUrl(value) {
  const text = value.trim();
  if (!text) return null;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`);
    return ["http:", "https:"].includes(url.protocol) && url.hostname.includes(".") ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Which confirmation to show for what queue() answered. */
function resultKey(result) {
  if (result.state === "queued") return "screen.report.result.queued";
  if (result.state === "failed") return "screen.report.result.failed";
  if (result.photo === "queued") return "screen.report.result.photo_queued";
  if (result.photo === "failed") return "screen.report.result.photo_failed";
  return "screen.report.result.sent";
}

export function initReportScreen() {
  const screen = find('[data-screen="report"]');
  if (!screen) return;
  const form = find("[data-report-form]", screen);
  const kindInputs = [...form.querySelectorAll("[data-report-kind]")];
  const urlField = find("[data-report-url-field]", form);
  const urlInput = find("[data-report-url]", form);
  const textInput = find("[data-report-text]", form);
  const counter = find("[data-report-text-count]", form);
  const errorEl = find("[data-report-error]", form);
  const submitButton = find("[data-report-submit]", form);
  const resultEl = find("[data-report-result]", form);
  const facilitiesFieldset = find("[data-report-facilities]", form);

  const photo = createPhotoPicker(find("[data-report-photo-field]", form));
  const place = createReportLocation(find("[data-report-location]", form), {
    onPosition: () => facilities.update(),
  });
  const facilities = createFacilityPicker(facilitiesFieldset, { position: () => place.known });
  const mine = createMyReports(find("[data-my-reports]", screen));
  let busy = false;

  function chosenKind() {
    return kindInputs.find((input) => input.checked)?.value ?? null;
  }

  function renderKind() {
    const kind = chosenKind();
    urlField.hidden = kind !== "crime_warning_post";
    facilities.setShown(kind === "facility_fault");
    place.setRequired(kind !== LOCATION_OPTIONAL);
    form.dataset.kind = kind ?? "";
  }

  function renderCounter() {
    setText(counter, "screen.report.text.count", { n: textInput.value.length, max: MAX_TEXT });
  }

  function clearError() {
    errorEl.textContent = "";
    delete errorEl.dataset.i18n;
    for (const element of form.querySelectorAll("[aria-invalid]:not([data-report-photo])")) element.removeAttribute("aria-invalid");
  }

  /** Say what is missing, and take the resident there. */
  function refuse(key, target) {
    setText(errorEl, key);
    if (target.matches("input, textarea")) target.setAttribute("aria-invalid", "true");
    target.focus();
  }

  function showResult(state, key = null) {
    resultEl.dataset.state = state;
    if (key) setText(resultEl, key);
    else {
      resultEl.textContent = "";
      delete resultEl.dataset.i18n;
    }
  }

  function setBusy(isBusy) {
    busy = isBusy;
    submitButton.setAttribute("aria-busy", String(isBusy));
    setText(find("span", submitButton), isBusy ? "screen.report.sending" : "screen.report.send");
  }

  function resetForm() {
    form.reset();
    photo.reset();
    facilities.reset();
    place.reset();
    renderKind();
    renderCounter();
    // The fault button's address has done its work; a reload starts afresh.
    if (location.hash.includes("?")) history.replaceState(null, "", "#/report");
  }

  /** What the form says, checked; null (and the resident told why) when something is missing. */
  function collect() {
    const kind = chosenKind();
    if (!kind) return refuse("screen.report.error.kind", kindInputs[0]);
    const text = textInput.value.trim() || null;
    let url = null;
    if (kind === "crime_warning_post") {
      url = normaliseUrl(urlInput.value);
      if (url === undefined) return refuse("screen.report.error.url", urlInput);
      if (!url && !text) return refuse("screen.report.error.url_or_text", urlInput);
    }
    const facilityId = kind === "facility_fault" ? facilities.value : null;
    if (kind === "facility_fault" && facilityId === null) {
      return refuse("screen.report.error.facility", facilitiesFieldset.querySelector("input") ?? kindInputs[KINDS.indexOf(kind)]);
    }
    return { kind, text, url, facility_id: facilityId, silent: false, client_time: new Date().toISOString() };
  }

  async function send(event) {
    event.preventDefault();
    if (busy) return;
    clearError();
    const body = collect();
    if (!body) return;
    setBusy(true);
    showResult("sending", "screen.report.sending");
    try {
      const position = await place.ensure();
      if (!position && body.kind !== LOCATION_OPTIONAL) {
        showResult("idle");
        refuse("screen.report.error.location", find("[data-report-locate]", form));
        return;
      }
      body.lat = position?.lat ?? null;
      body.lon = position?.lon ?? null;
      body.accuracy_m = Number.isFinite(position?.accuracy) ? Math.min(Math.round(position.accuracy), MAX_ACCURACY_M) : null;
      const file = photo.file;
      const result = await queue(body, newKey(), file ? { photo: file, photoName: file.name || "photo" } : {});
      showResult(result.state, resultKey(result));
      resultEl.dataset.photo = result.photo ?? "none";
      if (result.state !== "failed") resetForm();
      mine.refresh();
    } catch (error) {
      // The phone could not even keep it (storage full or blocked): say so, keep the form.
      console.error("report: not queued", error);
      showResult("failed", "screen.report.result.failed");
    } finally {
      setBusy(false);
    }
  }

  /** #/report?kind=…&facility=…: pick what the address names. */
  function applyAddress() {
    const params = hashParams();
    const kind = params.get("kind");
    if (!KINDS.includes(kind)) return;
    kindInputs[KINDS.indexOf(kind)].checked = true;
    const facility = Number(params.get("facility"));
    if (kind === "facility_fault" && Number.isInteger(facility) && facility > 0) facilities.preset(facility);
    renderKind();
    showResult("idle");
  }

  for (const input of kindInputs) input.addEventListener("change", renderKind);
  textInput.addEventListener("input", renderCounter);
  form.addEventListener("submit", send);
  find("[data-my-reports-refresh]", screen).addEventListener("click", () => mine.refresh());
  window.addEventListener("hashchange", applyAddress);

  // Follow the phone and the list only while the screen is on view.
  let active = null;
  function syncActive() {
    const now = !screen.hidden && document.visibilityState === "visible";
    if (now === active) return;
    active = now;
    place.setActive(now);
    mine.setActive(now);
  }
  new MutationObserver(syncActive).observe(screen, { attributes: true, attributeFilter: ["hidden"] });
  document.addEventListener("visibilitychange", syncActive);
  // A queued report or photo that went out later, or was refused: show it.
  onChange(() => active && mine.refresh());
  window.addEventListener("online", () => active && mine.refresh());
  document.addEventListener(LANGUAGE_CHANGED, () => {
    place.render();
    facilities.render();
    mine.render();
  });

  renderCounter();
  applyAddress();
  renderKind();
  syncActive();
  place.start();
}
