/**
 * Staff login (login.html): operators, guards and admins sign in here, then
 * go where they were headed (?next=) or to their own workspace.
 */

import * as api from "./api.js";
import { find, findAll, markReady } from "./dom.js";
import { initI18n, setText } from "./i18n.js";
import { initLanguageSwitch } from "./lang-switch.js";

const HOME_BY_ROLE = { operator: "/console", admin: "/console", guard: "/guard" };

/** ?next= only if it is a path on this site: "/x", never "//host" or "/\host". */
export function safeNext(value) {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return null;
  try {
    const url = new URL(value, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : null;
  } catch {
    return null;
  }
}

function destination(user) {
  const next = safeNext(new URLSearchParams(location.search).get("next"));
  return next ?? HOME_BY_ROLE[user?.role] ?? "/";
}

/** The user-facing message for a failed sign-in, as [key, vars]. */
function failureMessage(error) {
  if (error.isNetworkError) return ["login.error.network"];
  if (error.status === 401) return ["login.error.invalid"];
  if (error.status === 422 || error.status === 400) return ["login.error.invalid_input"];
  if (error.status === 429) {
    return error.retryAfter != null
      ? ["login.error.rate_limited", { seconds: error.retryAfter }]
      : ["login.error.rate_limited_later"];
  }
  return ["login.error.server"];
}

/** Mark the fields the server named in a 422 so the reader sees which. */
function markInvalid(form, error) {
  const fields = Object.keys(error.errors?.json ?? {});
  for (const input of findAll("input[name]", form)) {
    if (fields.includes(input.name)) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

function setBusy(button, busy) {
  button.disabled = busy;
  button.setAttribute("aria-busy", String(busy));
  setText(button, busy ? "login.submitting" : "login.submit");
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const errorArea = find("[data-login-error]", form);
  const button = find("[data-login-submit]", form);
  errorArea.textContent = "";
  delete errorArea.dataset.i18n;
  setBusy(button, true);
  try {
    const data = await api.login({
      login: form.elements.login.value.trim(),
      password: form.elements.password.value,
      remember: form.elements.remember.checked,
    });
    const user = data?.user ?? (await api.me()).user;
    location.assign(destination(user));
  } catch (error) {
    if (!(error instanceof api.ApiError)) throw error;
    const [key, vars] = failureMessage(error);
    setText(errorArea, key, vars);
    errorArea.dataset.status = String(error.status);
    markInvalid(form, error);
    if (error.status === 401) {
      form.elements.password.value = "";
      form.elements.password.focus();
    }
    setBusy(button, false);
  }
}

/** Someone already signed in is offered the way on, not sent there (no loops). */
async function showCurrentUser() {
  if (!navigator.onLine) return;
  try {
    const { user } = await api.me();
    if (!user) return;
    setText(find("[data-login-current-text]"), "login.signed_in", { name: user.display_name });
    find("[data-login-continue]").href = destination(user);
    find("[data-login-current]").hidden = false;
  } catch {
    // Not knowing who is signed in changes nothing: the form still works.
  }
}

async function main() {
  await initI18n();
  initLanguageSwitch();
  const form = find("[data-login-form]");
  form.addEventListener("submit", submit);
  find("[data-password-toggle]").addEventListener("change", (event) => {
    form.elements.password.type = event.target.checked ? "text" : "password";
  });
  markReady();
  await showCurrentUser();
}

main();
