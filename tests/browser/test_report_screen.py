"""The report journeys in headless Chromium: a resident reports a suspicious
person with a photo and follows it to "acknowledged"; a report made offline
waits in the outbox with its photo and goes out once; a crime warning post
needs no location; a broken bell is reported from its sheet on the map."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.accounts import service as accounts
from server.accounts.models import Role
from server.extensions import db
from server.reports import service as reports
from server.reports.models import Report, ReportPhoto, ReportStatus
from tests.browser.conftest import axe_violations, open_page
from tests.browser.test_map import (  # noqa: F401 - the fixture applies here too
    _let_the_service_worker_settle,
    add_neighbourhood,
    at_home,
    open_map,
    wait_for_nearest,
)
from tests.browser.test_shell import wait_for_service_worker
from tests.browser.test_sos import stored, wait_for_stored
from tests.conftest import PASSWORD

PENDING = "async () => (await import('/static/js/outbox.js').then((m) => m.pending())).length"


def png(colour: str = "#3366cc", size: tuple[int, int] = (64, 48)) -> dict:
    """A small real PNG, as the file chooser hands it over."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return {"name": "골목.png", "mimeType": "image/png", "buffer": out.getvalue()}


def photos_stored(live_server) -> int:  # type: ignore[no-untyped-def]
    with live_server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(ReportPhoto))


def open_report(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Load the app afresh on the report screen (a goto that changes only the
    fragment of the address would not load the page again)."""
    page.goto("about:blank")
    open_page(page, url + "/#/report")
    page.wait_for_selector('[data-screen="report"]', state="visible")
    page.wait_for_selector("[data-my-reports][data-loaded]", state="attached")


def pick(page, kind: str) -> None:  # type: ignore[no-untyped-def]
    """Tap a kind tile, as a resident would (the radio inside is visually hidden)."""
    page.locator(".kind-tile", has=page.locator(f'input[value="{kind}"]')).click()
    assert page.is_checked(f'[data-report-kind][value="{kind}"]')


def wait_until_located(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("[data-report-location-value]:not([hidden])")


def my_report(page, report_id: int, state: str) -> str:  # type: ignore[no-untyped-def]
    selector = f'[data-my-report][data-report-id="{report_id}"][data-state="{state}"]'
    page.wait_for_selector(selector, timeout=10_000)
    return selector


def test_a_report_with_a_photo_is_stored_and_followed_until_acknowledged(live_server, context, page):
    at_home(context, live_server)
    open_report(page, live_server.url)
    assert page.is_visible("[data-my-reports-empty]")
    pick(page, "suspicious_person")
    assert page.is_hidden("[data-report-url-field]")
    text = "검은 옷을 입은 사람이 골목에서 30분째 서성이고 있습니다."
    page.fill("[data-report-text]", text)
    assert page.text_content("[data-report-text-count]") == f"{len(text)}/2000자"
    page.set_input_files("[data-report-photo]", png())
    page.wait_for_selector("[data-report-photo-preview]", state="visible")
    assert page.evaluate("document.querySelector('[data-report-photo-image]').naturalWidth") == 64
    # The resident sees where the report will say they are.
    wait_until_located(page)
    assert "37.58940" in page.text_content("[data-report-location-value]")
    assert "15 m" in page.text_content("[data-report-location-value]")

    page.click("[data-report-submit]")
    page.wait_for_selector('[data-report-result][data-state="sent"]')
    assert "접수" in page.text_content("[data-report-result]")
    with live_server.app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.kind.value == "suspicious_person" and report.text == text
        assert abs(report.lat - 37.5894) < 1e-6 and report.accuracy_m == 15
        assert [(p.width, p.height, p.content_type) for p in report.photos] == [(64, 48, "image/png")]
        report_id = report.id
    # The form is ready for the next report; the list shows this one.
    assert not page.is_checked('[data-report-kind][value="suspicious_person"]')
    assert page.is_hidden("[data-report-photo-preview]")
    row = my_report(page, report_id, "sent")
    assert "수상한 사람" in page.text_content(row)
    assert "사진 1장" in page.text_content(f"{row} [data-my-report-photo]")

    # The control room takes it up and leaves a note for the reporter.
    with live_server.app.app_context():
        operator = accounts.create_user(
            display_name="한관제",
            email="report-op@example.kr",
            password=PASSWORD,
            role=Role.OPERATOR,
        )
        reports.change_status(
            reports.get(report_id),
            ReportStatus.ACKNOWLEDGED,
            by=operator,
            public_note="순찰 중인 경찰관에게 전달했습니다.",
        )
    page.click("[data-my-reports-refresh]")
    row = my_report(page, report_id, "acknowledged")
    assert page.text_content(f"{row} [data-my-report-state]") == "확인함"
    assert "순찰 중인 경찰관에게 전달했습니다." in page.text_content(f"{row} [data-my-report-note]")
    assert page.js_errors == []


def test_a_report_made_offline_waits_with_its_photo_and_goes_out_once(live_server, context, page):
    at_home(context, live_server)
    open_report(page, live_server.url)
    wait_for_service_worker(page)
    wait_until_located(page)
    context.set_offline(True)
    pick(page, "dark_street")
    page.fill("[data-report-text]", "가로등이 모두 꺼져 있어요")
    page.set_input_files("[data-report-photo]", png("#111111"))
    page.click("[data-report-submit]")
    page.wait_for_selector('[data-report-result][data-state="queued"]')
    assert "보관" in page.text_content("[data-report-result]")
    queued = '[data-my-report][data-state="queued"][data-kind="dark_street"]'
    page.wait_for_selector(queued)
    assert page.text_content(f"{queued} [data-my-report-photo]") == "사진 전송 대기 중"
    assert stored(live_server) == 0 and photos_stored(live_server) == 0
    assert page.evaluate(PENDING) == 1

    # The phone closes the app; offline, it opens from the service worker and
    # the report and its photo are still waiting on the phone.
    assert page.reload().from_service_worker
    page.wait_for_selector("html[data-ready]", state="attached")
    page.wait_for_selector(queued)
    assert page.evaluate(PENDING) == 1

    context.set_offline(False)
    wait_for_stored(page, live_server, 1)
    for _ in range(80):
        if photos_stored(live_server) and page.evaluate(PENDING) == 0:
            break
        page.wait_for_timeout(100)
    with live_server.app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.kind.value == "dark_street" and report.text == "가로등이 모두 꺼져 있어요"
        assert len(report.photos) == 1
        report_id = report.id
    row = my_report(page, report_id, "sent")
    page.wait_for_function(
        "s => document.querySelector(s)?.textContent === '사진 1장'",
        arg=f"{row} [data-my-report-photo]",
    )
    assert page.locator('[data-my-report][data-state="queued"]').count() == 0

    # Replaying again (another "online", a reload) sends nothing more.
    page.evaluate("() => import('/static/js/outbox.js').then((m) => m.flush())")
    open_report(page, live_server.url)
    my_report(page, report_id, "sent")
    assert stored(live_server) == 1 and photos_stored(live_server) == 1
    assert page.js_errors == []


def test_a_crime_warning_post_needs_an_address_not_a_location(live_server, context, page):
    # No location permission, and none saved: the phone's position is unknown.
    open_report(page, live_server.url)
    for kind in (
        "suspicious_person",
        "weapon_seen",
        "assault",
        "facility_fault",
        "dark_street",
        "other",
    ):
        pick(page, kind)
        assert page.is_hidden("[data-report-url-field]"), kind
    pick(page, "crime_warning_post")
    assert page.is_visible("[data-report-url-field]")
    assert page.text_content("[data-report-location-state]") == "이 신고에는 위치를 보내지 않습니다."
    assert page.is_visible("[data-report-location-include]")

    # Neither an address nor a description: the resident is told what is missing.
    page.click("[data-report-submit]")
    page.wait_for_selector("[data-report-error]:not(:empty)")
    assert page.get_attribute("[data-report-url]", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.matches('[data-report-url]')")

    page.fill("[data-report-url]", "cafe.example.com/board/1234")
    page.set_input_files("[data-report-photo]", png("#ffffff"))
    page.click("[data-report-submit]")
    page.wait_for_selector('[data-report-result][data-state="sent"]')
    with live_server.app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.kind.value == "crime_warning_post"
        assert report.url == "https://cafe.example.com/board/1234"
        assert report.lat is None and report.lon is None
        assert len(report.photos) == 1
    assert page.is_hidden("[data-report-url-field]")  # the form starts afresh
    assert page.js_errors == []


def test_other_kinds_need_a_location(live_server, context, page):
    open_report(page, live_server.url)
    pick(page, "other")
    page.fill("[data-report-text]", "위치 없이 보내 봅니다")
    assert page.is_visible("[data-report-locate]")
    page.click("[data-report-submit]")
    page.wait_for_selector("[data-report-error]:not(:empty)", timeout=15_000)
    assert "위치" in page.text_content("[data-report-error]")
    assert stored(live_server) == 0


def test_a_photo_too_large_or_not_an_image_is_refused_clearly(live_server, context, page):
    at_home(context, live_server)
    open_report(page, live_server.url)
    assert "8 MB" in page.text_content("[data-report-photo-help]")  # the server's default

    # A server that announces a smaller limit is believed.
    def smaller_limit(route):  # type: ignore[no-untyped-def]
        config = route.fetch().json()
        route.fulfill(json={**config, "limits": {"max_photo_bytes": 100 * 1024}})

    context.route("**/api/v1/config", smaller_limit)
    open_report(page, live_server.url)
    page.wait_for_function("document.querySelector('[data-report-photo-help]').textContent.includes('100 KB')")
    big = {"name": "big.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * 300_000}
    page.set_input_files("[data-report-photo]", big)
    page.wait_for_selector("[data-report-photo-error]:not(:empty)")
    assert page.text_content("[data-report-photo-error]") == ("사진이 너무 큽니다(293 KB). 100 KB 이하인 사진을 골라 주세요.")
    assert page.get_attribute("[data-report-photo]", "aria-invalid") == "true"
    assert page.is_hidden("[data-report-photo-preview]")
    assert page.evaluate("document.querySelector('[data-report-photo]').files.length") == 0

    # Says it is a PNG but is not one: the report is stored, the photo refused (415) and not retried.
    wait_until_located(page)
    pick(page, "other")
    fake = {
        "name": "fake.png",
        "mimeType": "image/png",
        "buffer": b"not an image at all",
    }
    page.set_input_files("[data-report-photo]", fake)
    page.click("[data-report-submit]")
    page.wait_for_selector('[data-report-result][data-state="sent"][data-photo="failed"]')
    assert "사진은 보내지 못했습니다" in page.text_content("[data-report-result]")
    assert stored(live_server) == 1 and photos_stored(live_server) == 0
    assert page.evaluate(PENDING) == 0
    failed = page.evaluate("() => import('/static/js/outbox.js').then((m) => m.failures())")
    assert [(entry["stage"], entry["status"]) for entry in failed] == [("photo", 415)]
    page.wait_for_selector('[data-my-report] [data-my-report-photo][data-photo="failed"]')
    assert page.js_errors == [], page.js_errors


def test_a_broken_bell_is_reported_from_its_sheet_on_the_map(live_server, context, page):
    ids = add_neighbourhood(live_server.app)
    at_home(context, live_server)
    open_map(page, live_server.url + "/")

    # A safe house cannot be reported broken; a bell can.
    page.wait_for_selector('[data-nearest-other="safe_house"]:not([hidden])')
    page.click('[data-nearest-other="safe_house"]')
    page.wait_for_selector("[data-facility-sheet]", state="visible")
    assert page.is_hidden("[data-facility-report]")
    page.keyboard.press("Escape")
    wait_for_nearest(page, "공원 입구")
    page.click("[data-nearest-bell]")
    page.wait_for_selector("[data-facility-sheet] dd")
    assert page.text_content("[data-facility-report]") == "고장 신고"
    page.click("[data-facility-report]")

    page.wait_for_selector('[data-screen="report"]', state="visible")
    assert page.is_hidden("[data-facility-sheet]")
    assert page.is_checked('[data-report-kind][value="facility_fault"]')
    chosen = f'[data-report-facilities] input[value="{ids["bell_east"]}"]'
    page.wait_for_selector(chosen)
    assert page.is_checked(chosen)
    assert "공원 입구" in page.text_content(f'.facility-choice[data-facility-id="{ids["bell_east"]}"]')
    # The nearest camera and light are offered too; the safe house and police box are not.
    for kind in ("cctv", "light"):
        page.wait_for_selector(f'[data-report-facilities] input[value="{ids[kind]}"]')
    for kind in ("safe_house", "police"):
        assert page.locator(f'[data-report-facilities] input[value="{ids[kind]}"]').count() == 0
    assert page.is_hidden("[data-report-url-field]")

    page.fill("[data-report-text]", "눌러도 연결되지 않아요")
    page.click("[data-report-submit]")
    page.wait_for_selector('[data-report-result][data-state="sent"]')
    with live_server.app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.kind.value == "facility_fault" and report.facility_id == ids["bell_east"]
    assert page.js_errors == []


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_report_screen_has_no_serious_accessibility_violations(live_server, context, page, lang):
    add_neighbourhood(live_server.app)
    at_home(context, live_server)
    open_page(page, live_server.url + "/")
    page.evaluate(f"localStorage.setItem('ansim.lang', '{lang}')")
    open_report(page, live_server.url)
    assert page.get_attribute("html", "lang") == lang
    wait_until_located(page)
    assert axe_violations(page) == [], "empty form"

    pick(page, "facility_fault")
    page.wait_for_selector("[data-report-facilities] input")
    page.set_input_files("[data-report-photo]", png())
    page.wait_for_selector("[data-report-photo-preview]", state="visible")
    page.click("[data-report-submit]")
    page.wait_for_selector("[data-report-error]:not(:empty)")
    assert axe_violations(page) == [], "fault form with a photo and an error"

    page.check("[data-report-facilities] input >> nth=0")
    page.click("[data-report-submit]")
    page.wait_for_selector('[data-report-result][data-state="sent"]')
    page.wait_for_selector("[data-my-report]")
    pick(page, "crime_warning_post")
    assert axe_violations(page) == [], "crime warning post, with my reports"
    assert page.js_errors == []
