"""POST /api/v1/reports exactly once, the reporter's view, the operators' workflow."""

import threading
import uuid

import pytest
import sqlalchemy as sa

from server import geo
from server.extensions import db
from server.facilities.models import FacilityKind
from server.reports.models import Report, ReportEvent
from tests.conftest import Actor, add_facilities, assert_error, make_app

HERE = (37.5894, 127.0167)


def send(actor, body, key=None):  # type: ignore[no-untyped-def]
    return actor.post("/api/v1/reports", json=body, headers={"Idempotency-Key": key or str(uuid.uuid4())})


def stored(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Report))


def test_sos_from_a_device_is_stored_once_and_the_retry_gets_the_same_report(app, as_):
    device = as_("device")
    key = str(uuid.uuid4())
    first = send(device, {"kind": "sos", "lat": HERE[0], "lon": HERE[1], "accuracy_m": 12, "client_time": "2026-11-26T21:05:00+09:00"}, key)
    assert first.status_code == 201
    report = first.get_json()
    assert report["status"] == "new" and report["kind"] == "sos" and report["client_time"].startswith("2026-11-26T12:05:00")
    assert "device_id" not in report and "user_id" not in report  # the reporter's view has no identities
    again = send(device, {"kind": "sos", "lat": HERE[0], "lon": HERE[1]}, key)
    assert again.status_code == 200 and again.get_json()["id"] == report["id"]
    assert stored(app) == 1
    assert [r["id"] for r in device.get("/api/v1/reports/mine").get_json()] == [report["id"]]


def test_concurrent_retries_store_exactly_one_report(app):
    device = Actor(app, device=True)
    key = str(uuid.uuid4())
    body = {"kind": "sos", "lat": HERE[0], "lon": HERE[1]}
    barrier = threading.Barrier(8)
    results: list[tuple[int, int]] = []

    def retry() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/reports", json=body, headers={**device.headers, "Idempotency-Key": key})
        results.append((response.status_code, response.get_json()["id"]))

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert {report_id for _, report_id in results} == {results[0][1]}
    assert sorted(code for code, _ in results).count(201) == 1
    assert stored(app) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportEvent)) == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "sos", "lat": 91, "lon": 127}, "lat"),
        ({"kind": "sos", "lat": 37.5, "lon": 181}, "lon"),
        ({"kind": "stampede", "lat": 37.5, "lon": 127}, "kind"),
        ({"kind": "other", "lat": 37.5, "lon": 127, "text": "가" * 2001}, "text"),
        ({"kind": "sos"}, "lat"),
        ({"kind": "crime_warning_post"}, "url"),
        ({"kind": "crime_warning_post", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "facility_fault", "lat": 37.5, "lon": 127}, "facility_id"),
        ({"kind": "facility_fault", "lat": 37.5, "lon": 127, "facility_id": 987654}, "facility_id"),
        ({"kind": "sos", "lat": 37.5, "lon": 127, "client_time": "2026-11-26T21:05:00"}, "client_time"),
        ({"kind": "sos", "lat": 37.5, "lon": 127, "who": "me"}, "who"),
    ],
)
def test_invalid_reports_are_refused_and_nothing_is_stored(app, as_, body, field):
    assert_error(send(as_("device"), body), 422, json=[field])
    assert stored(app) == 0


@pytest.mark.parametrize("key", [None, "short", "has spaces in it", "x" * 101])
def test_the_idempotency_key_is_required_and_checked(app, as_, key):
    device = as_("device")
    headers = {} if key is None else {"Idempotency-Key": key}
    response = device.post("/api/v1/reports", json={"kind": "sos", "lat": 37.5, "lon": 127}, headers=headers)
    assert_error(response, 422, headers=["Idempotency-Key"])
    assert stored(app) == 0


def test_a_key_cannot_fetch_someone_elses_report(as_):
    key = str(uuid.uuid4())
    assert send(as_("device"), {"kind": "dark_street", "lat": 37.5, "lon": 127}, key).status_code == 201
    assert_error(send(as_("device"), {"kind": "dark_street", "lat": 37.5, "lon": 127}, key), 409, headers=["Idempotency-Key"])


def test_an_sos_needs_no_account_but_some_identity(client):
    response = client.post("/api/v1/reports", json={"kind": "sos", "lat": 37.5, "lon": 127}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert_error(response, 401)


def test_crime_warning_post_needs_no_location(as_):
    response = send(as_("resident"), {"kind": "crime_warning_post", "url": "https://example.com/board/123", "text": "역에서 범행 예고"})
    assert response.status_code == 201 and response.get_json()["lat"] is None


def test_operator_sees_sos_first_with_nearest_cameras_and_moves_the_case(app, as_):
    with app.app_context():
        cameras = add_facilities(*({"kind": FacilityKind.CCTV, "lat": geo.destination(*HERE, 90, d)[0], "lon": geo.destination(*HERE, 90, d)[1]} for d in (30, 60, 90, 400)))
        (bell,) = add_facilities({"kind": FacilityKind.BELL, "lat": geo.destination(*HERE, 0, 50)[0], "lon": geo.destination(*HERE, 0, 50)[1]})
    resident, device, operator = as_("resident"), as_("device"), as_("operator")
    older = send(resident, {"kind": "suspicious_person", "lat": 37.6, "lon": 127.03, "text": "골목에서 따라옴"}).get_json()
    sos = send(device, {"kind": "sos", "lat": HERE[0], "lon": HERE[1], "silent": True}).get_json()
    listed = operator.get("/api/v1/reports").get_json()
    assert [r["id"] for r in listed] == [sos["id"], older["id"]]
    assert listed[0]["device_id"] is not None and listed[1]["user_id"] == resident.user_id

    detail = operator.get(f"/api/v1/reports/{sos['id']}").get_json()
    assert [c["id"] for c in detail["nearest"]["cctv"]] == cameras[:3]
    assert [b["id"] for b in detail["nearest"]["bells"]] == [bell]
    assert [e["to_status"] for e in detail["events"]] == ["new"]

    changed = operator.patch(f"/api/v1/reports/{sos['id']}", json={"status": "acknowledged", "note": "CCTV 확인 중", "public_note": "관제센터가 확인했습니다"})
    assert changed.get_json()["status"] == "acknowledged"
    mine = device.get("/api/v1/reports/mine").get_json()
    assert mine[0]["status"] == "acknowledged" and mine[0]["public_note"] == "관제센터가 확인했습니다"
    assert_error(operator.patch(f"/api/v1/reports/{sos['id']}", json={"status": "new"}), 409, json=["status"])
    operator.patch(f"/api/v1/reports/{sos['id']}", json={"status": "resolved"})
    events = operator.get(f"/api/v1/reports/{sos['id']}").get_json()["events"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [(None, "new"), ("new", "acknowledged"), ("acknowledged", "resolved")]
    assert events[1]["note"] == "CCTV 확인 중" and events[1]["actor_user_id"] == operator.user_id
    assert [r["id"] for r in operator.get("/api/v1/reports?status=resolved").get_json()] == [sos["id"]]
    assert [r["id"] for r in operator.get("/api/v1/reports?kind=suspicious_person").get_json()] == [older["id"]]


def test_merging_duplicates(as_):
    operator = as_("operator")
    first = send(as_("device"), {"kind": "weapon_seen", "lat": 37.59, "lon": 127.01}).get_json()
    second = send(as_("device"), {"kind": "weapon_seen", "lat": 37.5901, "lon": 127.0101}).get_json()
    merged = operator.post(f"/api/v1/reports/{second['id']}/merge", json={"into": first["id"]}).get_json()
    assert merged["status"] == "duplicate" and merged["merged_into_id"] == first["id"]
    assert_error(operator.post(f"/api/v1/reports/{first['id']}/merge", json={"into": first["id"]}), 409)


def test_residents_see_only_their_own_reports(as_):
    alice, bob = as_("resident"), as_("resident")
    mine = send(alice, {"kind": "dark_street", "lat": 37.59, "lon": 127.01}).get_json()
    send(bob, {"kind": "dark_street", "lat": 37.59, "lon": 127.01})
    assert [r["id"] for r in alice.get("/api/v1/reports/mine").get_json()] == [mine["id"]]
    assert_error(alice.get(f"/api/v1/reports/{mine['id']}"), 403)
    assert_error(alice.get("/api/v1/reports"), 403)


def test_rate_limits_never_block_a_first_sos(tmp_path):
    app = make_app(tmp_path, REPORT_RATE_LIMIT="2 per hour", REPORT_ADDRESS_RATE_LIMIT="3 per hour", SOS_RATE_LIMIT="2 per hour")
    device = Actor(app, device=True)
    ordinary = {"kind": "dark_street", "lat": 37.59, "lon": 127.01}
    key = str(uuid.uuid4())
    assert send(device, ordinary, key).status_code == 201
    assert send(device, ordinary, key).status_code == 200  # a retry costs nothing
    assert send(device, ordinary).status_code == 201
    assert_error(send(device, ordinary), 429)
    assert send(device, {"kind": "sos", "lat": 37.59, "lon": 127.01}).status_code == 201  # its first SOS
    # The address's quota is used up by one more device; a stranger's SOS still goes through.
    assert send(Actor(app, device=True), ordinary).status_code == 201
    assert_error(send(Actor(app, device=True), ordinary), 429)
    assert send(Actor(app, device=True), {"kind": "sos", "lat": 37.59, "lon": 127.01}).status_code == 201
    assert stored(app) == 5
    # Past its limit, the first device still hears back about what it sent.
    assert send(device, ordinary, key).status_code == 200


def test_public_view_rounds_places_hides_people_and_private_kinds(app, as_):
    device, operator = as_("device"), as_("operator")
    place = (37.589412, 127.016733)
    seen = send(device, {"kind": "suspicious_person", "lat": place[0], "lon": place[1], "text": "빨간 모자, 010-1234-5678"}).get_json()
    send(device, {"kind": "sos", "lat": place[0], "lon": place[1]})
    send(device, {"kind": "crime_warning_post", "url": "https://example.com/p/1", "lat": place[0], "lon": place[1]})
    wrong = send(device, {"kind": "weapon_seen", "lat": place[0], "lon": place[1]}).get_json()
    operator.patch(f"/api/v1/reports/{wrong['id']}", json={"status": "false_alarm"})
    public = as_("anonymous").get("/api/v1/reports/public?bbox=127.0,37.58,127.03,37.60").get_json()
    assert [f["properties"] for f in public["features"]] == [{"kind": "suspicious_person", "open": True, "day": seen["received_at"][:10]}]
    lon, lat = public["features"][0]["geometry"]["coordinates"]
    assert 1 < geo.haversine_m(lat, lon, *place) <= 71  # within the ~100 m cell, never exact
    # The spot is a cell's fixed centre: snapping it again changes nothing.
    assert geo.snap_to_grid(lat, lon, 100) == (lat, lon)
    assert "빨간" not in str(public) and "id" not in public["features"][0]["properties"]
    assert as_("anonymous").get("/api/v1/reports/public?bbox=127.0,37.58,127.03,37.60&days=0").status_code == 422
