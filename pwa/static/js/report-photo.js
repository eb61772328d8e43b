/**
 * The photo of a report: taken with the camera or chosen from the phone,
 * shown before it is sent, and checked here first (a JPEG, PNG or WebP no
 * larger than the server takes), so a resident on a slow connection hears
 * at once that a photo is too big rather than after a long upload.
 */

import * as api from "./api.js";
import { find } from "./dom.js";
import { setText } from "./i18n.js";

export const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp"];
// The server's default (ANSIM_MAX_PHOTO_MB); /api/v1/config may name another.
const DEFAULT_LIMIT_BYTES = 8 * 1024 * 1024;

/** "8 MB", "12.4 MB", "540 KB" (the same in Korean and English). */
export function formatBytes(bytes) {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The photo limit the server announces, if it announces one. */
function announcedLimit(config) {
  const bytes = config?.limits?.max_photo_bytes;
  return Number.isFinite(bytes) && bytes > 0 ? bytes : null;
}

/** root holds the file input, the preview and the error line. */
export function createPhotoPicker(root) {
  const input = find("[data-report-photo]", root);
  const preview = find("[data-report-photo-preview]", root);
  const image = find("[data-report-photo-image]", root);
  const nameEl = find("[data-report-photo-name]", root);
  const help = find("[data-report-photo-help]", root);
  const error = find("[data-report-photo-error]", root);
  let limit = DEFAULT_LIMIT_BYTES;
  let file = null;
  let objectUrl = null;

  function renderHelp() {
    setText(help, "screen.report.photo.help", { size: formatBytes(limit) });
  }

  function show(chosen) {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = null;
    file = chosen;
    preview.hidden = !file;
    if (!file) {
      image.removeAttribute("src");
      nameEl.textContent = "";
      return;
    }
    objectUrl = URL.createObjectURL(file);
    image.src = objectUrl;
    nameEl.textContent = `${file.name || ""} (${formatBytes(file.size)})`.trim();
  }

  function refuse(key, vars) {
    setText(error, key, vars);
    input.value = "";
    input.setAttribute("aria-invalid", "true");
    show(null);
  }

  function clearError() {
    error.textContent = "";
    delete error.dataset.i18n;
    input.removeAttribute("aria-invalid");
  }

  input.addEventListener("change", () => {
    const chosen = input.files?.[0] ?? null;
    clearError();
    if (!chosen) return show(null);
    if (!ACCEPTED_TYPES.includes(chosen.type)) return refuse("screen.report.photo.wrong_type");
    if (chosen.size > limit) {
      return refuse("screen.report.photo.too_big", { size: formatBytes(chosen.size), limit: formatBytes(limit) });
    }
    show(chosen);
  });
  find("[data-report-photo-remove]", root).addEventListener("click", () => {
    input.value = "";
    clearError();
    show(null);
    input.focus();
  });

  renderHelp();
  api
    .config()
    .then((config) => {
      limit = announcedLimit(config) ?? limit;
      renderHelp();
    })
    .catch(() => {}); // offline: the default limit stands

  return {
    /** The chosen photo (a File), or null. */
    get file() {
      return file;
    },
    reset() {
      input.value = "";
      clearError();
      show(null);
    },
  };
}
