"""The route screen in headless Chromium: from the phone's position to the
home kept on the device (or a tapped point), over the demo street grid; the
alternatives drawn apart with a card each, choosing a card highlights its
line and the bells along it, and the errors read as words."""

from __future__ import annotations

import json

import pytest

from server.facilities.models import FacilityKind
from server.routing.demo import seed_demo_streets
from tests.browser.conftest import axe_violations, open_page
from tests.browser.test_map import _let_the_service_worker_settle  # noqa: F401 - the fixture applies here too
from tests.conftest import add_facilities

CENTRE = (37.59, 127.02)  # the demo street grid is laid around it
START = (37.5900, 127.0200)
HOME = (37.5930, 127.0240)
FAR = (37.6400, 127.0900)  # kilometres from any demo street, within a walk's reach


def seed(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        seed_demo_streets(CENTRE)
        add_facilities(
            {"kind": FacilityKind.BELL, "location": "출발 골목", "lat": START[0] + 0.0004, "lon": START[1]},
            {"kind": FacilityKind.BELL, "location": "큰길 모퉁이", "lat": START[0], "lon": START[1] + 0.0006},
            {"kind": FacilityKind.BELL, "location": "집 앞", "lat": HOME[0], "lon": HOME[1] - 0.0004},
            {"kind": FacilityKind.CCTV, "location": "집 앞 골목", "lat": HOME[0] - 0.0004, "lon": HOME[1]},
        )


def at_start(context, live_server, lat_lon=START) -> None:  # type: ignore[no-untyped-def]
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": lat_lon[0], "longitude": lat_lon[1], "accuracy": 15})


def home_on_device(context, home=HOME) -> None:  # type: ignore[no-untyped-def]
    follow = {"home": {"lat": home[0], "lon": home[1]}, "radius_m": 500, "area_codes": [], "here": False}
    context.add_init_script(f"localStorage.setItem('ansim.alerts.follow', {json.dumps(json.dumps(follow))});")


def open_route(page, url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, url + "/#/route")
    page.wait_for_selector("[data-route-map][data-map-ready]", state="attached")
    page.wait_for_function("() => document.querySelector('[data-route-from]').dataset.i18n === 'screen.route.from.located'")


def find_routes(page) -> None:  # type: ignore[no-untyped-def]
    page.click("[data-route-find]")
    page.wait_for_function("() => ['found', 'error'].includes(document.querySelector('[data-screen=route]').dataset.routeState)")


def api_routes(page, start, end) -> dict:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "async ([from, to]) => (await fetch(`/api/v1/routes?from=${from}&to=${to}`)).json()",
        [f"{start[0]:.6f},{start[1]:.6f}", f"{end[0]:.6f},{end[1]:.6f}"],
    )


def selected_line(page) -> str | None:  # type: ignore[no-untyped-def]
    return page.evaluate("() => document.querySelector('[data-route-line][data-selected=true]')?.dataset.routeLine ?? null")


def test_routes_home_are_drawn_apart_with_their_explanations(live_server, context, page):
    seed(live_server.app)
    at_start(context, live_server)
    home_on_device(context)
    open_route(page, live_server.url)
    assert page.get_attribute("[data-route-destination]", "data-route-destination") == "home"

    find_routes(page)
    assert page.get_attribute("[data-screen=route]", "data-route-state") == "found", page.text_content("[data-route-error]")
    expected = api_routes(page, START, HOME)
    kinds = [feature["properties"]["kind"] for feature in expected["features"]]
    assert kinds and kinds[0] == "shortest"

    # One line and one card per alternative, each line its own colour and dash pattern.
    lines = page.eval_on_selector_all("[data-route-line]", "(els) => els.map((el) => ({kind: el.dataset.routeLine, stroke: el.getAttribute('stroke'), dash: el.getAttribute('stroke-dasharray')}))")
    assert sorted(line["kind"] for line in lines) == sorted(kinds)
    assert len({(line["stroke"], line["dash"]) for line in lines}) == len(lines)
    assert len({line["dash"] for line in lines}) == len(lines)  # not colour alone
    cards = page.locator("[data-route-card]")
    assert cards.count() == len(kinds)
    for n, feature in enumerate(expected["features"]):
        card = cards.nth(n)
        score = feature["properties"]["safety_score"]
        assert card.get_attribute("data-route-card") == feature["properties"]["kind"]
        assert f"{round(score)}/100" in card.inner_text()
        why = card.locator("[data-route-explanation]").inner_text()
        assert "CCTV" in why and "밝은 길" in why and "안심귀갓길" in why and "비상벨" in why  # Korean first
    note = page.locator("[data-route-note]")
    if expected["note"]:
        assert note.inner_text() == expected["note"]["ko"]
    else:
        assert note.is_hidden()

    # The first card is chosen; its bells are highlighted on the map.
    assert selected_line(page) == "shortest"
    assert cards.nth(0).get_attribute("aria-pressed") == "true"
    bells = [item for item in expected["features"][0]["properties"]["facilities"] if item["kind"] == "bell"]
    assert page.locator("[data-route-bell]").count() == len(bells)
    if len(kinds) > 1:
        cards.nth(len(kinds) - 1).click()
        assert selected_line(page) == kinds[-1]
        assert cards.nth(0).get_attribute("aria-pressed") == "false"
        bells = [item for item in expected["features"][-1]["properties"]["facilities"] if item["kind"] == "bell"]
        assert page.locator("[data-route-bell]").count() == len(bells)

    # Walk me home is not there yet: shown, but disabled.
    assert page.is_disabled("[data-route-walk]")
    assert page.js_errors == []


def test_a_tapped_point_and_a_start_far_from_streets(live_server, context, page):
    seed(live_server.app)
    at_start(context, live_server)
    open_route(page, live_server.url)
    # No home on this device: the screen says where to set one.
    assert page.is_visible("[data-route-home-help]")
    page.click("[data-route-find]")
    assert page.get_attribute("[data-route-error]", "data-error") == "no_home"
    assert "집이 정해지지 않았습니다" in page.inner_text("[data-route-error]")

    # A tap on the map is the destination.
    box = page.locator("[data-route-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    assert page.is_checked("[data-route-to][value=point]")
    assert page.get_attribute("[data-route-destination]", "data-route-destination") == "point"
    find_routes(page)
    assert page.get_attribute("[data-screen=route]", "data-route-state") == "found", page.text_content("[data-route-error]")
    assert page.locator("[data-route-card]").count() == page.locator("[data-route-line]").count() >= 1

    # Far from any street: the 422 in words, and the old routes are gone.
    context.set_geolocation({"latitude": FAR[0], "longitude": FAR[1], "accuracy": 15})
    page.wait_for_timeout(300)
    find_routes(page)
    assert page.get_attribute("[data-route-error]", "data-error") == "too_far_from"
    assert "길에서 너무 멉니다" in page.inner_text("[data-route-error]")
    assert page.locator("[data-route-line]").count() == 0
    assert page.is_hidden("[data-route-results]")
    assert page.js_errors == []


def test_without_a_street_graph_the_screen_says_so(live_server, context, page):
    at_start(context, live_server)
    home_on_device(context)
    open_route(page, live_server.url)
    find_routes(page)
    assert page.get_attribute("[data-route-error]", "data-error") == "no_graph"
    assert page.js_errors == []


def test_offline_routes_need_a_connection(live_server, context, page):
    seed(live_server.app)
    at_start(context, live_server)
    home_on_device(context)
    open_route(page, live_server.url)
    context.set_offline(True)
    page.click("[data-route-find]")
    assert page.get_attribute("[data-route-error]", "data-error") == "offline"
    context.set_offline(False)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_route_screen_has_no_serious_accessibility_violations(live_server, context, page, lang):
    seed(live_server.app)
    at_start(context, live_server)
    home_on_device(context)
    context.add_init_script(f"localStorage.setItem('ansim.lang', '{lang}');")
    open_route(page, live_server.url)
    find_routes(page)
    assert page.locator("[data-route-card]").count() >= 1
    if lang == "en":
        assert "in camera view" in page.inner_text("[data-route-explanation] >> nth=0")
    assert axe_violations(page) == []
    assert page.js_errors == []
