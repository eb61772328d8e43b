"""GET /api/v1/facilities/nearby, the map viewport, one facility, status."""

import pytest

from server import geo
from server.extensions import db
from server.facilities import versions
from server.facilities.models import Facility, FacilityKind, FacilityStatus
from tests.conftest import add_facilities, assert_error, make_app

HOME = (37.5894, 127.0167)


@pytest.fixture
def around_home(app):  # type: ignore[no-untyped-def]
    """A bell 120 m east, a bell 400 m north, a camera 60 m south, a light 2 km west."""
    with app.app_context():
        return dict(
            zip(
                ("bell_east", "bell_north", "cctv_south", "light_far"),
                add_facilities(
                    {"kind": FacilityKind.BELL, "location": "공원 입구", "lat": geo.destination(*HOME, 90, 120)[0], "lon": geo.destination(*HOME, 90, 120)[1]},
                    {"kind": FacilityKind.BELL, "road_address": "서울특별시 성북구 보문로 1", "lat": geo.destination(*HOME, 0, 400)[0], "lon": geo.destination(*HOME, 0, 400)[1]},
                    {"kind": FacilityKind.CCTV, "location": "골목길", "lat": geo.destination(*HOME, 180, 60)[0], "lon": geo.destination(*HOME, 180, 60)[1], "attributes": {"camera_count": 2}},
                    {"kind": FacilityKind.SECURITY_LIGHT, "lat": geo.destination(*HOME, 270, 2000)[0], "lon": geo.destination(*HOME, 270, 2000)[1]},
                ),
                strict=True,
            )
        )


def test_nearby_sorted_with_distance_direction_and_walking_time(client, around_home):
    body = client.get(f"/api/v1/facilities/nearby?lat={HOME[0]}&lon={HOME[1]}&radius=1000").get_json()
    assert [i["id"] for i in body["items"]] == [around_home["cctv_south"], around_home["bell_east"], around_home["bell_north"]]
    east = body["items"][1]
    assert east["kind"] == "bell" and east["label"] == "공원 입구"
    assert east["distance_m"] == pytest.approx(120, abs=0.1)
    assert east["bearing_deg"] == pytest.approx(90, abs=0.5) and east["compass"] == "E" and east["compass_ko"] == "동"
    assert east["walking_minutes"] == pytest.approx(1.6, abs=0.05)
    assert body["items"][2]["label"] == "서울특별시 성북구 보문로 1"  # address when there is no location text


def test_nearby_filters_by_kind_and_limit(client, around_home):
    bells = client.get(f"/api/v1/facilities/nearby?lat={HOME[0]}&lon={HOME[1]}&kind=bell&limit=1").get_json()["items"]
    assert [b["id"] for b in bells] == [around_home["bell_east"]]
    both = client.get(f"/api/v1/facilities/nearby?lat={HOME[0]}&lon={HOME[1]}&kind=bell,security_light&radius=5000").get_json()
    assert {i["kind"] for i in both["items"]} == {"bell", "security_light"}


@pytest.mark.parametrize(
    "query, field",
    [
        ("lat=91&lon=127", "lat"),
        ("lat=37.5&lon=-181", "lon"),
        ("lat=abc&lon=127", "lat"),
        ("lon=127", "lat"),
        ("lat=37.5&lon=127&radius=5001", "radius"),
        ("lat=37.5&lon=127&radius=0", "radius"),
        ("lat=37.5&lon=127&kind=unicorn", "kind"),
        ("lat=37.5&lon=127&limit=101", "limit"),
    ],
)
def test_nearby_validation(client, query, field):
    assert_error(client.get(f"/api/v1/facilities/nearby?{query}"), 422, query=[field])


@pytest.mark.parametrize("bbox", ["1,2,3", "127.1,37.5,127.0,37.6", "a,b,c,d", "120,30,127,37", "127,37.5,127.1,91"])
def test_viewport_validation(client, bbox):
    assert_error(client.get(f"/api/v1/facilities?bbox={bbox}"), 422, query=["bbox"])


def test_viewport_is_geojson_and_clusters_when_crowded(tmp_path):
    app = make_app(tmp_path, VIEWPORT_MAX_POINTS=50)
    with app.app_context():
        add_facilities(*({"kind": FacilityKind.CCTV, "lat": 37.58 + i * 0.0003, "lon": 127.01 + (i % 10) * 0.0004} for i in range(120)))
        add_facilities({"kind": FacilityKind.BELL, "lat": 37.585, "lon": 127.012})
    client = app.test_client()
    small = client.get("/api/v1/facilities?bbox=127.0115,37.5845,127.0125,37.5855").get_json()
    assert small["type"] == "FeatureCollection" and not small["aggregated"]
    assert any(f["properties"]["kind"] == "bell" for f in small["features"])
    feature = small["features"][0]
    assert feature["geometry"]["type"] == "Point" and len(feature["geometry"]["coordinates"]) == 2

    crowded = client.get("/api/v1/facilities?bbox=127.0,37.57,127.03,37.63").get_json()
    assert crowded["aggregated"] and crowded["total"] == 121
    assert sum(f["properties"]["count"] for f in crowded["features"]) == 121
    assert sum(f["properties"]["kinds"].get("bell", 0) for f in crowded["features"]) == 1
    only_bells = client.get("/api/v1/facilities?bbox=127.0,37.57,127.03,37.63&kind=bell").get_json()
    assert only_bells["total"] == 1 and not only_bells["aggregated"]


def test_one_facility_with_its_details(client, around_home):
    body = client.get(f"/api/v1/facilities/{around_home['cctv_south']}").get_json()
    assert body["kind"] == "cctv" and body["status"] == "active" and body["attributes"] == {"camera_count": 2}
    assert_error(client.get("/api/v1/facilities/999999"), 404)


def test_out_of_order_facility_is_no_longer_offered_as_nearest(app, client, as_, around_home):
    operator = as_("operator")
    url = f"/api/v1/facilities/nearby?lat={HOME[0]}&lon={HOME[1]}&kind=bell&limit=1"
    assert client.get(url).get_json()["items"][0]["id"] == around_home["bell_east"]
    changed = operator.patch(f"/api/v1/facilities/{around_home['bell_east']}", json={"status": "out_of_order"})
    assert changed.get_json()["status"] == "out_of_order"
    assert client.get(url).get_json()["items"][0]["id"] == around_home["bell_north"]
    assert_error(operator.patch(f"/api/v1/facilities/{around_home['bell_east']}", json={"status": "removed"}), 422, json=["status"])
    operator.patch(f"/api/v1/facilities/{around_home['bell_east']}", json={"status": "active"})
    assert client.get(url).get_json()["items"][0]["id"] == around_home["bell_east"]


def test_a_change_made_by_another_process_is_noticed(tmp_path):
    """Two apps on one database stand for two worker processes."""
    reader = make_app(tmp_path, INDEX_CHECK_SECONDS=0)
    writer = make_app(tmp_path, INDEX_CHECK_SECONDS=0)
    url = f"/api/v1/facilities/nearby?lat={HOME[0]}&lon={HOME[1]}"
    assert reader.test_client().get(url).get_json()["count"] == 0
    with writer.app_context():
        add_facilities({"lat": HOME[0], "lon": HOME[1] + 0.001})
    assert reader.test_client().get(url).get_json()["count"] == 1
    with writer.app_context():
        db.session.execute(db.update(Facility).values(status=FacilityStatus.REMOVED))
        versions.bump(versions.FACILITIES)
        db.session.commit()
    assert reader.test_client().get(url).get_json()["count"] == 0


def test_nearby_answer_has_the_documented_shape(client, around_home):
    from server.api.schemas.facilities import NearbyResultSchema

    body = client.get(f"/api/v1/facilities/nearby?lat={HOME[0]}&lon={HOME[1]}").get_json()
    assert NearbyResultSchema().load(body) and set(body["items"][0]) == set(NearbyResultSchema().fields["items"].inner.schema.fields)
