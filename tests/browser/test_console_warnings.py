"""The console's Warnings section in headless Chromium, as an operator at a
desktop uses it: composing a warning on the map (a circle, a polygon, a 동),
seeing how many subscribers it reaches, sending it and watching its
deliveries go out, starting one from a report, the server's field errors,
two-person approval, and updating and cancelling a sent warning."""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from server import geo
from server.accounts import service as accounts
from server.accounts.models import Role
from server.alerts import service as alerts
from server.alerts import vapid
from server.alerts.models import Alert, AlertState, Delivery, MsgType
from server.alerts.worker import drain
from server.api.schemas.alerts import AlertWriteSchema
from server.extensions import db
from server.facilities.areas import import_areas
from tests.alerts.keys import BrowserKeys
from tests.browser.conftest import axe_violations
from tests.browser.test_console_reports import go, submit
from tests.conftest import PASSWORD, Actor
from tests.facilities.test_areas import write_areas
from tests.push_receiver import PushReceiver

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask import Flask
    from playwright.sync_api import Page

HERE = (37.5894, 127.0167)  # where the console's map opens; inside the test 성북구 and 돈암1동
DONAM = "1129061000"  # 돈암1동 in tests.facilities.test_areas


def _at(bearing: float, metres: float) -> tuple[float, float]:
    return geo.destination(*HERE, bearing, metres)


@pytest.fixture
def console(operator_page: Page) -> Iterator[Page]:
    """A desktop browser signed in to the console as an operator (한관제); no text it shows lacks a translation."""
    untranslated: list[str] = []
    operator_page.on("console", lambda message: untranslated.append(message.text) if message.text.startswith("i18n:") else None)
    yield operator_page
    assert untranslated == []


def subscribe(app: Flask, where: tuple[float, float], body: dict | None = None) -> None:
    """A resident's browser subscribes to warnings where it is, through the API."""
    body = body or BrowserKeys.new().subscription()
    response = Actor(app, device=True).post("/api/v1/push/subscriptions", json={**body, "here": {"lat": where[0], "lon": where[1]}})
    assert response.status_code == 201, response.get_json()


def send_queued(app: Flask) -> None:
    """The push sender drains the outbox (on a thread of its own: Playwright's loop runs on this one)."""
    sender = threading.Thread(target=drain, args=(app,), kwargs={"timeout": 30})
    sender.start()
    sender.join(40)
    assert not sender.is_alive()


def stored(app: Flask) -> list[Alert]:
    with app.app_context():
        found = list(db.session.scalars(select(Alert).order_by(Alert.id)))
        db.session.expunge_all()
        return found


def deliveries(app: Flask, alert_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.alert_id == alert_id))


def other_operator(app: Flask) -> Actor:
    return Actor(app, role=Role.OPERATOR)


def warning(**changes: object) -> dict:
    """A warning as the API takes it: 500 m around HERE for six hours."""
    return {
        "event": "Knife attack",
        "urgency": "immediate",
        "severity": "severe",
        "certainty": "observed",
        "headline_ko": "[안심] 흉기 난동 발생",
        "headline_en": "[Ansim] Knife attack reported",
        "area_desc_ko": "보문역 반경 500m",
        "area_desc_en": "Within 500 m of Bomun station",
        "areas": {"circles": [{"lat": HERE[0], "lon": HERE[1], "radius_m": 500}]},
        "expires": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=6)).isoformat(),
        **changes,
    }


def parsed(**changes: object) -> dict:
    """A warning as the service takes it (loaded as the API loads it)."""
    return AlertWriteSchema().load(warning(**changes))


def open_new(page: Page, query: str = "") -> None:
    go(page, f"#/warnings/new{query}")
    page.wait_for_selector('[data-warning-view][data-warning-loaded="new"]')
    page.wait_for_selector("[data-warning-map][data-map-ready]")


def open_warning(page: Page, alert_id: int) -> None:
    go(page, f"#/warnings/{alert_id}")
    page.wait_for_selector(f'[data-warning-view][data-warning-loaded="{alert_id}"]')


def write(page: Page, **values: str) -> None:
    """Type the message (Korean first) and what the area is called."""
    texts = {
        "headline_ko": "[안심] 보문역 인근 흉기 난동",
        "headline_en": "[Ansim] Knife attack near Bomun station",
        "event": "Knife attack",
        "area_desc_ko": "보문역 반경 500m",
        "area_desc_en": "Within 500 m of Bomun station",
        **values,
    }
    for name, text in texts.items():
        page.fill(f'[data-warning-form] [name="{name}"]', text)


def click_map(page: Page, dx: float = 0, dy: float = 0) -> None:
    """Click the compose map at its centre, moved by (dx, dy) pixels."""
    box = page.locator("[data-warning-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)


def reach(page: Page, n: int) -> None:
    page.wait_for_selector(f'[data-warning-reach][data-recipients="{n}"]')


def press(page: Page, action: str) -> None:
    page.click(f'[data-warning-action="{action}"]')


def row_counts(page: Page, alert_id: int) -> dict[str, int]:
    return page.eval_on_selector_all(
        f'tr[data-warning-id="{alert_id}"] [data-count]',
        "parts => Object.fromEntries(parts.map((p) => [p.dataset.count, Number(p.dataset.n)]))",
    )


def test_a_circle_reaches_the_subscribers_inside_it_is_sent_and_its_deliveries_go_out_live(live_server, console):
    app = live_server.app
    with app.app_context():
        key = vapid.public_key()
    with PushReceiver(key) as receiver:
        inside = [receiver.subscriber(), receiver.subscriber()]
        subscribe(app, HERE, inside[0].subscription())
        subscribe(app, _at(0, 250), inside[1].subscription())
        subscribe(app, _at(90, 3000), receiver.subscriber().subscription())  # 3 km east: not reached

        open_new(console)
        assert console.text_content("[data-warning-reach]").strip() == "지역을 정하면 이 경보를 받을 구독자 수가 나옵니다."
        write(console)
        console.click('[data-draw="circle"]')
        assert console.get_attribute('[data-draw="circle"]', "aria-pressed") == "true"
        click_map(console)
        # The circle is where the map was clicked (its centre: where the map opened), 500 m across by default.
        console.wait_for_selector('[data-area="circle"]')
        lat = float(console.input_value("[data-circle-lat]"))
        lon = float(console.input_value("[data-circle-lon]"))
        assert abs(lat - HERE[0]) < 1e-4 and abs(lon - HERE[1]) < 1e-4
        assert console.input_value("[data-circle-radius]") == "500"
        assert console.locator("[data-warning-map] path.warning-circle").count() == 1
        reach(console, 2)
        assert console.text_content("[data-warning-reach]").strip() == "이 경보를 받을 구독자: 2명"
        # The radius by number and by preset: 100 m leaves out the one 250 m away, 1 km takes it in again.
        console.fill("[data-circle-radius]", "100")
        reach(console, 1)
        console.click('[data-radius-preset="1000"]')
        reach(console, 2)
        assert console.input_value("[data-circle-radius]") == "1000"
        console.click('[data-radius-preset="500"]')

        press(console, "send")
        dialog = console.locator("[data-warning-confirm]")
        dialog.wait_for(state="visible")
        assert "이 경보를 받을 구독자: 2명" in dialog.text_content()
        assert "[안심] 보문역 인근 흉기 난동" in dialog.text_content()
        assert console.text_content("[data-confirm-ok]").strip() == "2명에게 보내기"
        console.click("[data-confirm-ok]")
        console.wait_for_selector('[data-warning-view][data-state="sent"]')

        (alert,) = stored(app)
        assert alert.state is AlertState.SENT and alert.msg_type is MsgType.ALERT
        assert alert.areas["circles"][0]["radius_m"] == 500
        assert alert.headline_ko == "[안심] 보문역 인근 흉기 난동" and alert.area_desc_en == "Within 500 m of Bomun station"
        assert deliveries(app, alert.id) == 2
        assert console.url.endswith(f"#/warnings/{alert.id}")
        assert "2명에게 보내는 중" in console.text_content("[data-warning-announce]")

        # The list shows it sent, with its pushes queued; they go out, and the counts follow.
        go(console, "#/warnings")
        console.wait_for_selector(f'tr[data-warning-id="{alert.id}"][data-state="sent"]')
        row = console.text_content(f'tr[data-warning-id="{alert.id}"]')
        assert "발령됨" in row and "[안심] 보문역 인근 흉기 난동" in row and "보문역 반경 500m" in row and "한관제" in row
        assert row_counts(console, alert.id) == {"queued": 2, "sent": 0, "failed": 0, "gone": 0}

        send_queued(app)
        assert len(receiver.accepted()) == 2
        console.wait_for_function(
            "id => document.querySelector(`tr[data-warning-id='${id}'] [data-count='sent']`)?.dataset.n === '2'",
            arg=alert.id,
            timeout=8_000,
        )
        assert row_counts(console, alert.id) == {"queued": 0, "sent": 2, "failed": 0, "gone": 0}
        assert "전송 2" in console.text_content(f'tr[data-warning-id="{alert.id}"]')
        assert receiver.errors == []
    assert console.js_errors == []


def test_a_draft_from_a_report_is_prefilled_and_links_back_to_it(live_server, console):
    app = live_server.app
    report_id = submit(app, "weapon_seen", where=_at(45, 300), text="칼을 든 남자가 골목에 있어요")

    go(console, f"#/reports/{report_id}")
    console.wait_for_selector(f'[data-report-view][data-report-loaded="{report_id}"]')
    console.click("[data-report-draft-warning]")
    console.wait_for_url(f"**#/warnings/new?report={report_id}")
    console.wait_for_selector('[data-warning-view][data-warning-loaded="new"]')

    assert console.text_content("#warning-heading").strip() == f"신고 #{report_id}로 만드는 새 경보"
    assert console.input_value('[name="headline_ko"]') == "[안심] 흉기 소지자 목격"
    assert console.input_value('[name="headline_en"]') == "[Ansim] A person with a weapon was seen"
    assert console.input_value('[name="severity"]') == "severe"
    assert console.input_value('[name="area_desc_ko"]') == "신고 위치 반경 500m"
    # A 500 m circle at the report, on the map and in the list.
    report_lat, report_lon = _at(45, 300)
    assert console.locator('[data-area="circle"]').count() == 1
    assert abs(float(console.input_value("[data-circle-lat]")) - report_lat) < 1e-5
    assert abs(float(console.input_value("[data-circle-lon]")) - report_lon) < 1e-5
    assert console.input_value("[data-circle-radius]") == "500"
    assert console.locator("[data-warning-map] path.warning-circle").count() == 1
    assert console.text_content(".area-item-title").strip() == "원 1 · 반경 500 m"
    back = console.locator(f'[data-warning-source] a[href="#/reports/{report_id}"]')
    assert back.text_content().strip() == f"← 신고 #{report_id}로 돌아가기"
    reach(console, 0)

    press(console, "save")
    console.wait_for_selector('[data-warning-view][data-state="draft"]')
    (alert,) = stored(app)
    assert alert.source_report_id == report_id and alert.state is AlertState.DRAFT
    assert alert.areas["circles"] == [{"lat": round(report_lat, 6), "lon": round(report_lon, 6), "radius_m": 500}]
    assert console.url.endswith(f"#/warnings/{alert.id}")
    assert console.text_content("[data-warning-announce]").strip() == f"초안 #{alert.id}을(를) 저장했습니다."
    # The link back to the report stays, and leads there.
    back.click()
    console.wait_for_selector(f'[data-report-view][data-report-loaded="{report_id}"]')
    assert console.js_errors == []


def test_a_polygon_clicked_on_the_map_is_saved_closed(live_server, console):
    app = live_server.app
    open_new(console)
    write(console, area_desc_ko="보문역 일대", area_desc_en="Around Bomun station")
    console.click('[data-draw="polygon"]')
    assert console.locator("[data-draw-finish]").is_disabled()
    for dx, dy in [(-80, -60), (80, -60), (90, 70), (-70, 80), (0, 120)]:
        click_map(console, dx, dy)
    assert console.text_content("[data-draw-hint]").strip() == "꼭짓점 5개"
    # The fifth corner was a slip: a click on it takes it away again.
    console.locator(".draw-handle-vertex").last.click()
    assert console.text_content("[data-draw-hint]").strip() == "꼭짓점 4개"
    console.click("[data-draw-finish]")
    console.wait_for_selector('[data-area="polygon"]')
    assert console.text_content('[data-area="polygon"] .area-item-title').strip() == "다각형 1 · 꼭짓점 4개"
    assert console.locator("[data-warning-map] path.warning-polygon").count() == 1
    assert console.get_attribute('[data-draw="polygon"]', "aria-pressed") == "false"
    reach(console, 0)

    press(console, "save")
    console.wait_for_selector('[data-warning-view][data-state="draft"]')
    (alert,) = stored(app)
    (ring,) = alert.areas["polygons"]
    assert len(ring) == 5 and ring[0] == ring[-1]
    # Clockwise from the top left, around the map's centre.
    lons = [point[0] for point in ring[:4]]
    lats = [point[1] for point in ring[:4]]
    assert lons[0] < HERE[1] < lons[1] and lats[2] < HERE[0] < lats[0]
    assert alert.areas["circles"] == [] and alert.areas["geocodes"] == []
    assert console.js_errors == []


def test_a_dong_picked_from_the_list_is_drawn_and_saved_by_its_code(live_server, console, tmp_path):
    app = live_server.app
    with app.app_context():
        for path in write_areas(tmp_path):
            import_areas(path)
    subscribe(app, HERE)
    subscribe(app, (37.60, 126.97))  # in 종로구
    open_new(console)
    write(console, area_desc_ko="돈암1동", area_desc_en="Donam 1-dong")
    console.wait_for_selector("[data-area-picker]:not([hidden])")
    console.select_option("[data-pick-gu]", "11290")
    console.select_option("[data-pick-dong]", DONAM)
    console.click("[data-area-add]")
    console.wait_for_selector(f'[data-area="geocode"][data-code="{DONAM}"]')
    assert "돈암1동" in console.text_content(f'[data-area="geocode"][data-code="{DONAM}"]')
    console.wait_for_selector("[data-warning-map] path.warning-geocode")
    reach(console, 1)

    press(console, "save")
    console.wait_for_selector('[data-warning-view][data-state="draft"]')
    (alert,) = stored(app)
    assert alert.areas["geocodes"] == [DONAM]
    # Taken out again and saved: the server says an area is needed, next to the areas.
    console.click(f'[data-area="geocode"][data-code="{DONAM}"] [data-area-remove]')
    reach_text = console.locator("[data-warning-reach]")
    reach_text.filter(has_text="지역을 정하면").wait_for()
    press(console, "save")
    console.wait_for_selector('[data-field-error="areas"]:not(:empty)')
    assert console.text_content('[data-field-error="areas"]').strip() == "원이나 다각형을 그리거나 구·동을 고르세요."
    assert stored(app)[0].areas["geocodes"] == [DONAM]
    assert console.js_errors == []


def test_an_expiry_in_the_past_is_refused_next_to_the_field_and_nothing_is_saved(live_server, console):
    app = live_server.app
    open_new(console)
    write(console)
    console.click('[data-draw="circle"]')
    console.click("[data-draw-centre]")
    console.fill('[name="expires"]', (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    press(console, "save")

    console.wait_for_selector('[data-field-error="expires"]:not(:empty)')
    assert console.text_content('[data-field-error="expires"]').strip() == "만료 시각은 지금보다 뒤여야 합니다."
    assert console.get_attribute('[name="expires"]', "aria-invalid") == "true"
    assert console.text_content("[data-warning-error]").strip() == "고칠 곳이 있습니다. 표시된 칸을 확인하세요."
    assert console.evaluate("document.activeElement.name") == "expires"
    assert stored(app) == []
    assert console.url.endswith("#/warnings/new")

    # A quick choice mends the expiry; an English headline left empty is the next thing said.
    console.click('[data-expires-in="6"]')
    console.fill('[name="headline_en"]', "  ")
    press(console, "save")
    console.wait_for_selector('[data-field-error="headline_en"]:not(:empty)')
    assert console.text_content('[data-field-error="headline_en"]').strip() == "꼭 써야 하는 칸입니다."
    assert console.text_content('[data-field-error="expires"]').strip() == ""
    assert console.get_attribute('[name="expires"]', "aria-invalid") is None
    assert stored(app) == []
    console.fill('[name="headline_en"]', "[Ansim] Knife attack")
    press(console, "save")
    console.wait_for_selector('[data-warning-view][data-state="draft"]')
    (alert,) = stored(app)
    assert dt.timedelta(hours=5, minutes=58) < alert.expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=6)
    assert console.js_errors == []


def test_with_two_person_approval_another_operator_approves_before_it_is_sent(live_server, console):
    app = live_server.app
    app.config["ALERT_TWO_PERSON_APPROVAL"] = True
    subscribe(app, HERE)
    open_new(console)
    write(console)
    console.click('[data-draw="circle"]')
    console.click("[data-draw-centre]")
    press(console, "save")
    console.wait_for_selector('[data-warning-view][data-state="draft"]')
    (alert,) = stored(app)

    press(console, "approve")
    console.wait_for_selector("[data-warning-error]:not(:empty)")
    assert "다른 관제 요원에게 승인을 부탁하세요" in console.text_content("[data-warning-error]")
    press(console, "send")
    console.click("[data-confirm-ok]")
    console.wait_for_selector("[data-warning-error]:has-text('승인해야 보낼 수 있습니다')")
    assert stored(app)[0].state is AlertState.DRAFT

    assert other_operator(app).post(f"/api/v1/alerts/{alert.id}/approve").status_code == 200
    console.reload()
    console.wait_for_selector(f'[data-warning-view][data-warning-loaded="{alert.id}"][data-state="approved"]')
    assert not console.locator('[data-warning-action="approve"]').is_visible()
    assert "operator 테스트" in console.text_content('[data-fact="approver"]')
    press(console, "send")
    console.click("[data-confirm-ok]")
    console.wait_for_selector('[data-warning-view][data-state="sent"]')
    assert stored(app)[0].state is AlertState.SENT and deliveries(app, alert.id) == 1
    assert console.js_errors == []


def test_a_sent_warning_is_updated_then_cancelled(live_server, console):
    app = live_server.app
    subscribe(app, HERE)
    subscribe(app, _at(180, 800))
    operator = other_operator(app)
    first = operator.post("/api/v1/alerts", json=warning()).get_json()
    assert operator.post(f"/api/v1/alerts/{first['id']}/send").status_code == 200

    open_warning(console, first["id"])
    assert console.locator('[data-warning-view][data-state="sent"]').count() == 1
    assert console.locator('[name="headline_ko"]').is_disabled()
    assert console.locator("[data-draw-tools]").is_hidden()
    assert not console.locator('[data-warning-action="save"]').is_visible()
    assert console.locator('[data-fact="deliveries"] [data-count="queued"]').get_attribute("data-n") == "1"

    # An update: a wider circle and a new headline, as a new draft that replaces the warning once sent.
    press(console, "start_update")
    assert not console.locator('[name="headline_ko"]').is_disabled()
    console.fill('[name="headline_ko"]', "[안심] 흉기 난동 — 범위 확대")
    console.fill("[data-circle-radius]", "1000")
    reach(console, 2)
    assert "이전 경보를 받은 사람" in console.text_content("[data-warning-reach]")
    press(console, "submit_update")
    console.wait_for_url(f"**#/warnings/{first['id'] + 1}")
    console.wait_for_selector(f'[data-warning-view][data-warning-loaded="{first["id"] + 1}"][data-state="draft"]')
    assert console.text_content("[data-warning-announce]").strip() == f"경보 #{first['id']}의 업데이트 초안 #{first['id'] + 1}을(를) 만들었습니다."
    assert f"경보 #{first['id']}의 업데이트" in console.text_content('[data-fact="references"]')
    update = stored(app)[1]
    assert (update.msg_type, update.references_id, update.state) == (MsgType.UPDATE, first["id"], AlertState.DRAFT)
    assert update.headline_ko == "[안심] 흉기 난동 — 범위 확대" and update.headline_en == "[Ansim] Knife attack reported"
    assert update.areas["circles"][0]["radius_m"] == 1000

    press(console, "send")
    console.locator("[data-warning-confirm]").wait_for(state="visible")
    assert "이전 경보를 받은 구독자에게도 갑니다." in console.text_content("[data-warning-confirm]")
    console.click("[data-confirm-ok]")
    console.wait_for_selector('[data-warning-view][data-state="sent"]')
    assert [a.state for a in stored(app)] == [AlertState.UPDATED, AlertState.SENT]
    # The warning it replaced can no longer change, and says so.
    console.click('[data-fact="references"] a')
    console.wait_for_selector(f'[data-warning-view][data-warning-loaded="{first["id"]}"][data-state="updated"]')
    assert console.text_content("[data-warning-action-note]").strip() == "업데이트로 대체된 경보입니다. 더 바꿀 수 없습니다."
    assert console.locator("[data-warning-action]:visible").count() == 0
    console.go_back()
    console.wait_for_selector(f'[data-warning-view][data-warning-loaded="{first["id"] + 1}"][data-state="sent"]')

    # Cancelling asks first (backing out sends nothing), then goes out at once to everyone reached.
    press(console, "cancel")
    console.locator("[data-warning-confirm]").wait_for(state="visible")
    assert "구독자 2명에게 해제 알림을" in console.text_content("[data-warning-confirm]")
    console.click("[data-confirm-cancel]")
    assert len(stored(app)) == 2
    press(console, "cancel")
    console.click("[data-confirm-ok]")
    console.wait_for_url(f"**#/warnings/{first['id'] + 2}")
    console.wait_for_selector(f'[data-warning-view][data-warning-loaded="{first["id"] + 2}"][data-state="sent"]')
    assert f"경보 #{first['id'] + 1}을(를) 해제했습니다" in console.text_content("[data-warning-announce]")
    assert "해제" in console.text_content("[data-warning-badges]")
    cancel = stored(app)[2]
    assert (cancel.msg_type, cancel.references_id, cancel.state) == (MsgType.CANCEL, first["id"] + 1, AlertState.SENT)
    assert cancel.headline_ko.startswith("[해제]") and deliveries(app, cancel.id) == 2
    assert [a.state for a in stored(app)][:2] == [AlertState.UPDATED, AlertState.CANCELLED]

    # The list, filtered to the cancelled ones.
    go(console, "#/warnings?state=cancelled")
    console.wait_for_selector(f'tr[data-warning-id="{first["id"] + 1}"]')
    assert console.locator("[data-warnings-rows] tr").count() == 1
    assert console.is_checked('[data-warning-filters] input[value="cancelled"]')
    console.check('[data-warning-filters] input[value="sent"]')
    console.wait_for_function("() => document.querySelectorAll('[data-warnings-rows] tr').length === 2")
    assert console.url.endswith("#/warnings?state=sent,cancelled")
    assert console.js_errors == []


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_list_and_the_form_pass_axe_in_both_languages(live_server, console, language, tmp_path):
    app = live_server.app
    with app.app_context():
        for path in write_areas(tmp_path):
            import_areas(path)
        author = accounts.create_user(display_name="박작성", email="author@example.kr", password=PASSWORD, role=Role.OPERATOR)
        sent = alerts.create(parsed(), author=author)
        alerts.send(sent, by=author)
        sent_id = sent.id
        alerts.create(parsed(headline_ko="[안심] 초안"), author=author)
    console.evaluate("lang => localStorage.setItem('ansim.lang', lang)", language)
    console.reload()
    console.wait_for_selector("[data-user-name]:not(:empty)")
    go(console, "#/warnings")
    console.wait_for_selector("[data-warnings-rows] tr >> nth=1")
    assert console.evaluate("document.documentElement.lang") == language
    assert axe_violations(console) == []

    open_new(console)
    write(console)
    console.click('[data-draw="circle"]')
    click_map(console)
    console.click('[data-draw="polygon"]')
    for dx, dy in [(-60, -40), (60, -40), (0, 60)]:
        click_map(console, dx, dy)
    reach(console, 0)
    assert axe_violations(console) == []
    if language == "ko":
        # Switched on the page, everything it drew follows.
        console.click("[data-lang-switch]")
        console.wait_for_function("() => document.documentElement.lang === 'en'")
        assert console.text_content("#warning-heading").strip() == "New warning"
        assert console.text_content("[data-warning-reach]").strip() == "Reaches 0 subscribers"
        assert console.text_content('[data-area="circle"] .area-item-title').strip() == "Circle 1 · radius 500 m"
        assert console.text_content('[name="severity"] option[value="severe"]').strip() == "Severe"

    open_warning(console, sent_id)
    assert axe_violations(console) == []
    press(console, "cancel")
    console.locator("[data-warning-confirm]").wait_for(state="visible")
    assert axe_violations(console) == []
    console.click("[data-confirm-cancel]")
    assert console.js_errors == []
