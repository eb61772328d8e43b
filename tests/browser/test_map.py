"""Journeys through the resident's Map screen in headless Chromium: the
nearest bell from a real (emulated) position, the manual fallback when
location is denied, filter chips, offline, unreachable tiles, accessibility."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server import geo
from server.facilities.models import FacilityKind
from tests.browser.conftest import LiveServer, axe_violations, open_page
from tests.browser.test_shell import wait_for_service_worker
from tests.conftest import add_facilities, make_app

HOME = (37.5894, 127.0167)  # the default map centre, so the map opens on these facilities


@pytest.fixture(autouse=True)
def _let_the_service_worker_settle(page) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Before the browser closes, let the service worker finish precaching:
    werkzeug's development server never closes a static file whose client
    hangs up mid-response, and the unclosed file fails the run."""
    yield
    page.evaluate("Promise.race([navigator.serviceWorker.ready, new Promise((r) => setTimeout(r, 5000))]).then(() => true)")


def _at(bearing: float, metres: float) -> dict[str, float]:
    lat, lon = geo.destination(*HOME, bearing, metres)
    return {"lat": lat, "lon": lon}


def add_neighbourhood(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Two bells (120 m east, 300 m north), a camera, a safe house, a police box and a light."""
    with app.app_context():
        ids = add_facilities(
            {"kind": FacilityKind.BELL, "location": "공원 입구", "road_address": "서울특별시 성북구 보문로 1", **_at(90, 120)},
            {"kind": FacilityKind.BELL, "location": "버스정류장", **_at(0, 300)},
            {"kind": FacilityKind.CCTV, "location": "골목길", "attributes": {"camera_count": 2, "purpose": "생활방범"}, **_at(180, 60)},
            {"kind": FacilityKind.SAFE_HOUSE, "location": "GS25 안심점", "attributes": {"opening_hours": "24시간"}, **_at(270, 200)},
            {"kind": FacilityKind.POLICE, "location": "보문 지구대", "agency_phone": "112", **_at(45, 500)},
            {"kind": FacilityKind.SECURITY_LIGHT, "location": "보안등 1", **_at(315, 80)},
        )
    return dict(zip(("bell_east", "bell_north", "cctv", "safe_house", "police", "light"), ids, strict=True))


def at_home(context, live_server) -> None:  # type: ignore[no-untyped-def]
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": HOME[0], "longitude": HOME[1], "accuracy": 15})


def open_map(page, url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, url)
    page.wait_for_selector("[data-map][data-map-ready]", state="attached")


def wait_for_nearest(page, label: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "label => document.querySelector('[data-nearest-label]')?.textContent === label", arg=label
    )


def markers(page, kind: str) -> int:  # type: ignore[no-untyped-def]
    return page.locator(f'[data-map] [data-facility-id][data-kind="{kind}"]').count()


def box(page, selector: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return page.locator(selector).bounding_box()


def test_located_resident_sees_the_nearest_bell_and_its_details(live_server, context, page):
    ids = add_neighbourhood(live_server.app)
    at_home(context, live_server)
    open_map(page, live_server.url + "/")

    page.wait_for_selector('[data-location-status][data-state="located"]')
    page.wait_for_selector("[data-position-marker='gps']")
    wait_for_nearest(page, "공원 입구")  # the bell 120 m east, not the one 300 m north
    assert page.text_content("[data-nearest-distance]") == "120 m"
    assert page.text_content("[data-nearest-walk]") == "도보 2분"
    assert page.text_content("[data-nearest-compass]") == "동쪽"
    assert float(page.get_attribute("[data-nearest-arrow]", "data-bearing")) == pytest.approx(90, abs=1)
    assert page.get_attribute("[data-nearest-bell]", "data-facility-id") == str(ids["bell_east"])
    page.wait_for_selector('[data-nearest-other="cctv"]:has-text("60 m")')

    page.wait_for_selector(f'[data-facility-id="{ids["bell_east"]}"][data-kind="bell"]', state="attached")
    assert markers(page, "security_light") == 0  # security lights are off until asked for

    # The card floats above the SOS button and the navigation, never over them.
    card, sos, tabbar = box(page, "[data-nearest]"), box(page, "[data-sos]"), box(page, ".tabbar")
    assert card["y"] + card["height"] <= sos["y"] and card["y"] + card["height"] <= tabbar["y"]

    page.click("[data-nearest-bell]")
    page.wait_for_selector("[data-facility-sheet][open]")
    assert page.text_content("[data-facility-title]") == "공원 입구"
    page.wait_for_selector("[data-facility-details] >> text=서울특별시 성북구 보문로 1")
    assert "120 m" in page.text_content("[data-facility-distance]")
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-facility-sheet]", state="hidden")

    # Switching language redoes the card.
    page.click("[data-lang-switch]")
    page.wait_for_function("document.querySelector('[data-nearest-walk]').textContent === '2 min walk'")
    assert page.text_content("[data-nearest-compass]") == "east"

    # Walking north: the card follows once the resident has moved.
    north = geo.destination(*HOME, 0, 280)
    context.set_geolocation({"latitude": north[0], "longitude": north[1], "accuracy": 15})
    wait_for_nearest(page, "버스정류장")
    assert page.text_content("[data-nearest-distance]") == "20 m"
    assert page.js_errors == []


def test_denied_location_falls_back_to_a_point_set_by_hand(live_server, page):
    ids = add_neighbourhood(live_server.app)
    open_map(page, live_server.url + "/")
    page.wait_for_selector('[data-location-status][data-state="prompt"]')
    assert page.is_disabled("[data-nearest-bell]")

    page.click("[data-locate]")  # the browser refuses: no permission was granted
    page.wait_for_selector('[data-location-status][data-state="denied"]')
    assert page.is_visible("[data-manual-position]")

    page.click("[data-manual-position]")  # the map opens on HOME
    page.wait_for_selector('[data-location-status][data-state="manual"]')
    page.wait_for_selector("[data-position-marker='manual']")
    wait_for_nearest(page, "공원 입구")
    # The map's centre is HOME to within a pixel or two.
    assert int(page.text_content("[data-nearest-distance]").removesuffix(" m")) == pytest.approx(120, abs=5)

    # A tap on the map beside the northern bell moves the point there.
    marker = box(page, f'[data-facility-id="{ids["bell_north"]}"]')
    x, y = marker["x"] + marker["width"] / 2 - 40, marker["y"] + marker["height"] / 2
    hit = "([x, y]) => { const el = document.elementFromPoint(x, y); return !!el.closest('[data-map]') && !el.closest('.leaflet-marker-icon'); }"
    assert page.evaluate(hit, [x, y]), "the map itself, not a marker or a panel, is under the tap"
    page.mouse.click(x, y)
    wait_for_nearest(page, "버스정류장")

    # The point is kept: a reopened app starts there.
    open_map(page, live_server.url + "/")
    page.wait_for_selector('[data-location-status][data-state="manual"]')
    wait_for_nearest(page, "버스정류장")
    assert page.js_errors == []


def test_filter_chips_hide_kinds_and_the_choice_survives_a_reload(live_server, page):
    ids = add_neighbourhood(live_server.app)
    open_map(page, live_server.url + "/")
    page.wait_for_selector('[data-kind="bell"][data-facility-id]', state="attached")
    assert page.get_attribute('[data-kind-filter="bell"]', "aria-pressed") == "true"
    assert page.get_attribute('[data-kind-filter="security_light"]', "aria-pressed") == "false"
    assert markers(page, "security_light") == 0

    page.click('[data-kind-filter="bell"]')
    assert page.get_attribute('[data-kind-filter="bell"]', "aria-pressed") == "false"
    page.wait_for_function("!document.querySelector('[data-map] [data-kind=\"bell\"]')")
    assert markers(page, "cctv") == 1
    page.click('[data-kind-filter="security_light"]')
    page.wait_for_selector(f'[data-facility-id="{ids["light"]}"][data-kind="security_light"]', state="attached")

    open_map(page, live_server.url + "/")
    page.wait_for_selector('[data-kind="cctv"][data-facility-id]', state="attached")
    page.wait_for_selector('[data-kind="security_light"][data-facility-id]', state="attached")
    assert page.get_attribute('[data-kind-filter="bell"]', "aria-pressed") == "false"
    assert markers(page, "bell") == 0

    # A marker opens its details, attributes labelled in the reader's language.
    page.click(f'[data-facility-id="{ids["cctv"]}"]')
    page.wait_for_selector("[data-facility-sheet][open]")
    assert page.text_content("[data-facility-title]") == "골목길"
    page.wait_for_selector("[data-facility-details] dt >> text=카메라 수")
    assert "2대" in page.text_content("[data-facility-details]")
    page.click("[data-facility-sheet] [data-dialog-close]")
    # So does Enter on a marker, for keyboards; closing returns focus to it.
    page.wait_for_function(f"document.activeElement?.dataset.facilityId === '{ids['cctv']}'")
    page.focus(f'[data-facility-id="{ids["police"]}"]')
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-facility-sheet][open]")
    assert page.text_content("[data-facility-title]") == "보문 지구대"
    assert page.js_errors == []


def test_offline_the_map_shows_the_last_facilities_and_nearest_bell(live_server, context, page):
    ids = add_neighbourhood(live_server.app)
    at_home(context, live_server)
    open_map(page, live_server.url + "/")
    wait_for_nearest(page, "공원 입구")
    page.wait_for_selector(f'[data-facility-id="{ids["bell_east"]}"]', state="attached")
    wait_for_service_worker(page)
    assert page.is_hidden("[data-map-offline]")

    context.set_offline(True)
    response = page.reload()
    page.wait_for_selector("html[data-ready]", state="attached")
    assert response.from_service_worker
    page.wait_for_selector("[data-map][data-map-ready]", state="attached")
    page.wait_for_selector("[data-map-offline]", state="visible")
    assert "오프라인" in page.text_content("[data-map-offline]")
    page.wait_for_selector(f'[data-facility-id="{ids["bell_east"]}"]', state="attached")
    page.wait_for_selector(f'[data-facility-id="{ids["cctv"]}"]', state="attached")
    wait_for_nearest(page, "공원 입구")
    assert page.text_content("[data-nearest-distance]") == "120 m"
    assert page.is_visible("[data-nearest-saved]")
    context.set_offline(False)


@pytest.fixture
def server_with(tmp_path) -> Iterator:  # type: ignore[type-arg]
    """``server_with(SETTING=value)`` → a live server of an app with those settings."""
    servers: list[LiveServer] = []

    def start(**settings):  # type: ignore[no-untyped-def]
        server = LiveServer(make_app(tmp_path / f"app{len(servers)}", **settings)).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def test_facilities_show_when_tiles_cannot_load(server_with, context, page):
    # Port 9 (discard) refuses every connection: as good as offline tiles.
    server = server_with(TILE_URL="http://127.0.0.1:9/{z}/{x}/{y}.png", TILE_ATTRIBUTION="© <b>Tiles</b> & co")
    ids = add_neighbourhood(server.app)
    at_home(context, server)
    open_map(page, server.url + "/")
    page.wait_for_selector(f'[data-facility-id="{ids["bell_east"]}"]', state="attached")
    wait_for_nearest(page, "공원 입구")
    assert page.locator("[data-map] img.leaflet-tile").count() > 0  # asked for, and failed
    assert page.is_hidden("[data-map-nobase]")
    # The attribution setting is shown as text, never as markup.
    assert "© <b>Tiles</b> & co" in page.text_content(".leaflet-control-attribution")


def test_crowded_views_show_clusters_that_zoom_in_when_tapped(server_with, page):
    server = server_with(VIEWPORT_MAX_POINTS=3)
    add_neighbourhood(server.app)
    open_map(page, server.url + "/")
    cluster = page.wait_for_selector('[data-map] [data-kind="cluster"]', state="attached")
    counts = page.eval_on_selector_all('[data-kind="cluster"]', "els => els.map(e => Number(e.textContent))")
    assert sum(counts) == 5  # every kind but the security light, which is off
    assert page.locator("[data-map] [data-facility-id]").count() == 0
    zoom = int(page.get_attribute("[data-map]", "data-zoom"))
    cluster.click()
    page.wait_for_selector(f'[data-map][data-zoom="{zoom + 2}"]', state="attached")


def test_without_tiles_the_map_says_so(live_server, page):
    add_neighbourhood(live_server.app)
    open_map(page, live_server.url + "/")
    page.wait_for_selector('[data-kind="bell"][data-facility-id]', state="attached")
    assert page.locator("[data-map] img.leaflet-tile").count() == 0
    assert page.text_content("[data-map-nobase]") == "배경 지도 없음"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_map_screen_has_no_serious_accessibility_violations(live_server, context, page, lang):
    add_neighbourhood(live_server.app)
    open_page(page, live_server.url + "/")
    page.evaluate(f"localStorage.setItem('ansim.lang', '{lang}')")
    open_map(page, live_server.url + "/")
    page.wait_for_selector('[data-kind="bell"][data-facility-id]', state="attached")
    page.wait_for_selector("[data-location-help]", state="visible")
    assert axe_violations(page) == [], "asking for a location"

    at_home(context, live_server)
    page.click("[data-locate]")
    page.wait_for_selector('[data-nearest-bell][data-state="found"]')
    assert axe_violations(page) == [], "nearest bell"

    page.click("[data-nearest-bell]")
    page.wait_for_selector("[data-facility-details] dd", state="attached")
    assert axe_violations(page) == [], "details sheet"
