/**
 * What the staff pages (console.html, guard.html) share: only a signed-in
 * person may stay, their name and role are shown, and they can sign out.
 */

import * as api from "./api.js";
import { find, findAll } from "./dom.js";
import { setText } from "./i18n.js";

function sendToLogin() {
  const here = location.pathname + location.search + location.hash;
  // Slashes stay readable (?next=/console), as in the server's own redirects.
  location.replace(`/login?next=${encodeURIComponent(here).replace(/%2F/gi, "/")}`);
}

function showUser(user) {
  for (const element of findAll("[data-user-name]")) element.textContent = user.display_name;
  for (const element of findAll("[data-user-role]")) setText(element, `role.${user.role}`);
  for (const element of findAll("[data-user-org]")) {
    element.textContent = user.organisation?.name ?? "";
    element.hidden = !user.organisation;
  }
}

/**
 * The signed-in user, shown in the header; sends anyone else to the login.
 * Resolves to null when there is no user (the page is being left) or the
 * server cannot be reached (the page stays, with what it can show offline).
 */
export async function requireUser() {
  let data;
  try {
    data = await api.me();
  } catch {
    return null;
  }
  if (!data?.user) {
    sendToLogin();
    return null;
  }
  showUser(data.user);
  return data.user;
}

/** [data-logout] signs out (POST with the CSRF token), then opens the login. */
export function wireLogout() {
  for (const button of findAll("[data-logout]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await api.logout();
        location.assign("/login");
      } catch {
        const status = find("[data-staff-error]");
        if (status) setText(status, "staff.logout_failed");
        button.disabled = false;
      }
    });
  }
}
