"""A guard's phone: a case the control room dispatches appears with the
operator's instruction and the distance from here; the guard's note and
closing reach the case's history."""

from __future__ import annotations

import uuid

from server.accounts import service as accounts
from server.accounts.models import Role
from server.extensions import db
from server.reports import service as reports
from server.reports.models import Report, ReportKind, ReportStatus
from tests.browser.conftest import axe_violations, log_in
from tests.conftest import PASSWORD

SCENE = (37.5894, 127.0167)
GUARD_AT = {"latitude": 37.5885, "longitude": 127.0167, "accuracy": 10}  # ~100 m south of the scene


def test_a_dispatched_case_reaches_the_guard_who_notes_and_closes_it(live_server, context, page):
    app = live_server.app
    with app.app_context():
        guard = accounts.create_user(display_name="김순찰", email="guard@example.kr", password=PASSWORD, role=Role.GUARD)
        operator = accounts.create_user(display_name="한관제", email="op@example.kr", password=PASSWORD, role=Role.OPERATOR)
        report = reports.submit({"kind": ReportKind.SUSPICIOUS_PERSON, "lat": SCENE[0], "lon": SCENE[1], "text": "골목에서 따라옴"}, idempotency_key=str(uuid.uuid4()), device=None, user=None).report
        report_id, guard_id, operator_id = report.id, guard.id, operator.id
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation(GUARD_AT)
    log_in(page, live_server.url, "guard@example.kr")
    page.wait_for_url("**/guard")
    page.wait_for_selector("[data-cases-empty]:visible")

    with app.app_context():
        reports.change_status(db.session.get(Report, report_id), ReportStatus.DISPATCHED, by=db.session.get(accounts.User, operator_id), note="정문 쪽으로", assignee=db.session.get(accounts.User, guard_id))
    page.reload()
    page.wait_for_selector(f'[data-case-id="{report_id}"]')
    case = page.locator(f'[data-case-id="{report_id}"]')
    text = case.inner_text()
    assert "수상한 사람" in text and "관제 지시: 정문 쪽으로" in text and "골목에서 따라옴" in text
    assert "여기서 북 100 m" in text
    assert case.locator("a[href^='geo:37.5894,127.0167']").count() == 1
    assert axe_violations(page) == []

    case.locator("textarea").fill("현장 도착, 주변 확인 중")
    case.get_by_role("button", name="기록 보내기").click()
    page.wait_for_selector(".case-status:has-text('관제센터에 기록을 보냈습니다')")
    case.locator("textarea").fill("이상 없음")
    case.locator("[data-case-resolve]").click()
    page.wait_for_selector("[data-cases-empty]:visible")
    with app.app_context():
        stored = db.session.get(Report, report_id)
        assert stored.status is ReportStatus.RESOLVED
        assert [(e.note, e.actor_user_id) for e in stored.events[-2:]] == [("현장 도착, 주변 확인 중", guard_id), ("이상 없음", guard_id)]
    assert page.js_errors == []
