"""Journeys through the PWA shell in headless Chromium: language, service
worker, installability, offline, staff login, accessibility."""

from __future__ import annotations

import pytest

from server.accounts import service
from server.accounts.models import Role
from tests.browser.conftest import axe_violations, log_in, open_page
from tests.conftest import PASSWORD

SCREENS = ("map", "route", "report", "alerts", "me")


def wait_for_service_worker(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=10_000)


def test_resident_shell_renders_in_korean_and_english_persists(live_server, page):
    open_page(page, live_server.url + "/")
    assert page.get_attribute("html", "lang") == "ko"
    assert page.text_content("[data-app-title]").strip().startswith("안심")
    assert page.text_content('[data-nav="map"]').strip() == "지도"
    assert "SOS" in page.text_content("[data-sos]")

    page.click("[data-lang-switch]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.text_content('[data-nav="map"]').strip() == "Map"

    page.reload()
    page.wait_for_selector("html[data-ready]", state="attached")
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content('[data-nav="map"]').strip() == "Map"
    assert page.js_errors == []


def test_bottom_navigation_switches_screens_and_sos_offers_112(live_server, page):
    open_page(page, live_server.url + "/")
    for screen in SCREENS:
        page.click(f'[data-nav="{screen}"]')
        page.wait_for_selector(f'[data-screen="{screen}"]', state="visible")
        assert page.get_attribute(f'[data-nav="{screen}"]', "aria-current") == "page"
        assert page.is_visible("[data-sos]"), f"SOS must be reachable on {screen}"
        hidden = [s for s in SCREENS if s != screen and page.is_visible(f'[data-screen="{s}"]')]
        assert hidden == []
    page.click("[data-sos]")
    page.wait_for_selector("[data-sos-dialog]", state="visible")
    assert page.get_attribute("[data-sos-call]", "href") == "tel:112"


def test_service_worker_installability_and_offline_shell(live_server, context, page):
    open_page(page, live_server.url + "/")
    wait_for_service_worker(page)
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []

    context.set_offline(True)
    response = page.reload()
    page.wait_for_selector("html[data-ready]", state="attached")
    assert response.from_service_worker
    assert page.text_content("[data-app-title]").strip().startswith("안심")
    assert page.is_visible("[data-sos]")
    page.wait_for_timeout(300)
    # A page that was never cached falls back to the offline page.
    page.goto(live_server.url + "/some/deep/link")
    assert "112" in page.content()
    context.set_offline(False)


def test_operator_logs_in_at_console_and_out_again(live_server, page):
    with live_server.app.app_context():
        service.create_user(display_name="한관제", email="han@example.kr", password=PASSWORD, role=Role.OPERATOR)
    open_page(page, live_server.url + "/console")
    page.wait_for_url("**/login?next=/console")
    page.fill('input[name="login"]', "han@example.kr")
    page.fill('input[name="password"]', "wrong password!")
    page.click("[data-login-submit]")
    page.wait_for_selector("[data-login-error]:not(:empty)")
    assert page.is_visible("[data-login-error]")

    page.fill('input[name="password"]', PASSWORD)
    page.click("[data-login-submit]")
    page.wait_for_url("**/console")
    page.wait_for_function("(document.querySelector('[data-user-name]')?.textContent || '').includes('한관제')")

    page.click("[data-logout]")
    page.wait_for_url("**/login**")
    open_page(page, live_server.url + "/console")
    page.wait_for_url("**/login?next=/console")
    assert page.js_errors == []


def _login(live_server, page, role: Role, email: str) -> None:  # type: ignore[no-untyped-def]
    with live_server.app.app_context():
        service.create_user(display_name=f"{role.value} 이름", email=email, password=PASSWORD, role=role)
    log_in(page, live_server.url, email)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_shell_screens_have_no_serious_accessibility_violations(live_server, page, lang):
    page.goto(live_server.url + "/offline.html")
    assert axe_violations(page) == []
    open_page(page, live_server.url + "/")
    page.evaluate(f"localStorage.setItem('ansim.lang', '{lang}')")
    page.reload()  # the stored language applies on the next load
    page.wait_for_selector(f'html[lang="{lang}"][data-ready]', state="attached")
    for screen in SCREENS:
        page.evaluate(f"location.hash = '#/{screen}'")
        page.wait_for_selector(f'[data-screen="{screen}"]', state="visible")
        assert page.get_attribute("html", "lang") == lang
        assert axe_violations(page) == [], screen
    page.click("[data-sos]")
    page.wait_for_selector("[data-sos-dialog]", state="visible")
    assert axe_violations(page) == [], "SOS dialog"

    open_page(page, live_server.url + "/login")
    assert axe_violations(page) == [], "login"
    _login(live_server, page, Role.OPERATOR, "a11y-op@example.kr")
    page.wait_for_url("**/console")
    page.wait_for_selector("[data-user-name]:not(:empty)")
    assert axe_violations(page) == [], "console"

    page.click("[data-logout]")
    page.wait_for_url("**/login**")
    _login(live_server, page, Role.GUARD, "a11y-guard@example.kr")
    page.wait_for_url("**/guard")
    page.wait_for_selector("[data-user-name]:not(:empty)")
    assert axe_violations(page) == [], "guard"
