"""Warnings from draft to sent, updated and cancelled; who may do what;
what residents can read; and the CAP 1.2 feed."""

import datetime as dt
import uuid
from xml.etree import ElementTree as ET

import pytest
import sqlalchemy as sa

from server.accounts.models import Role
from server.alerts.models import Alert, Delivery
from server.extensions import db
from tests.alerts.keys import BrowserKeys
from tests.conftest import Actor, assert_error, make_app

CENTRE = (37.5894, 127.0167)
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"


def soon(hours: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat()


def warning(**changes):  # type: ignore[no-untyped-def]
    return {
        "event": "Random attacks",
        "urgency": "immediate",
        "severity": "severe",
        "certainty": "observed",
        "headline_ko": "[안심] 흉기 난동 발생",
        "headline_en": "[Ansim] Knife attack reported",
        "description_ko": "보문역 인근에서 흉기 난동이 있었습니다.",
        "description_en": "A knife attack near Bomun station.",
        "instruction_ko": "큰길로 다니세요.",
        "instruction_en": "Keep to main streets.",
        "area_desc_ko": "보문역 반경 500m",
        "area_desc_en": "Within 500 m of Bomun station",
        "areas": {"circles": [{"lat": CENTRE[0], "lon": CENTRE[1], "radius_m": 500}]},
        "expires": soon(6),
        **changes,
    }


def subscribe_near(app, n: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(n):
        device = Actor(app, device=True)
        body = {**BrowserKeys.new().subscription(), "here": {"lat": CENTRE[0], "lon": CENTRE[1]}}
        assert device.post("/api/v1/push/subscriptions", json=body).status_code == 201


def deliveries(app, alert_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Delivery).where(Delivery.alert_id == alert_id))


def test_a_warning_goes_from_draft_to_sent_and_queues_one_push_per_subscriber(app, as_):
    subscribe_near(app, 3)
    far = Actor(app, device=True)
    far.post("/api/v1/push/subscriptions", json={**BrowserKeys.new().subscription(), "here": {"lat": 37.65, "lon": 127.1}})
    operator = as_("operator")
    assert operator.post("/api/v1/alerts/preview", json={"areas": warning()["areas"]}).get_json() == {"recipients": 3}
    draft = operator.post("/api/v1/alerts", json=warning()).get_json()
    assert draft["state"] == "draft" and draft["identifier"].startswith("urn:uuid:") and draft["sender"] == "ansim@11290.go.kr"
    assert as_("anonymous").get("/api/v1/alerts").get_json() == []  # a draft is no one else's business
    assert_error(as_("anonymous").get(f"/api/v1/alerts/{draft['id']}"), 404)

    sent = operator.post(f"/api/v1/alerts/{draft['id']}/send").get_json()
    assert sent["state"] == "sent" and sent["approver_id"] == operator.user_id and sent["counts"]["queued"] == 3
    assert deliveries(app, draft["id"]) == 3
    (public,) = as_("anonymous").get("/api/v1/alerts").get_json()
    assert public["headline_en"] == "[Ansim] Knife attack reported" and public["state"] == "sent" and "author_id" not in public
    assert_error(operator.post(f"/api/v1/alerts/{draft['id']}/send"), 409)  # never twice


def test_an_update_replaces_and_reaches_the_old_and_new_areas_and_a_cancel_everyone(app, as_):
    subscribe_near(app, 2)
    operator = as_("operator")
    first = operator.post("/api/v1/alerts", json=warning()).get_json()
    operator.post(f"/api/v1/alerts/{first['id']}/send")
    elsewhere = Actor(app, device=True)
    elsewhere.post("/api/v1/push/subscriptions", json={**BrowserKeys.new().subscription(), "here": {"lat": 37.60, "lon": 127.03}})

    update = operator.post(f"/api/v1/alerts/{first['id']}/update", json={"headline_en": "[Ansim] Suspect still at large", "areas": {"circles": [{"lat": 37.60, "lon": 127.03, "radius_m": 300}]}})
    assert update.status_code == 201
    update = update.get_json()
    assert (update["msg_type"], update["references_id"], update["state"], update["topic"]) == ("update", first["id"], "draft", first["topic"])
    operator.post(f"/api/v1/alerts/{update['id']}/send")
    assert deliveries(app, update["id"]) == 3  # the first two, and the new area's one
    assert operator.get(f"/api/v1/alerts/{first['id']}/manage").get_json()["state"] == "updated"
    assert as_("anonymous").get(f"/api/v1/alerts/{first['id']}").get_json()["state"] == "updated"  # a resident's old link says so
    assert [a["id"] for a in as_("anonymous").get("/api/v1/alerts").get_json()] == [update["id"]]

    cancel = operator.post(f"/api/v1/alerts/{update['id']}/cancel", json={}).get_json()
    assert (cancel["msg_type"], cancel["state"], cancel["headline_ko"]) == ("cancel", "sent", "[해제] [안심] 흉기 난동 발생")
    assert deliveries(app, cancel["id"]) == 3
    assert operator.get(f"/api/v1/alerts/{update['id']}/manage").get_json()["state"] == "cancelled"
    assert as_("anonymous").get("/api/v1/alerts").get_json() == []


def test_with_two_person_approval_the_author_cannot_approve(tmp_path):
    app = make_app(tmp_path, ALERT_TWO_PERSON_APPROVAL=True)
    author, colleague = Actor(app, role=Role.OPERATOR), Actor(app, role=Role.ADMIN)
    draft = author.post("/api/v1/alerts", json=warning()).get_json()
    assert_error(author.post(f"/api/v1/alerts/{draft['id']}/send"), 409)
    assert_error(author.post(f"/api/v1/alerts/{draft['id']}/approve"), 403)
    approved = colleague.post(f"/api/v1/alerts/{draft['id']}/approve").get_json()
    assert approved["state"] == "approved" and approved["approver_id"] == colleague.user_id
    # Editing what was approved needs approving again.
    edited = author.patch(f"/api/v1/alerts/{draft['id']}", json={"headline_en": "[Ansim] Knife attack: suspect caught"}).get_json()
    assert edited["state"] == "draft" and edited["approver_id"] is None
    colleague.post(f"/api/v1/alerts/{draft['id']}/approve")
    assert author.post(f"/api/v1/alerts/{draft['id']}/send").get_json()["state"] == "sent"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"expires": soon(-1)}, "expires"),
        ({"areas": {"circles": [], "polygons": [], "geocodes": []}}, "areas"),
        ({"areas": {"polygons": [[[127.0, 37.5], [127.1, 37.5], [127.1, 37.6]]]}}, "areas"),
        ({"areas": {"geocodes": ["1129099999"]}}, "areas"),
        ({"areas": {"circles": [{"lat": 37.5, "lon": 127.0, "radius_m": 5}]}}, "areas"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"headline_ko": ""}, "headline_ko"),
        ({"onset": soon(7)}, "onset"),
    ],
)
def test_warnings_that_cannot_be_sent_are_refused(app, as_, change, field):
    assert_error(as_("operator").post("/api/v1/alerts", json=warning(**change)), 422, json=[field])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Alert)) == 0


def test_only_operators_compose(app, as_):
    for kind in ("anonymous", "device", "resident", "guard"):
        response = as_(kind).post("/api/v1/alerts", json=warning())
        assert response.status_code in (401, 403)


def test_a_warning_drafted_from_a_report_starts_at_the_report(app, as_):
    device = as_("device")
    report = device.post("/api/v1/reports", json={"kind": "weapon_seen", "lat": CENTRE[0], "lon": CENTRE[1]}, headers={"Idempotency-Key": str(uuid.uuid4())}).get_json()
    operator = as_("operator")
    prefill = operator.get(f"/api/v1/alerts/draft-from-report/{report['id']}").get_json()
    assert prefill["areas"]["circles"] == [{"lat": CENTRE[0], "lon": CENTRE[1], "radius_m": 500.0}] and prefill["severity"] == "severe"
    prefill["source_report_id"] = report["id"]
    created = operator.post("/api/v1/alerts", json=prefill).get_json()
    assert created["source_report_id"] == report["id"] and created["headline_ko"].startswith("[안심] 흉기")


def test_the_cap_feed_carries_every_required_element(app, as_):
    operator = as_("operator")
    body = warning(areas={"circles": [{"lat": CENTRE[0], "lon": CENTRE[1], "radius_m": 500}], "polygons": [[[127.0, 37.58], [127.02, 37.58], [127.02, 37.6], [127.0, 37.58]]]})
    alert = operator.post("/api/v1/alerts", json=body).get_json()
    operator.post(f"/api/v1/alerts/{alert['id']}/send")
    anonymous = as_("anonymous")
    index = anonymous.get("/api/v1/alerts/cap")
    assert index.mimetype == "application/atom+xml"
    feed = ET.fromstring(index.data)
    (entry,) = feed.findall(f"{ATOM}entry")
    link = entry.find(f"{ATOM}link").get("href")
    document = anonymous.get(link)
    assert document.mimetype == "application/cap+xml"
    root = ET.fromstring(document.data)
    assert root.tag == f"{CAP}alert"
    for tag in ("identifier", "sender", "sent", "status", "msgType", "scope"):
        assert root.find(f"{CAP}{tag}").text, tag
    assert (root.find(f"{CAP}status").text, root.find(f"{CAP}msgType").text, root.find(f"{CAP}scope").text) == ("Actual", "Alert", "Public")
    assert dt.datetime.fromisoformat(root.find(f"{CAP}sent").text).utcoffset() == dt.timedelta(hours=9)
    infos = root.findall(f"{CAP}info")
    assert [i.find(f"{CAP}language").text for i in infos] == ["ko-KR", "en-US"]
    for info in infos:
        for tag in ("category", "event", "urgency", "severity", "certainty", "headline", "expires"):
            assert info.find(f"{CAP}{tag}").text, tag
        assert (info.find(f"{CAP}urgency").text, info.find(f"{CAP}severity").text, info.find(f"{CAP}certainty").text) == ("Immediate", "Severe", "Observed")
        area = info.find(f"{CAP}area")
        assert area.find(f"{CAP}areaDesc").text
        assert area.find(f"{CAP}circle").text == f"{CENTRE[0]:.6f},{CENTRE[1]:.6f} 0.500"
        assert area.find(f"{CAP}polygon").text.split(" ")[0] == "37.580000,127.000000"
    assert infos[0].find(f"{CAP}headline").text == "[안심] 흉기 난동 발생"


def test_operators_hear_a_warning_go_out_on_its_live_feed(tmp_path):
    import json
    import threading
    import time

    app = make_app(tmp_path, SSE_HEARTBEAT_SECONDS=0.1)
    subscribe_near(app, 2)
    operator = Actor(app, role=Role.OPERATOR)
    draft = operator.post("/api/v1/alerts", json=warning()).get_json()
    response = operator.client.get("/api/v1/alerts/stream", headers=operator.headers, buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    chunks = iter(response.response)
    sender = threading.Thread(target=lambda: operator.post(f"/api/v1/alerts/{draft['id']}/send"))
    try:
        started = time.monotonic()
        sender.start()
        while time.monotonic() - started < 2:
            frame = next(chunks)
            frame = frame.decode() if isinstance(frame, bytes) else frame
            if "event: alert" in frame:
                data = json.loads(frame.split("data: ", 1)[1])
                assert (data["id"], data["state"], data["counts"]["queued"]) == (draft["id"], "sent", 2)
                break
        else:
            raise AssertionError("no alert event within 2 s")
    finally:
        response.close()
        sender.join()
    assert_error(Actor(app, role=Role.RESIDENT).get("/api/v1/alerts/stream"), 403)
