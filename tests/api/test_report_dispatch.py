"""Dispatching a case to a guard, what the guard sees of it, and the
operator's view of a report: its area, its nearest cameras, its history."""

import io
import uuid

import pytest
from PIL import Image

from server.accounts import service as accounts
from server.accounts.models import Role
from server.extensions import db
from server.facilities.areas import import_areas
from server.facilities.models import FacilityKind
from server.reports.models import Report
from tests.conftest import Actor, add_facilities, assert_error
from tests.facilities.test_areas import write_areas

HERE = (37.5894, 127.0167)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 128, 0)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def case(app, as_):  # type: ignore[no-untyped-def]
    """A resident's report with a photo, an operator, and two guards."""
    resident = as_("device")
    response = resident.post("/api/v1/reports", json={"kind": "suspicious_person", "lat": HERE[0], "lon": HERE[1], "text": "골목에서 따라옴"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    report = response.get_json()
    assert resident.post(f"/api/v1/reports/{report['id']}/photos", data={"photo": (io.BytesIO(png()), "p.png")}, content_type="multipart/form-data").status_code == 201
    with app.app_context():
        team = accounts.create_organisation("성북 자율방범대")
        guard = Actor(app, role=Role.GUARD)
        accounts.update_user(accounts.get_user(guard.user_id), {"organisation_id": team.id, "display_name": "김순찰"})
    return {"report": report, "resident": resident, "operator": as_("operator"), "guard": guard, "other_guard": as_("guard")}


def test_a_dispatched_case_reaches_its_guard_and_no_one_else(case):
    report, operator, guard = case["report"], case["operator"], case["guard"]
    response = operator.patch(f"/api/v1/reports/{report['id']}", json={"status": "dispatched", "assignee_id": guard.user_id, "note": "정문 쪽으로 가 주세요"})
    assert response.status_code == 200
    assert response.get_json()["assignee"] == {"id": guard.user_id, "display_name": "김순찰", "organisation": {"id": response.get_json()["assignee"]["organisation"]["id"], "name": "성북 자율방범대"}}

    (seen,) = guard.get("/api/v1/reports/assigned").get_json()
    assert (seen["id"], seen["kind"], seen["text"], seen["dispatch_note"]) == (report["id"], "suspicious_person", "골목에서 따라옴", "정문 쪽으로 가 주세요")
    assert not {"device_id", "user_id", "public_note", "url"} & set(seen)  # what and where, never who
    with guard.get(f"/api/v1/reports/{report['id']}/photos/{seen['photos'][0]['id']}") as served:
        assert served.status_code == 200 and served.mimetype == "image/png"

    other = case["other_guard"]
    assert other.get("/api/v1/reports/assigned").get_json() == []
    assert_error(other.get(f"/api/v1/reports/{report['id']}/photos/{seen['photos'][0]['id']}"), 403)
    assert_error(other.post(f"/api/v1/reports/assigned/{report['id']}", json={"note": "?"}), 404)


def test_the_guard_reports_back_and_closes_the_case(case):
    report, operator, guard = case["report"], case["operator"], case["guard"]
    operator.patch(f"/api/v1/reports/{report['id']}", json={"status": "dispatched", "assignee_id": guard.user_id})
    assert guard.post(f"/api/v1/reports/assigned/{report['id']}", json={"note": "현장 도착"}).get_json()["status"] == "dispatched"
    closed = guard.post(f"/api/v1/reports/assigned/{report['id']}", json={"note": "이상 없음, 귀가 확인", "resolved": True})
    assert closed.status_code == 200 and closed.get_json()["status"] == "resolved"
    assert guard.get("/api/v1/reports/assigned").get_json() == []
    assert_error(guard.post(f"/api/v1/reports/assigned/{report['id']}", json={"note": "again"}), 409)

    history = operator.get(f"/api/v1/reports/{report['id']}").get_json()["events"]
    assert [(e["to_status"], e["note"], e["actor_name"], e["actor_role"]) for e in history[-3:]] == [
        ("dispatched", None, "operator 테스트", "operator"),
        ("dispatched", "현장 도착", "김순찰", "guard"),
        ("resolved", "이상 없음, 귀가 확인", "김순찰", "guard"),
    ]
    assert history[-3]["assignee_name"] == "김순찰"
    assert history[0]["actor_name"] is None and history[0]["actor_role"] is None  # the resident stays anonymous
    # The reporter hears that it is resolved, and never who the guard is.
    mine = case["resident"].get("/api/v1/reports/mine").get_json()[0]
    assert mine["status"] == "resolved" and "assignee" not in mine


@pytest.mark.parametrize(
    "body, message",
    [
        ({"status": "acknowledged", "assignee_id": "{guard}"}, "Only a dispatch names a guard."),
        ({"status": "dispatched", "assignee_id": "{operator}"}, "Cases are dispatched to active guards."),
        ({"status": "dispatched", "assignee_id": 987654}, "No such guard."),
    ],
)
def test_only_a_dispatch_names_an_active_guard(app, case, body, message):
    ids = {"{guard}": case["guard"].user_id, "{operator}": case["operator"].user_id}
    body = {**body, "assignee_id": ids.get(body["assignee_id"], body["assignee_id"])}
    error = assert_error(case["operator"].patch(f"/api/v1/reports/{case['report']['id']}", json=body), 422, json=["assignee_id"])
    assert error["message"] == message
    with app.app_context():
        report = db.session.get(Report, case["report"]["id"])
        assert (report.status.value, report.assignee_id, len(report.events)) == ("new", None, 1)


def test_a_deactivated_guard_is_not_offered_or_dispatched(app, case):
    operator = case["operator"]
    names = [g["display_name"] for g in operator.get("/api/v1/guards").get_json()]
    assert "김순찰" in names and len(names) == 2
    with app.app_context():
        accounts.update_user(accounts.get_user(case["guard"].user_id), {"active": False})
    assert "김순찰" not in [g["display_name"] for g in operator.get("/api/v1/guards").get_json()]
    assert_error(operator.patch(f"/api/v1/reports/{case['report']['id']}", json={"status": "dispatched", "assignee_id": case["guard"].user_id}), 422, json=["assignee_id"])


def test_the_operator_sees_the_area_and_the_nearest_cameras_with_their_direction(app, as_, tmp_path):
    with app.app_context():
        for path in write_areas(tmp_path):
            import_areas(path)
        add_facilities(
            {"kind": FacilityKind.CCTV, "lat": HERE[0] + 0.0003, "lon": HERE[1], "road_address": "서울 성북구 보문로 168", "attributes": {"management_number": "SB-0042", "direction": "남측", "camera_count": 2}},
            {"kind": FacilityKind.CCTV, "lat": HERE[0], "lon": HERE[1] + 0.002, "lot_address": "성북구 삼선동 1", "attributes": {}},
            {"kind": FacilityKind.BELL, "lat": HERE[0] - 0.0002, "lon": HERE[1], "location": "버스정류장", "agency_phone": "02-2241-1234", "attributes": {"bell_number": "B-7"}},
        )
    device = as_("device")
    report = device.post("/api/v1/reports", json={"kind": "weapon_seen", "lat": HERE[0], "lon": HERE[1]}, headers={"Idempotency-Key": str(uuid.uuid4())}).get_json()
    seen = as_("operator").get(f"/api/v1/reports/{report['id']}").get_json()
    assert (seen["area_name"], seen["dong_code"], seen["gu_code"]) == ("돈암1동", "1129061000", "11290")
    first, second = seen["nearest"]["cctv"]
    assert (first["ref"], first["address"], first["view_direction"], first["camera_count"], first["compass"]) == ("SB-0042", "서울 성북구 보문로 168", "남측", 2, "N")
    assert 30 < first["distance_m"] < 36 and second["address"] == "성북구 삼선동 1" and second["view_direction"] is None
    (bell,) = seen["nearest"]["bells"]
    assert (bell["ref"], bell["address"], bell["agency_phone"]) == ("B-7", "버스정류장", "02-2241-1234")
    listed = as_("operator").get("/api/v1/reports").get_json()
    assert listed[0]["area_name"] == "돈암1동" and listed[0]["assignee"] is None


def test_areas_are_listed_for_pickers_with_boundaries_on_request(app, client, tmp_path):
    with app.app_context():
        for path in write_areas(tmp_path):
            import_areas(path)
    dongs = client.get("/api/v1/areas?level=dong&parent=11290").get_json()
    assert [(a["code"], a["name"], a["parent_code"]) for a in dongs] == [("1129061000", "돈암1동", "11290")]
    assert "geometry" not in dongs[0] and dongs[0]["bbox"] == [127.0, 37.57, 127.03, 37.63]
    gus = client.get("/api/v1/areas?level=gu&geometry=true").get_json()
    assert {a["name"] for a in gus} == {"성북구", "종로구"} and gus[0]["geometry"]["type"] == "Polygon"
    assert_error(client.get("/api/v1/areas?level=city"), 422, query=["level"])
