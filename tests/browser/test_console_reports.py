"""The console's Reports section in headless Chromium, as an operator at a
desktop uses it: the list with its filters, map and live updates, and one
report's page with its nearest cameras, history and case actions."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from typing import TYPE_CHECKING

import pytest
from PIL import Image
from sqlalchemy import select

from server import geo
from server.accounts import service as accounts
from server.accounts.models import Role, User
from server.extensions import db
from server.facilities.areas import import_areas
from server.facilities.models import FacilityKind
from server.reports import photos
from server.reports import service as reports
from server.reports.models import Report, ReportEvent, ReportKind, ReportStatus
from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD, add_facilities, new_device_key
from tests.facilities.test_areas import write_areas

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page

# Inside the test 성북구 and 돈암1동 (tests.facilities.test_areas).
HERE = (37.5894, 127.0167)


def _at(bearing: float, metres: float) -> dict[str, float]:
    lat, lon = geo.destination(*HERE, bearing, metres)
    return {"lat": lat, "lon": lon}


def submit(
    app: Flask,
    kind: str = "sos",
    where: tuple[float, float] | None = HERE,
    **values: object,
) -> int:
    """A report from a resident's phone, stored as the API would store it."""
    with app.app_context():
        device = accounts.identify_device(new_device_key())
        position = {"lat": where[0], "lon": where[1]} if where else {}
        result = reports.submit(
            {"kind": ReportKind(kind), **position, **values},
            idempotency_key=str(uuid.uuid4()),
            device=device,
            user=None,
        )
        return result.report.id


def move(app: Flask, report_id: int, to: ReportStatus, note: str | None = None) -> None:
    """Another operator moves the case along."""
    with app.app_context():
        other = db.session.scalar(select(User).where(User.email == "other-op@example.kr"))
        if other is None:
            other = accounts.create_user(
                display_name="박관제",
                email="other-op@example.kr",
                password=PASSWORD,
                role=Role.OPERATOR,
            )
        reports.change_status(reports.get(report_id), to, by=other, note=note)


def stored(app: Flask, report_id: int) -> tuple[Report, list[ReportEvent]]:
    with app.app_context():
        report = db.session.get(Report, report_id)
        events = list(report.events)
        db.session.expunge_all()
        return report, events


@pytest.fixture
def console(operator_page: Page) -> Page:
    """A desktop browser signed in to the console as an operator (한관제)."""
    return operator_page


def go(page: Page, hash_: str) -> None:
    page.evaluate("hash => { location.hash = hash; }", hash_)


def open_report(page: Page, report_id: int) -> None:
    go(page, f"#/reports/{report_id}")
    page.wait_for_selector(f'[data-report-view][data-report-loaded="{report_id}"]')


def listed(page: Page) -> list[int]:
    return [int(i) for i in page.eval_on_selector_all("[data-reports-rows] tr", "rows => rows.map((r) => r.dataset.reportId)")]


def wait_for_list(page: Page, ids: list[int]) -> None:
    page.wait_for_function(
        "ids => JSON.stringify([...document.querySelectorAll('[data-reports-rows] tr')].map((r) => Number(r.dataset.reportId)).sort()) === JSON.stringify(ids)",
        arg=sorted(ids),
    )


def offered(page: Page) -> set[str]:
    return set(
        page.eval_on_selector_all(
            "[data-report-action-buttons] [data-action]",
            "buttons => buttons.map((b) => b.dataset.action)",
        )
    )


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_the_report_page_shows_the_nearest_cameras_the_link_the_photo_and_the_history(live_server, console):
    app = live_server.app
    with app.app_context():
        add_facilities(
            {
                "kind": FacilityKind.CCTV,
                "road_address": "서울 성북구 보문로 168",
                "attributes": {
                    "management_number": "SB-0001",
                    "direction": "남측 골목",
                    "camera_count": 2,
                },
                **_at(45, 40),
            },
            {
                "kind": FacilityKind.CCTV,
                "lot_address": "성북구 삼선동 1",
                "attributes": {
                    "management_number": "SB-0002",
                    "direction": "북측 도로",
                },
                **_at(180, 90),
            },
            {
                "kind": FacilityKind.CCTV,
                "location": "공원 입구",
                "attributes": {
                    "management_number": "SB-0003",
                    "direction": "공원 방면",
                    "camera_count": 4,
                },
                **_at(270, 150),
            },
            {
                "kind": FacilityKind.CCTV,
                "attributes": {"management_number": "SB-0004"},
                **_at(0, 600),
            },
            {
                "kind": FacilityKind.BELL,
                "location": "버스정류장",
                "agency_phone": "02-2241-1234",
                "attributes": {"bell_number": "B-7"},
                **_at(90, 70),
            },
        )
    report_id = submit(
        app,
        "crime_warning_post",
        text="내일 밤 성북천에서 아무나 찌르겠다는 글",
        url="https://evil.example.com/board/1?x=<script>",
        accuracy_m=25,
        client_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10),
    )
    with app.app_context():
        photos.attach(reports.get(report_id), png(), device=None, user=None, staff=True)

    open_report(console, report_id)
    assert console.text_content("[data-report-title]").strip() == f"범죄예고글 #{report_id}"
    # The three nearest cameras, nearest first, each with its number, address and view, and the way from the report.
    cameras = console.locator("[data-report-cctv] li")
    assert cameras.count() == 3
    first = cameras.nth(0).text_content()
    assert "관리번호 SB-0001" in first and "서울 성북구 보문로 168" in first and "촬영 방면: 남측 골목" in first and "카메라 2대" in first
    assert re.search(r"북동 4\d m", first), first
    assert "SB-0002" in cameras.nth(1).text_content() and "남 9" in cameras.nth(1).text_content()
    assert "SB-0003" in cameras.nth(2).text_content() and "공원 방면" in cameras.nth(2).text_content()
    assert "SB-0004" not in console.text_content("[data-report-cctv]")
    bell = console.text_content("[data-report-bells]")
    assert "관리번호 B-7" in bell and "02-2241-1234" in bell
    # On the map: the report, its accuracy, three cameras and the bell.
    assert console.locator("[data-report-map] .report-marker").count() == 1
    assert console.locator("[data-report-map] .near-marker").count() == 4

    # The phone made it ten minutes before it arrived: the page says so.
    assert "10분 늦게 도착" in console.text_content('[data-fact="client_time"]')
    assert "익명 기기 #" in console.text_content('[data-fact="reporter"]')
    assert "±25 m" in console.text_content('[data-fact="position"]')
    assert console.text_content("[data-report-text]") == "내일 밤 성북천에서 아무나 찌르겠다는 글"
    # The reported link: in full, marked as external, no referrer, no follow.
    link = console.locator("[data-report-url]")
    assert link.text_content() == "https://evil.example.com/board/1?x=<script>"
    assert set(link.get_attribute("rel").split()) == {
        "noopener",
        "noreferrer",
        "nofollow",
    }
    assert link.get_attribute("target") == "_blank"
    assert "외부 링크" in console.text_content("[data-report-url-box]") and "evil.example.com" in console.text_content("[data-report-url-box]")

    # The photo: a thumbnail that opens full size.
    thumb = console.locator("[data-report-photos] a img")
    thumb.wait_for()
    console.wait_for_function("() => document.querySelector('[data-report-photos] img').naturalWidth === 64")
    thumb.click()
    console.wait_for_selector("[data-photo-dialog][open]")
    console.wait_for_function("() => document.querySelector('[data-photo-full]').naturalWidth === 64")
    assert axe_violations(console) == [], "photo dialog"
    console.click("[data-photo-dialog] [data-dialog-close]")

    (row,) = console.locator("[data-report-history] tr").all()
    assert "신고자" in row.text_content() and "접수" in row.text_content()
    assert axe_violations(console) == [], "report page"
    assert console.js_errors == []


def test_acknowledge_with_a_note_then_dispatch_to_a_guard(live_server, console):
    app = live_server.app
    with app.app_context():
        team = accounts.create_organisation("성북 안심스카우트")
        guard = accounts.create_user(
            display_name="김지킴",
            email="guard@example.kr",
            password=PASSWORD,
            role=Role.GUARD,
            organisation_id=team.id,
        )
        guard_id = guard.id
    report_id = submit(app, "sos")
    open_report(console, report_id)
    assert offered(console) == {
        "acknowledge",
        "dispatch",
        "resolve",
        "false_alarm",
        "merge",
    }

    console.click('[data-action="acknowledge"]')
    form = console.locator("[data-report-action-form]")
    assert "관제센터가 신고를 확인했습니다" in form.locator('textarea[name="public_note"]').input_value()
    form.locator('textarea[name="note"]').fill("CCTV SB-0001로 현장 확인 중")
    form.locator("[data-action-submit]").click()
    console.wait_for_selector('[data-fact="status"] [data-status="acknowledged"]')
    history = console.locator("[data-report-history] tr")
    assert history.count() == 2
    assert "CCTV SB-0001로 현장 확인 중" in history.nth(1).text_content()
    assert "한관제 (관제요원)" in history.nth(1).text_content()
    assert "확인 처리했습니다" in console.text_content("[data-report-announce]")
    assert offered(console) == {"dispatch", "resolve", "false_alarm", "merge"}

    console.click('[data-action="dispatch"]')
    console.wait_for_selector(f'select[name="assignee"] option[value="{guard_id}"]', state="attached")
    console.select_option('select[name="assignee"]', str(guard_id))
    form.locator('textarea[name="note"]').fill("정문 쪽으로")
    form.locator("[data-action-submit]").click()
    console.wait_for_selector('[data-fact="status"] [data-status="dispatched"]')
    assert console.text_content('[data-fact="assignee"]') == "김지킴 · 성북 안심스카우트"
    assert "담당: 김지킴" in history.nth(2).text_content()

    report, events = stored(app, report_id)
    assert (report.status, report.assignee_id) == (ReportStatus.DISPATCHED, guard_id)
    assert report.public_note.startswith("안전지킴이가 출동했습니다")
    assert [(e.to_status, e.note) for e in events[1:]] == [
        (ReportStatus.ACKNOWLEDGED, "CCTV SB-0001로 현장 확인 중"),
        (ReportStatus.DISPATCHED, "정문 쪽으로"),
    ]
    assert console.js_errors == []


def test_only_possible_moves_are_offered_and_a_conflict_is_explained(live_server, console):
    app = live_server.app
    first, second = submit(app, "assault"), submit(app, "assault")
    move(app, first, ReportStatus.DISPATCHED)
    open_report(console, first)
    assert offered(console) == {"redispatch", "resolve", "false_alarm", "merge"}
    move(app, first, ReportStatus.RESOLVED)
    # The stream brings the change: the page follows it, and only reopening is left.
    console.wait_for_selector('[data-fact="status"] [data-status="resolved"]')
    assert offered(console) == {"reopen"}

    # A page that missed the change (no stream) is told plainly when the server refuses.
    console.route("**/api/v1/reports/stream", lambda route: route.abort())
    console.reload()
    open_report(console, second)
    console.click('[data-action="acknowledge"]')
    move(app, second, ReportStatus.DISPATCHED)
    console.click("[data-action-submit]")
    console.wait_for_selector("[data-action-error]:not(:empty)")
    assert "그사이 신고 상태가 바뀌어" in console.text_content("[data-action-error]")
    console.wait_for_selector('[data-fact="status"] [data-status="dispatched"]')
    assert offered(console) == {"redispatch", "resolve", "false_alarm", "merge"}
    assert stored(app, second)[0].status is ReportStatus.DISPATCHED

    # Merging into the other report.
    console.click('[data-action="merge"]')
    console.fill('input[name="into"]', str(first))
    console.click("[data-action-submit]")
    console.wait_for_selector('[data-fact="status"] [data-status="duplicate"]')
    assert console.get_attribute('[data-fact="merged_into"] a', "href") == f"#/reports/{first}"
    assert stored(app, second)[0].merged_into_id == first
    assert console.js_errors == []


def test_filters_change_the_rows_and_survive_a_reload(live_server, console, tmp_path):
    app = live_server.app
    with app.app_context():
        for path in write_areas(tmp_path):
            import_areas(path)
    sos = submit(app, "sos")
    suspicious = submit(app, "suspicious_person", text="골목에서 따라옴")
    old_sos = submit(app, "sos", where=(37.5894, 126.97))  # in 종로구
    move(app, old_sos, ReportStatus.RESOLVED)

    go(console, "#/reports")
    wait_for_list(console, [sos, suspicious, old_sos])
    assert console.locator("[data-reports-map] .report-marker").count() == 3
    assert console.locator("[data-reports-map] .report-marker-sos").count() == 2
    row = console.locator(f'tr[data-report-id="{suspicious}"]')
    assert "돈암1동" in row.text_content() and "골목에서 따라옴" in row.text_content()

    console.check('input[name="status"][value="new"]')
    wait_for_list(console, [sos, suspicious])
    console.check('input[name="kind"][value="sos"]')
    wait_for_list(console, [sos])
    assert re.search(r"#/reports\?status=new&kind=sos$", console.url)

    console.reload()
    console.wait_for_selector("html[data-ready]", state="attached")
    wait_for_list(console, [sos])
    assert console.is_checked('input[name="status"][value="new"]') and console.is_checked('input[name="kind"][value="sos"]')
    assert not console.is_checked('input[name="status"][value="resolved"]')

    # By area: the 구 of the old SOS, then a time window that leaves nothing.
    console.click("[data-report-filters-reset]")
    wait_for_list(console, [sos, suspicious, old_sos])
    console.select_option('select[name="area"]', "11110")
    wait_for_list(console, [old_sos])
    console.select_option('select[name="area"]', "1129061000")
    wait_for_list(console, [sos, suspicious])
    console.select_option('select[name="window"]', "custom")
    console.fill('input[name="until"]', "2020-01-01T00:00")
    console.dispatch_event('input[name="until"]', "change")
    wait_for_list(console, [])
    assert console.is_visible("[data-reports-empty]")
    assert "area=1129061000&window=custom&until=2020-01-01T00:00" in console.url.replace("%3A", ":")
    assert console.js_errors == []


def test_the_list_pages_through_many_reports(live_server, console):
    app = live_server.app
    ids = [submit(app, "dark_street") for _ in range(27)]
    go(console, "#/reports")
    console.wait_for_selector("[data-reports-rows] tr")
    assert len(listed(console)) == 25
    assert "27건" in console.text_content("[data-reports-count]") and "1/2쪽" in console.text_content("[data-reports-count]")
    console.click("[data-page-next]")
    console.wait_for_function("document.querySelectorAll('[data-reports-rows] tr').length === 2")
    assert set(listed(console)) == set(ids[:2])  # newest first: the two oldest are on page 2
    assert console.url.endswith("#/reports?page=2")
    assert console.is_disabled("[data-page-next]") and not console.is_disabled("[data-page-prev]")


def test_a_report_arriving_on_the_stream_joins_the_list_when_it_matches(live_server, console):
    app = live_server.app
    go(console, "#/reports?kind=sos")
    console.wait_for_selector("[data-reports-empty]", state="visible")
    console.wait_for_selector('[data-screen="reports"][data-stream="open"]', state="attached")
    console.wait_for_selector(".reports-table:not([aria-busy])", state="attached")
    submit(app, "dark_street")
    sos = submit(app, "sos")
    console.wait_for_selector(f'tr[data-report-id="{sos}"]')
    assert "새 SOS" in console.text_content("[data-reports-announce]")
    assert listed(console) == [sos]
    # A change is shown in place.
    move(app, sos, ReportStatus.ACKNOWLEDGED)
    console.wait_for_selector(f'tr[data-report-id="{sos}"] [data-status="acknowledged"]')
    assert console.locator("[data-reports-map] .report-marker-sos").count() == 1
    assert console.js_errors == []


def test_from_the_live_list_to_the_report_and_on_to_a_warning_draft(live_server, console):
    app = live_server.app
    report_id = submit(app, "weapon_seen", text="칼을 든 남자")
    go(console, "#/live")
    console.click(f'[data-report-id="{report_id}"] [data-report-open]')
    console.wait_for_selector(f'[data-report-view][data-report-loaded="{report_id}"]')
    assert console.url.endswith(f"#/reports/{report_id}")
    assert console.evaluate("document.activeElement.matches('[data-report-title]')")

    console.click("[data-report-draft-warning]")
    console.wait_for_selector('[data-screen="warnings"]', state="visible")
    assert console.url.endswith(f"#/warnings/new?report={report_id}")
    assert console.get_attribute('[data-nav="warnings"]', "aria-current") == "page"

    # Back to the report, and from there back to the list it came from.
    console.go_back()
    console.wait_for_selector("[data-report-view]", state="visible")
    console.click("[data-report-back]")
    console.wait_for_selector(f'tr[data-report-id="{report_id}"]')
    assert console.evaluate(f"document.activeElement.closest('tr')?.dataset.reportId === '{report_id}'")
    assert console.js_errors == []


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_list_and_report_pages_have_no_serious_accessibility_violations(live_server, console, lang):
    app = live_server.app
    with app.app_context():
        add_facilities(
            {
                "kind": FacilityKind.CCTV,
                "attributes": {"management_number": "SB-1"},
                **_at(10, 30),
            },
            {"kind": FacilityKind.BELL, **_at(200, 50)},
        )
    report_id = submit(app, "sos", text="도와주세요")
    submit(app, "other", url="https://example.com/post")
    move(app, report_id, ReportStatus.ACKNOWLEDGED, note="확인")
    console.evaluate(f"localStorage.setItem('ansim.lang', '{lang}')")
    console.reload()
    console.wait_for_selector("html[data-ready]", state="attached")
    go(console, "#/reports?status=new,acknowledged")
    console.wait_for_selector(f'tr[data-report-id="{report_id}"]')
    assert axe_violations(console) == [], "reports list"
    open_report(console, report_id)
    console.click('[data-action="dispatch"]')
    assert axe_violations(console) == [], "report page with the dispatch form"
    assert console.js_errors == []
