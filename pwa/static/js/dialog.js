/**
 * Modal dialogs (<dialog>) opened by a button: the resident SOS and the
 * guard's panic button. The browser's showModal() gives focus trapping,
 * Escape to close and inert background; this adds the close button and a tap
 * on the backdrop, and returns focus to the opener.
 */

import { findAll } from "./dom.js";

export function wireDialog(opener, dialog) {
  if (!opener || !dialog) return;
  opener.addEventListener("click", () => dialog.showModal());
  for (const button of findAll("[data-dialog-close]", dialog)) {
    button.addEventListener("click", () => dialog.close());
  }
  // A tap outside the dialog box lands on the <dialog> itself (its backdrop).
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => opener.focus());
}
