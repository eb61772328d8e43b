"""Browser journeys: the app served on a real port, driven in Debian's
headless Chromium through Playwright (never a downloaded browser).

Skips with the reason when Chromium or Playwright is missing; .ci/run
installs Chromium.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import make_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    reason = None
    if sync_playwright is None:
        reason = "Playwright for Python is not installed (pip install -e '.[test]')"
    elif CHROMIUM is None:
        reason = "Chromium not found: install Debian's package (apt-get install chromium); .ci/run does"
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
            # The development server may leave a static file open when the
            # browser hangs up mid-download; that says nothing about the app.
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        pass


class LiveServer:
    def __init__(self, app):  # type: ignore[no-untyped-def]
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path)
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def playwright_instance():  # type: ignore[no-untyped-def]
    with sync_playwright() as playwright:
        yield playwright


def launch(playwright, profile, **options):  # type: ignore[no-untyped-def]
    """Debian's Chromium with a persistent profile (installability is never
    reported in incognito), quiet towards the internet."""
    return playwright.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **options)


@pytest.fixture
def context(playwright_instance, tmp_path):  # type: ignore[no-untyped-def]
    """A phone-sized browser."""
    context = launch(playwright_instance, tmp_path / "profile", viewport={"width": 390, "height": 844}, locale="en-US", service_workers="allow")
    yield context
    context.close()


@pytest.fixture
def page(context):  # type: ignore[no-untyped-def]
    page = context.pages[0] if context.pages else context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Serious and critical WCAG 2 A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_page(page, url: str):  # type: ignore[no-untyped-def]
    """Go to a page and wait until its texts are translated (catalogs load by fetch)."""
    response = page.goto(url)
    page.wait_for_selector("html[data-ready]", state="attached")
    return response


def log_in(page, base_url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the login page with the tests' password."""
    from tests.conftest import PASSWORD

    open_page(page, base_url + "/login")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click("[data-login-submit]")


@pytest.fixture
def operator_page(live_server, playwright_instance, tmp_path):  # type: ignore[no-untyped-def]
    """A second, desktop-sized browser, signed in as an operator, on the console."""
    from server.accounts import service
    from server.accounts.models import Role
    from tests.conftest import PASSWORD

    with live_server.app.app_context():
        service.create_user(display_name="한관제", email="live-op@example.kr", password=PASSWORD, role=Role.OPERATOR)
    context = launch(playwright_instance, tmp_path / "operator-profile", viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.pages[0] if context.pages else context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # type: ignore[attr-defined]
    log_in(page, live_server.url, "live-op@example.kr")
    page.wait_for_url("**/console")
    page.wait_for_selector("[data-user-name]:not(:empty)")
    yield page
    context.close()
