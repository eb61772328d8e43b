"""The SOS journey in headless Chromium: a resident presses SOS without a
connection, the report waits in the outbox and goes out once when the
connection returns, an operator sees it live and acknowledges it, and the
resident sees that."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.reports.models import Report
from tests.browser.conftest import axe_violations, open_page

HERE = {"latitude": 37.5894, "longitude": 127.0167, "accuracy": 15}


def stored(live_server) -> int:  # type: ignore[no-untyped-def]
    with live_server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report))


def wait_for_stored(page, live_server, count: int, timeout_ms: int = 8_000) -> None:  # type: ignore[no-untyped-def]
    for _ in range(timeout_ms // 100):
        if stored(live_server) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"expected {count} stored report(s), found {stored(live_server)}")


@pytest.fixture
def resident(live_server, context, page):  # type: ignore[no-untyped-def]
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation(HERE)
    open_page(page, live_server.url + "/")
    return page


def test_sos_sent_offline_goes_out_once_and_the_operator_acknowledges_it(live_server, context, resident, operator_page):
    context.set_offline(True)
    resident.click("[data-sos]")
    resident.wait_for_selector("[data-sos-countdown]", state="visible")
    assert resident.get_attribute("[data-sos-call]", "href") == "tel:112"
    resident.click("[data-sos-send-now]")
    resident.wait_for_selector('[data-sos-state][data-state="queued"]')
    assert resident.text_content("[data-sos-state]").strip()
    assert stored(live_server) == 0
    # The SMS to 112 says where the resident is.
    assert resident.get_attribute("[data-sos-sms]", "href").startswith("sms:112?body=")
    assert "37.58940" in resident.get_attribute("[data-sos-sms]", "href")

    context.set_offline(False)
    resident.wait_for_selector('[data-sos-state][data-state="sent"]', timeout=8_000)
    assert stored(live_server) == 1
    with live_server.app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.kind.value == "sos" and abs(report.lat - HERE["latitude"]) < 1e-6
        report_id = report.id
    # The outbox is empty: nothing left to replay.
    assert resident.evaluate("async () => (await import('/static/js/outbox.js').then((m) => m.pending())).length") == 0

    row = f'[data-report-id="{report_id}"]'
    operator_page.wait_for_selector(row)
    assert operator_page.get_attribute(f"{row} [data-report-status]", "data-report-status") == "new"
    assert "live-alarm" in operator_page.get_attribute(row, "class")
    assert "SOS" in operator_page.text_content(row)
    operator_page.click(f"{row} [data-report-ack]")
    operator_page.wait_for_selector(f'{row} [data-report-status="acknowledged"]')

    resident.wait_for_selector('[data-sos-state][data-state="acknowledged"]', timeout=10_000)
    assert "관제센터" in resident.text_content("[data-sos-note]")
    assert stored(live_server) == 1
    assert resident.js_errors == [] and operator_page.js_errors == []


def test_an_sos_sent_while_the_console_is_open_appears_live_and_rings(live_server, resident, operator_page):
    operator_page.evaluate(
        """() => {
          window.beeps = 0;
          const start = OscillatorNode.prototype.start;
          OscillatorNode.prototype.start = function (...args) { window.beeps += 1; return start.apply(this, args); };
        }"""
    )
    operator_page.wait_for_selector("[data-live-empty]", state="visible")
    resident.click("[data-sos]")
    resident.click("[data-sos-send-now]")
    resident.wait_for_selector('[data-sos-state][data-state="sent"]')
    operator_page.wait_for_selector("[data-report-id].live-alarm")
    operator_page.wait_for_function("window.beeps > 0")
    assert operator_page.is_hidden("[data-live-empty]")
    assert axe_violations(operator_page) == [], "console live list with a row"


def test_cancel_during_the_countdown_sends_nothing(live_server, context, page):
    page.clock.install()
    open_page(page, live_server.url + "/")
    page.click("[data-sos]")
    page.wait_for_selector("[data-sos-countdown]", state="visible")
    assert page.text_content("[data-sos-countdown]").strip() == "5"
    page.clock.run_for(1_500)
    assert page.text_content("[data-sos-countdown]").strip() == "4"
    page.click("[data-sos-cancel]")
    page.wait_for_selector("[data-sos-dialog]", state="hidden")
    page.clock.run_for(10_000)
    assert page.evaluate("async () => (await import('/static/js/outbox.js').then((m) => m.pending())).length") == 0
    assert stored(live_server) == 0
    assert page.get_attribute("[data-sos-state]", "data-state") == "idle"


def test_countdown_runs_out_and_sends(live_server, resident):
    resident.clock.install()
    resident.reload()
    resident.wait_for_selector("html[data-ready]", state="attached")
    resident.click("[data-sos]")
    resident.clock.run_for(5_100)
    resident.clock.resume()
    resident.wait_for_selector('[data-sos-state][data-state="sent"]')
    assert stored(live_server) == 1


def test_sos_dialog_has_no_serious_accessibility_violations(live_server, resident):
    resident.click("[data-sos]")
    resident.wait_for_selector("[data-sos-countdown]", state="visible")
    assert axe_violations(resident) == [], "countdown"
    resident.click("[data-sos-cancel]")
    # After sending (offline → queued), with its state shown.
    resident.context.set_offline(True)
    resident.click("[data-sos]")
    resident.click("[data-sos-send-now]")
    resident.wait_for_selector('[data-sos-state][data-state="queued"]')
    assert axe_violations(resident) == [], "queued"
    resident.context.set_offline(False)
