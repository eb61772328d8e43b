"""The resident's side of area warnings in headless Chromium: the feed of
warnings in force (both languages, offline), one warning with what to do
and its area on the map, choosing areas and turning phone alerts on and
off, a pushed warning becoming a notification (an update replacing it), and
where a tapped notification leads."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import select

from server import geo
from server.accounts import service as accounts
from server.accounts.models import Language, Role, User
from server.alerts import service as alerts
from server.alerts.models import Alert, MsgType, PushSubscription
from server.alerts.payload import payload
from server.api.schemas.alerts import AlertEditSchema, AlertWriteSchema
from server.extensions import db
from server.facilities.areas import import_areas
from tests.alerts.keys import BrowserKeys
from tests.alerts.test_alerts import warning
from tests.browser.conftest import axe_violations, open_page
from tests.browser.test_map import HOME, _let_the_service_worker_settle  # noqa: F401 - the fixture applies here too
from tests.browser.test_shell import wait_for_service_worker
from tests.conftest import PASSWORD
from tests.facilities.test_areas import write_areas

DONAM = "1129061000"  # 돈암1동 in the made-up boundaries of write_areas
OPERATOR = "alerts-op@example.kr"

# Replaces the browser's push subscription (no push service can be reached
# here) with one whose endpoint and keys the test chose, kept in localStorage
# like a real one outlives the page; and counts permission requests.
FAKE_PUSH = """
((endpoint, keys) => {
  window.__permissionRequests = 0;
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => {
    window.__permissionRequests += 1;
    return ask(...args);
  };
  const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4)), (c) => c.charCodeAt(0)).buffer;
  const b64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const made = (serverKey) => ({
    endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: bytes(serverKey) },
    getKey: (name) => bytes(keys[name]),
    toJSON: () => ({ endpoint, expirationTime: null, keys }),
    unsubscribe: async () => {
      localStorage.removeItem("test.push");
      return true;
    },
  });
  PushManager.prototype.subscribe = async function (options) {
    const key = options.applicationServerKey;
    const serverKey = typeof key === "string" ? key : b64url(key instanceof ArrayBuffer ? key : key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength));
    localStorage.setItem("test.push", serverKey);
    return made(serverKey);
  };
  PushManager.prototype.getSubscription = async function () {
    const serverKey = localStorage.getItem("test.push");
    return serverKey ? made(serverKey) : null;
  };
})(ENDPOINT, KEYS);
"""

NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
  title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction, lang: n.lang,
  vibrate: [...n.vibrate], url: n.data && n.data.url,
}))"""


def operator() -> User:
    found = db.session.scalar(select(User).where(User.email == OPERATOR))
    return found or accounts.create_user(display_name="경보관제", email=OPERATOR, password=PASSWORD, role=Role.OPERATOR)


def send_warning(app, **changes) -> int:  # type: ignore[no-untyped-def]
    """A warning written and sent the way an operator does it; its id."""
    with app.app_context():
        by = operator()
        alert = alerts.create(AlertWriteSchema().load(warning(**changes)), author=by)
        return alerts.send(alert, by=by).id


def send_update(app, alert_id: int, **changes) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        by = operator()
        update = alerts.follow_up(alerts.get(alert_id), MsgType.UPDATE, AlertEditSchema.load(changes), by=by)
        return alerts.send(update, by=by).id


def add_areas(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gu, dong = write_areas(tmp_path)
    with app.app_context():
        import_areas(gu)
        import_areas(dong)


def open_alerts(page, url: str, hash_: str = "#/alerts") -> None:  # type: ignore[no-untyped-def]
    """Load the app afresh on the alerts screen (a goto that changes only the
    fragment would not load the page again)."""
    page.goto("about:blank")
    open_page(page, f"{url}/{hash_}")
    page.wait_for_selector('[data-screen="alerts"]', state="visible")


def item(alert_id: int) -> str:
    return f'[data-alert-item][data-alert-id="{alert_id}"]'


def subscriptions(app) -> list[dict]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [
            {"endpoint": s.endpoint, "home": (s.home_lat, s.home_lon, s.home_radius_m), "areas": s.area_codes, "language": s.language, "here": (s.here_lat, s.here_lon)}
            for s in db.session.scalars(select(PushSubscription))
        ]


def wait_until(page, check, what: str, timeout_ms: int = 8_000):  # type: ignore[no-untyped-def]
    for _ in range(timeout_ms // 100):
        if result := check():
            return result
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def fake_push(context) -> str:  # type: ignore[no-untyped-def]
    """Stand in for the browser's push service; the endpoint it will hand out."""
    keys = BrowserKeys.new()
    endpoint = f"https://push.example.net/test/{secrets.token_urlsafe(16)}"
    context.add_init_script(FAKE_PUSH.replace("ENDPOINT", json.dumps(endpoint)).replace("KEYS", json.dumps({"p256dh": keys.p256dh, "auth": keys.auth})))
    return endpoint


def test_the_feed_lists_warnings_in_force_in_both_languages_and_offline(live_server, context, page, tmp_path):
    add_areas(live_server.app, tmp_path)
    knife = send_warning(live_server.app)
    square = [[127.010, 37.585], [127.025, 37.585], [127.025, 37.595], [127.010, 37.595], [127.010, 37.585]]
    lights = send_warning(
        live_server.app,
        severity="moderate",
        headline_ko="[안심] 보안등 고장 구간",
        headline_en="[Ansim] Street lights out",
        instruction_ko="밝은 큰길로 돌아가세요.",
        instruction_en="Take the lit main road instead.",
        area_desc_ko="돈암1동 일대",
        area_desc_en="Around Donam 1-dong",
        areas={"polygons": [square], "geocodes": [DONAM]},
    )
    open_alerts(page, live_server.url)
    page.wait_for_selector(item(knife))
    # Newest first, each with its severity in words.
    assert page.eval_on_selector_all("[data-alert-item]", "items => items.map((i) => Number(i.dataset.alertId))") == [lights, knife]
    assert page.text_content(f"{item(knife)} [data-alert-link]") == "[안심] 흉기 난동 발생"
    assert page.text_content(f"{item(knife)} [data-alert-severity]") == "심각"
    assert page.text_content(f"{item(lights)} [data-alert-severity]") == "주의"
    assert page.text_content(f"{item(knife)} [data-alert-area]") == "보문역 반경 500m"
    assert page.text_content(f"{item(knife)} [data-alert-expires]").endswith("까지")

    page.click("[data-lang-switch]")
    page.wait_for_function("id => document.querySelector(`[data-alert-id='${id}'] [data-alert-link]`).textContent === '[Ansim] Knife attack reported'", arg=knife)
    assert page.text_content(f"{item(knife)} [data-alert-severity]") == "Severe"
    assert page.text_content(f"{item(knife)} [data-alert-expires]").startswith("Until ")

    # Opening one: what to do first, and its area on the map.
    page.click(f"{item(knife)} [data-alert-link]")
    page.wait_for_selector('[data-alert-detail][data-state="live"]')
    assert page.text_content("[data-alert-headline]") == "[Ansim] Knife attack reported"
    assert page.is_visible("text=Keep to main streets.")
    assert page.is_hidden("[data-alerts-overview]")
    page.wait_for_selector("[data-alert-map] path.alert-shape-circle", state="attached")

    page.click("[data-alert-back]")
    page.click(f"{item(lights)} [data-alert-link]")
    page.wait_for_selector(f'[data-alert-detail][data-alert-id="{lights}"]')
    assert page.text_content("[data-alert-instruction]") == "Take the lit main road instead."
    page.wait_for_selector("[data-alert-map] path.alert-shape-polygon", state="attached")
    page.wait_for_selector(f"[data-alert-map] path.alert-area-{DONAM}", state="attached")  # the 동's boundary
    assert page.is_hidden("[data-alert-map-note]")

    # Offline, the list received last is still there, with when it was received.
    page.click("[data-alert-back]")
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    page.wait_for_selector('[data-alerts-feed][data-state="offline"]')
    assert page.text_content(f"{item(knife)} [data-alert-link]") == "[Ansim] Knife attack reported"
    assert page.text_content("[data-alerts-note]").startswith("Offline: showing the list received at")
    # … and so is a warning opened before.
    page.click(f"{item(knife)} [data-alert-link]")
    page.wait_for_selector('[data-alert-detail][data-state="offline"]')
    assert page.text_content("[data-alert-instruction]") == "Keep to main streets."
    context.set_offline(False)
    assert page.js_errors == []


def test_choosing_areas_and_turning_alerts_on_and_off(live_server, context, page, tmp_path):
    add_areas(live_server.app, tmp_path)
    endpoint = fake_push(context)
    context.grant_permissions(["notifications"], origin=live_server.url)
    open_alerts(page, live_server.url)
    page.wait_for_selector('[data-alerts-push-state][data-state="off"]')
    assert page.text_content("[data-alerts-push-state]") == "휴대폰 알림이 꺼져 있어요."

    # Turning on with nothing chosen says what is missing, without asking for anything.
    page.click("[data-alerts-turn-on]")
    page.wait_for_selector('[data-alerts-push-note][data-note="nothing"]')

    # Home: a tap on the map, then the widest radius.
    page.wait_for_selector("[data-alerts-home-map][data-map-ready]", state="attached")
    box = page.locator("[data-alerts-home-map]").bounding_box()
    page.locator("[data-alerts-home-map]").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.wait_for_selector('[data-alerts-home][data-home="set"] .home-marker', state="attached")
    page.locator(".radius-choices .choice", has_text="1 km").click()
    assert page.text_content("[data-alerts-home-status]") == "집에서 1.0 km 안의 경보를 받아요."
    # A 동 from the list, found by name.
    page.wait_for_selector(f'[data-alerts-dong][value="{DONAM}"]')
    page.fill("[data-alerts-dong-filter]", "돈암")
    page.check(f'[data-alerts-dong][value="{DONAM}"]')
    assert page.text_content("[data-alerts-dong-count]") == "1개 골랐어요."
    page.wait_for_selector('[data-alerts-push-note][data-note="saved_local"]')
    assert subscriptions(live_server.app) == []  # nothing leaves the phone before alerts are on
    assert page.evaluate("window.__permissionRequests") == 0  # never asked before the tap

    page.click("[data-alerts-turn-on]")
    page.wait_for_selector('[data-alerts-push-state][data-state="on"]')
    assert page.evaluate("window.__permissionRequests") == 1
    assert page.text_content("[data-alerts-push-note]").startswith("알림을 켰어요")
    (stored,) = subscriptions(live_server.app)
    lat, lon, radius = stored["home"]
    assert stored["endpoint"] == endpoint and radius == 1000 and stored["areas"] == [DONAM]
    assert abs(lat - 37.5894) < 0.002 and abs(lon - 127.0167) < 0.002  # the map opened on the district's centre
    assert stored["language"] is Language.KO and stored["here"] == (None, None)

    # Changing the areas sends them again (the same subscription, replaced).
    page.uncheck(f'[data-alerts-dong][value="{DONAM}"]')
    page.locator(".radius-choices .choice", has_text="300 m").click()
    wait_until(page, lambda: (s := subscriptions(live_server.app)) and s[0]["areas"] == [] and s[0]["home"][2] == 300, "the new areas on the server")
    # So does the language: notifications come in the app's.
    page.click("[data-lang-switch]")
    wait_until(page, lambda: subscriptions(live_server.app)[0]["language"] is Language.EN, "English on the server")
    assert page.text_content("[data-alerts-language]") == "Notifications come in the app's language (English)."

    page.click("[data-alerts-turn-off]")
    page.wait_for_selector('[data-alerts-push-state][data-state="off"]')
    assert subscriptions(live_server.app) == []
    assert page.evaluate("async () => (await navigator.serviceWorker.ready).pushManager.getSubscription()") is None
    # The home stays on the device for next time.
    page.reload()
    page.wait_for_selector('[data-alerts-home][data-home="set"]', state="attached")
    assert page.js_errors == []


def test_where_i_am_is_sent_roughly_and_again_only_after_a_real_move(live_server, context, page):
    fake_push(context)
    context.grant_permissions(["notifications", "geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": HOME[0], "longitude": HOME[1], "accuracy": 10})
    open_alerts(page, live_server.url)
    page.wait_for_selector('[data-alerts-push-state][data-state="off"]')
    page.check("[data-alerts-here]")
    page.click("[data-alerts-turn-on]")
    page.wait_for_selector('[data-alerts-push-state][data-state="on"]')
    here = wait_until(page, lambda: (s := subscriptions(live_server.app)) and s[0]["here"][0] is not None and s[0]["here"], "where I am on the server")
    assert abs(here[0] - HOME[0]) < 0.002 and abs(here[1] - HOME[1]) < 0.002

    def come_back_to(bearing: float, metres: float) -> None:  # the phone moved; the app comes to the front
        lat, lon = geo.destination(*HOME, bearing, metres)
        context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 10})
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")

    come_back_to(90, 120)
    page.wait_for_timeout(600)
    assert subscriptions(live_server.app)[0]["here"] == here  # a short walk is not worth telling
    come_back_to(0, 600)
    moved = wait_until(page, lambda: (s := subscriptions(live_server.app)[0]["here"]) != here and s, "the new point")
    assert moved[0] - HOME[0] == pytest.approx(0.0054, abs=0.002)
    assert page.js_errors == []


def test_a_subscription_made_with_an_old_server_key_is_made_again(live_server, context, page):
    endpoint = fake_push(context)
    context.grant_permissions(["notifications"], origin=live_server.url)
    old_key = BrowserKeys.new().p256dh  # a P-256 point the server never had
    context.add_init_script(f"localStorage.getItem('test.push') || localStorage.setItem('test.push', {json.dumps(old_key)})")
    open_alerts(page, live_server.url)
    page.wait_for_selector('[data-alerts-push-state][data-state="on"]')
    (stored,) = wait_until(page, lambda: subscriptions(live_server.app), "the renewed subscription")
    assert stored["endpoint"] == endpoint
    server_key = page.evaluate("async () => (await (await fetch('/api/v1/push/vapid-public-key')).json()).public_key")
    assert page.evaluate("localStorage.getItem('test.push')") == server_key != old_key


def test_a_browser_that_blocks_notifications_says_how_to_fix_it(live_server, context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("Browser.setPermission", {"permission": {"name": "notifications"}, "setting": "denied", "origin": live_server.url})
    open_alerts(page, live_server.url)
    page.wait_for_selector('[data-alerts-push-state][data-state="blocked"]')
    assert "자물쇠" in page.text_content("[data-alerts-push-help]")
    assert page.is_hidden("[data-alerts-turn-on]") and page.is_hidden("[data-alerts-turn-off]")


@pytest.fixture
def push(live_server, context, page):  # type: ignore[no-untyped-def]
    """Deliver a push to the app's service worker as a push service would."""
    context.grant_permissions(["notifications"], origin=live_server.url)
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    open_page(page, live_server.url + "/")
    wait_for_service_worker(page)
    registration = wait_until(page, lambda: next((r["registrationId"] for r in registrations if r["scopeURL"] == live_server.url + "/" and not r["isDeleted"]), None), "the registration")

    def deliver(data: bytes | str) -> None:
        text = data.decode() if isinstance(data, bytes) else data
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url, "registrationId": registration, "data": text})

    return deliver


def pushed(app, alert_id: int, language: Language = Language.KO) -> str:  # type: ignore[no-untyped-def]
    """What the server pushes for this warning, with the chain's topic (so its updates replace it)."""
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        return json.dumps({**json.loads(payload(alert, language)), "topic": alert.topic}, ensure_ascii=False)


def notifications(page, count: int, title: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """The notifications on show, once there are count of them and one has this title."""
    seen: list[dict] = []
    for _ in range(100):
        seen = page.evaluate(NOTIFICATIONS)
        if len(seen) == count and any(n["title"] == title for n in seen):
            return seen
        page.wait_for_timeout(100)
    raise AssertionError(f"expected {count} notification(s), one titled {title!r}; shown: {seen}")


def test_a_pushed_warning_becomes_a_notification_and_its_update_replaces_it(live_server, page, push):
    knife = send_warning(live_server.app)
    push(pushed(live_server.app, knife))
    (shown,) = notifications(page, 1, "[안심] 흉기 난동 발생")
    assert shown["title"] == "[안심] 흉기 난동 발생" and shown["body"] == "보문역 반경 500m"
    assert shown["requireInteraction"] is True and shown["vibrate"] and shown["lang"] == "ko"
    assert shown["tag"].startswith("ansim-alert-") and shown["url"] == f"/#/alerts/{knife}"

    update = send_update(live_server.app, knife, headline_ko="[안심] 흉기 난동 용의자 검거", severity="moderate")
    push(pushed(live_server.app, update))
    (replaced,) = notifications(page, 1, "[안심] 흉기 난동 용의자 검거")  # one notification per warning, the latest
    assert replaced["title"] == "[안심] 흉기 난동 용의자 검거" and replaced["tag"] == shown["tag"]
    assert replaced["body"] == "보문역 반경 500m\n경보 내용이 바뀌었습니다."
    assert replaced["requireInteraction"] is False and replaced["url"] == f"/#/alerts/{update}"

    minor = send_warning(live_server.app, severity="minor", headline_en="[Ansim] Road works tonight", area_desc_en="Bomun-ro")
    push(pushed(live_server.app, minor, Language.EN))
    minor_shown = next(n for n in notifications(page, 2, "[Ansim] Road works tonight") if n["title"] == "[Ansim] Road works tonight")
    assert minor_shown["requireInteraction"] is False and minor_shown["vibrate"] == [] and minor_shown["lang"] == "en"

    # A push it cannot read still says, in both languages, that there is a warning.
    push("not json")
    generic = next(n for n in notifications(page, 3, "새 안전 경보 · New safety warning") if n["tag"] == "ansim-alert")
    assert generic["title"] == "새 안전 경보 · New safety warning" and generic["url"] == "/#/alerts"
    assert page.js_errors == []


def test_a_tapped_notification_opens_the_warning(live_server, context, page, push):
    knife = send_warning(live_server.app)
    worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
    data = pushed(live_server.app, knife)
    url = worker.evaluate(f"notificationUrl({data})")
    assert url == f"/#/alerts/{knife}"
    # Only this site's pages: anything else falls back to the warning by its id, or to the list.
    assert worker.evaluate(f"notificationUrl({{id: {knife}, url: 'https://elsewhere.example/#/alerts/1'}})") == f"/#/alerts/{knife}"
    assert worker.evaluate("notificationUrl(null)") == "/#/alerts"

    open_alerts(page, live_server.url, url.lstrip("/"))
    page.wait_for_selector('[data-alert-detail][data-state="live"]')
    assert page.text_content("[data-alert-headline]") == "[안심] 흉기 난동 발생"
    assert page.text_content("[data-alert-instruction]") == "큰길로 다니세요."
    assert page.is_visible("[data-alert-instruction]")
    # A warning that does not exist (or was never sent) says so.
    page.evaluate("location.hash = '#/alerts/99999'")
    page.wait_for_selector('[data-alert-detail][data-state="missing"]')
    assert page.is_hidden("[data-alert-detail-body]")
    assert page.js_errors == []


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_alerts_screens_have_no_serious_accessibility_violations(live_server, page, tmp_path, lang):
    add_areas(live_server.app, tmp_path)
    knife = send_warning(live_server.app, areas={"circles": [{"lat": HOME[0], "lon": HOME[1], "radius_m": 500}], "geocodes": [DONAM]})
    send_warning(live_server.app, severity="extreme", headline_ko="[안심] 대피 안내", headline_en="[Ansim] Evacuate")
    open_page(page, live_server.url + "/")
    page.evaluate(f"localStorage.setItem('ansim.lang', '{lang}')")
    open_alerts(page, live_server.url)  # the stored language applies on the next load
    page.wait_for_selector(f'html[lang="{lang}"]', state="attached")
    page.wait_for_selector(item(knife))
    page.wait_for_selector(f'[data-alerts-dong][value="{DONAM}"]')
    page.wait_for_selector("[data-alerts-home-map][data-map-ready]", state="attached")
    page.locator("[data-alerts-home-map]").click()
    page.wait_for_selector(".home-marker", state="attached")
    assert axe_violations(page) == [], "feed and settings"

    page.click(f"{item(knife)} [data-alert-link]")
    page.wait_for_selector('[data-alert-detail][data-state="live"]')
    page.wait_for_selector(f"[data-alert-map] path.alert-area-{DONAM}", state="attached")
    assert axe_violations(page) == [], "one warning"
    assert page.js_errors == []


def test_an_old_link_to_a_called_off_warning_says_it_is_no_longer_in_force(live_server, context, page):
    knife = send_warning(live_server.app)
    with live_server.app.app_context():
        by = operator()
        alerts.follow_up(alerts.get(knife), MsgType.CANCEL, {}, by=by)
    # The device never saw the feed: only the server can tell it the warning was called off.
    context.route("**/api/v1/alerts", lambda route: route.abort())
    open_alerts(page, live_server.url, f"#/alerts/{knife}")
    page.wait_for_selector('[data-alert-detail][data-state="live"]')
    assert page.text_content("[data-alert-headline]") == "[안심] 흉기 난동 발생"
    page.wait_for_function("(document.querySelector('[data-alert-detail]')?.textContent || '').includes('더 이상 발령 중이 아니에요')")
