"""GET /api/v1/routes: the GeoJSON answer, and every way a request can fail."""

import pytest

from server.facilities.models import FacilityKind
from server.routing.importing import store_graph
from tests.conftest import add_facilities, assert_error, make_app
from tests.routing.streets import at, graph

STREETS = (
    ([(-20, 0), (0, 0), (200, 0), (220, 0)], {"highway": "residential", "name": "골목길"}),
    ([(0, 0), (0, 30), (200, 30), (200, 0)], {"highway": "tertiary", "lit": 1, "name": "큰길"}),
    ([(0, 1000), (200, 1000)], {"highway": "residential"}),  # an island: no way to it
)
START, END, ISLAND = at(-20, 2), at(220, -2), at(100, 1005)


def url(start, end, **more):  # type: ignore[no-untyped-def]
    extra = "".join(f"&{k}={v}" for k, v in more.items())
    return f"/api/v1/routes?from={start[0]},{start[1]}&to={end[0]},{end[1]}{extra}"


@pytest.fixture
def streets(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        store_graph(graph(*STREETS))
        add_facilities(*({"kind": FacilityKind.CCTV, "lat": at(x, 40)[0], "lon": at(x, 40)[1]} for x in range(0, 201, 40)))
    return app


def test_routes_come_as_geojson_with_length_time_score_and_explanation(client, streets):
    response = client.get(url(START, END, at="2026-11-26T23:30:00"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["type"] == "FeatureCollection" and body["count"] == len(body["features"]) == 2
    assert body["at"] == "2026-11-26T23:30:00+09:00" and body["max_detour"] == 1.3
    assert body["from"]["snap_distance_m"] == pytest.approx(2, abs=0.01)
    assert body["note"]["en"] == "The safest route is the same as the balanced." and "같습니다" in body["note"]["ko"]
    shortest, safer = (f["properties"] for f in body["features"])
    assert shortest["kinds"] == ["shortest"] and safer["kinds"] == ["balanced", "safest"]
    assert shortest["length_m"] == pytest.approx(240, abs=0.1) and safer["length_m"] == pytest.approx(300, abs=0.1)
    assert safer["detour"] == pytest.approx(1.25, abs=0.001)
    assert shortest["walking_minutes"] == pytest.approx(240 / 75, abs=0.05)
    assert 0 <= shortest["safety_score"] < safer["safety_score"] <= 100
    assert set(safer["explanation"]) == {"camera_share", "bells_passed", "lit_share", "safe_path_share", "main_road_share", "safe_houses_open", "recent_reports"}
    assert safer["explanation"]["lit_share"] > 0.8 > shortest["explanation"]["lit_share"]
    assert [f["kind"] for f in safer["facilities"]] == ["cctv"] * 6
    assert "CCTV" in safer["summary_ko"] and "camera view" in safer["summary_en"]
    line = body["features"][0]["geometry"]
    assert line["type"] == "LineString" and line["coordinates"][0][0] > 126 and line["coordinates"][0][1] < 38  # [lon, lat]


def test_safe_houses_count_when_open_at_the_time_asked(client, streets):
    with streets.app_context():
        add_facilities({"kind": FacilityKind.SAFE_HOUSE, "lat": at(100, -10)[0], "lon": at(100, -10)[1], "location": "편의점", "attributes": {}})
    day = client.get(url(START, END, at="2026-11-26T14:00:00%2B09:00", max_detour=1.0)).get_json()["features"][0]["properties"]
    night = client.get(url(START, END, at="2026-11-26T23:30:00%2B09:00", max_detour=1.0)).get_json()["features"][0]["properties"]
    assert day["explanation"]["safe_houses_open"] == 1 and night["explanation"]["safe_houses_open"] == 0
    assert [f["open"] for f in day["facilities"] if f["kind"] == "safe_house"] == [True]
    assert [f["open"] for f in night["facilities"] if f["kind"] == "safe_house"] == [False]
    assert day["safety_score"] > night["safety_score"]


def test_without_a_street_graph_the_answer_says_so(client):
    body = assert_error(client.get(url(START, END)), 503)
    assert "No street graph" in body["message"] and "ansim import streets" in body["message"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("to=37.59,127.02", "from"),
        ("from=abc&to=37.59,127.02", "from"),
        ("from=37.59&to=37.59,127.02", "from"),
        ("from=37.59,127.02,3&to=37.59,127.02", "from"),
        ("from=37.59,127.02&to=95,127.02", "to"),
        ("from=37.59,127.02&to=37.59,nan", "to"),
        ("from=37.59,127.02&to=37.59,127.03&max_detour=2.5", "max_detour"),
        ("from=37.59,127.02&to=37.59,127.03&max_detour=0.9", "max_detour"),
        ("from=37.59,127.02&to=37.59,127.03&at=yesterday", "at"),
    ],
)
def test_malformed_requests_are_422_with_the_field_named(client, query, field):
    assert_error(client.get(f"/api/v1/routes?{query}"), 422, query=[field])


def test_a_point_far_from_any_street_is_422(client, streets):
    body = assert_error(client.get(url(at(-400, 500), END)), 422, query=["from"])
    assert "from the nearest walkable street" in body["message"] and "300 m" in body["message"]
    assert_error(client.get(url(START, at(100, 600))), 422, query=["to"])


def test_a_destination_too_far_to_walk_is_422(client, streets):
    body = assert_error(client.get(url(START, (START[0] + 0.3, START[1]))), 422, query=["to"])
    assert "20 km" in body["message"]


def test_points_with_no_walking_connection_are_404(client, streets):
    body = assert_error(client.get(url(START, ISLAND)), 404)
    assert "not connected" in body["message"]


def test_a_new_street_graph_is_picked_up(tmp_path):
    app = make_app(tmp_path, INDEX_CHECK_SECONDS=0)
    client = app.test_client()
    with app.app_context():
        store_graph(graph(STREETS[0]))
    assert client.get(url(START, END)).get_json()["graph_version"] == 1
    with app.app_context():
        store_graph(graph(*STREETS))
    assert client.get(url(START, END)).get_json()["graph_version"] == 2
    assert sorted((tmp_path / "instance" / "streets").iterdir()) == [tmp_path / "instance" / "streets" / f"graph-{n}.npz" for n in (1, 2)]


def test_routes_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"] for p in spec["paths"]["/api/v1/routes"]["get"]["parameters"]}
    assert parameters == {"from", "to", "at", "max_detour"}
