"""Durable delivery, end to end: warnings sent through the API reach a real
push service on loopback, which verifies VAPID and decrypts every push with
the subscriber's own keys; the assertions are on what it decrypted.

Also: what push-service answers do to a row (gone, retried, failed), several
senders at once, the app's own sender thread, and a sender killed with
SIGKILL in the middle of a send.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.accounts.models import Language, Role
from server.alerts import payload, subscriptions, vapid
from server.alerts.models import (
    Alert,
    Delivery,
    DeliveryState,
    MsgType,
    PushSubscription,
    Severity,
)
from server.alerts.payload import VapidSigner
from server.alerts.responses import Policy, retry_after
from server.alerts.worker import drain
from server.extensions import db
from tests.alerts.test_alerts import CENTRE, warning
from tests.conftest import Actor, make_app
from tests.push_receiver import PushReceiver, Subscriber, verify_vapid

HERE = {"here": {"lat": CENTRE[0], "lon": CENTRE[1]}}


@pytest.fixture
def app(tmp_path):  # type: ignore[no-untyped-def]
    """Retries come back at once and give up after three tries; a sender with
    nothing to do looks again five times a second."""
    app = make_app(tmp_path, PUSH_RETRY_SECONDS=0.0, PUSH_MAX_ATTEMPTS=3, PUSH_POLL_SECONDS=0.2)
    yield app
    with app.app_context():
        db.session.remove()


@pytest.fixture
def receiver(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        key = vapid.public_key()
    with PushReceiver(key) as receiver:
        yield receiver
    assert receiver.errors == []


def subscribe(app, receiver: PushReceiver, *languages: str) -> list[Subscriber]:  # type: ignore[no-untyped-def]
    """Browsers near the centre subscribe through the API, each with its own device key."""
    made = []
    for language in languages:
        subscriber = receiver.subscriber(language)
        response = Actor(app, device=True).post("/api/v1/push/subscriptions", json=subscriber.subscription(**HERE))
        assert response.status_code == 201, response.get_json()
        made.append(subscriber)
    return made


def subscribe_many(app, receiver: PushReceiver, n: int) -> list[Subscriber]:  # type: ignore[no-untyped-def]
    """Many subscriptions near the centre at once, stored as the API stores them."""
    made = [receiver.subscriber() for _ in range(n)]
    with app.app_context():
        for s in made:
            hashed = subscriptions.endpoint_hash(s.endpoint)
            db.session.add(PushSubscription(endpoint=s.endpoint, endpoint_hash=hashed, p256dh=s.keys.p256dh, auth=s.keys.auth, here_lat=CENTRE[0], here_lon=CENTRE[1]))
        db.session.commit()
    return made


def send_warning(operator: Actor, **changes) -> dict:  # type: ignore[no-untyped-def]
    draft = operator.post("/api/v1/alerts", json=warning(**changes)).get_json()
    sent = operator.post(f"/api/v1/alerts/{draft['id']}/send").get_json()
    assert sent["state"] == "sent", sent
    return sent


def counts(operator: Actor, alert_id: int) -> dict[str, int]:
    return operator.get(f"/api/v1/alerts/{alert_id}/manage").get_json()["counts"]


def rows(app, alert_id: int) -> list[Delivery]:  # type: ignore[no-untyped-def]
    with app.app_context():
        found = db.session.scalars(sa.select(Delivery).where(Delivery.alert_id == alert_id).order_by(Delivery.id)).all()
        db.session.expunge_all()
        return list(found)


def test_each_subscriber_decrypts_its_warning_in_its_language(app, as_, receiver):
    korean, english, another = subscribe(app, receiver, "ko", "en", "ko")
    operator = as_("operator")
    sent = send_warning(operator, expires=(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat())
    assert counts(operator, sent["id"]) == {"queued": 3, "sent": 0, "failed": 0, "gone": 0}
    console = app.extensions["ansim.broker"].subscribe("alerts")

    drain(app)

    (ko,) = receiver.received(korean)
    (en,) = receiver.received(english)
    assert len(receiver.received(another)) == 1
    assert ko.data == {
        "id": sent["id"],
        "identifier": sent["identifier"],
        "topic": sent["topic"],
        "msg_type": "alert",
        "severity": "severe",
        "headline": "[안심] 흉기 난동 발생",
        "area": "보문역 반경 500m",
        "url": f"/#/alerts/{sent['id']}",
        "expires": dt.datetime.fromisoformat(sent["expires"]).isoformat(),
        "lang": "ko",
    }
    assert (en.data["headline"], en.data["area"], en.data["lang"]) == ("[Ansim] Knife attack reported", "Within 500 m of Bomun station", "en")
    for message in (ko, en):
        assert message.topic == sent["topic"] and message.urgency == "high"
        assert 7200 - 60 <= message.ttl <= 7200
        assert message.claims["sub"] == app.config["VAPID_SUBJECT"] and message.claims["aud"] == receiver.origin
    assert counts(operator, sent["id"]) == {"queued": 0, "sent": 3, "failed": 0, "gone": 0}
    live = [console.inbox.get_nowait() for _ in range(console.inbox.qsize())]
    console.close()
    assert live[-1] == {"alert_id": sent["id"], "counts": {"queued": 0, "sent": 3, "failed": 0, "gone": 0}}  # the console's last word
    assert {(r.state, r.attempts, r.last_status) for r in rows(app, sent["id"])} == {(DeliveryState.SENT, 1, 201)}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(PushSubscription.last_delivered_at.is_not(None))) == 3


def test_an_update_replaces_the_notification_and_the_pushes_still_queued(app, as_, receiver):
    (subscriber,) = subscribe(app, receiver, "en")
    operator = as_("operator")
    first = send_warning(operator)
    drain(app)
    update = operator.post(f"/api/v1/alerts/{first['id']}/update", json={"headline_en": "[Ansim] Suspect still at large", "severity": "extreme"}).get_json()
    operator.post(f"/api/v1/alerts/{update['id']}/send")
    cancel = operator.post(f"/api/v1/alerts/{update['id']}/cancel", json={}).get_json()  # before the update went out
    drain(app)

    messages = receiver.received(subscriber)
    assert [(m.data["msg_type"], m.topic) for m in messages] == [("alert", first["topic"]), ("cancel", first["topic"])]
    assert messages[1].urgency == "normal" and messages[1].data["headline"].startswith("[Cancelled]")
    assert counts(operator, update["id"]) == {"queued": 0, "sent": 0, "failed": 1, "gone": 0}
    assert rows(app, update["id"])[0].last_error == "cancelled" and rows(app, update["id"])[0].attempts == 0
    assert counts(operator, cancel["id"])["sent"] == 1


def test_gone_subscriptions_are_removed_and_counted(app, as_, receiver):
    stays, unsubscribed, moved = subscribe(app, receiver, "ko", "ko", "en")
    receiver.script(unsubscribed, 410)
    receiver.script(moved, 404)
    operator = as_("operator")
    sent = send_warning(operator)
    drain(app)

    assert counts(operator, sent["id"]) == {"queued": 0, "sent": 1, "failed": 0, "gone": 2}
    with app.app_context():
        assert db.session.scalars(sa.select(PushSubscription.endpoint)).all() == [stays.endpoint]
    gone = [r for r in rows(app, sent["id"]) if r.state is DeliveryState.GONE]
    assert [(r.subscription_id, r.last_status) for r in gone] == [(None, 410), (None, 404)]
    # The next warning does not go to them again.
    again = send_warning(operator)
    drain(app)
    assert counts(operator, again["id"])["sent"] == 1 and len(receiver.received(stays)) == 2


def test_429_is_retried_no_sooner_than_retry_after(app, as_, receiver):
    (subscriber,) = subscribe(app, receiver, "ko")
    receiver.script(subscriber, (429, {"Retry-After": "1"}))
    operator = as_("operator")
    sent = send_warning(operator)
    drain(app)

    refused, accepted = receiver.received(subscriber)
    assert (refused.status, accepted.status) == (429, 201)
    assert accepted.at - refused.at >= 1.0
    (row,) = rows(app, sent["id"])
    assert (row.state, row.attempts, row.last_status) == (DeliveryState.SENT, 2, 201)


def test_5xx_is_retried_and_fails_at_the_limit(app, as_, receiver):
    recovers, broken = subscribe(app, receiver, "ko", "en")
    receiver.script(recovers, 503, 500)
    receiver.script(broken, 500, 502, 503, 201)
    operator = as_("operator")
    sent = send_warning(operator)
    drain(app)

    assert [m.status for m in receiver.received(recovers)] == [503, 500, 201]
    assert [m.status for m in receiver.received(broken)] == [500, 502, 503]  # three tries, no fourth
    assert counts(operator, sent["id"]) == {"queued": 0, "sent": 1, "failed": 1, "gone": 0}
    failed = next(r for r in rows(app, sent["id"]) if r.state is DeliveryState.FAILED)
    assert (failed.attempts, failed.last_status) == (3, 503) and failed.last_error.startswith("gave up after 3 attempts")


def test_an_unreachable_push_service_is_retried_as_a_timeout(app, as_, receiver):
    subscribe(app, receiver, "ko")
    with app.app_context():
        db.session.execute(sa.update(PushSubscription).values(endpoint="http://127.0.0.1:9/push/nowhere"))
        db.session.commit()
    sent = send_warning(as_("operator"))
    drain(app)
    (row,) = rows(app, sent["id"])
    assert (row.state, row.attempts, row.last_status) == (DeliveryState.FAILED, 3, None)
    assert "ClientConnectorError" in row.last_error


def test_pushes_of_an_expired_warning_are_dropped(app, as_, receiver):
    subscribe(app, receiver, "ko")
    sent = send_warning(as_("operator"))
    with app.app_context():
        db.session.execute(sa.update(Alert).values(expires=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        db.session.commit()
    drain(app)
    assert receiver.messages == []
    (row,) = rows(app, sent["id"])
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.FAILED, 0, "expired before delivery")


def test_senders_running_at_once_share_the_queue(app, as_, receiver):
    made = subscribe_many(app, receiver, 120)
    sent = send_warning(as_("operator"))
    results: list[Counter[str]] = []
    senders = [threading.Thread(target=lambda: results.append(drain(app, concurrency=8))) for _ in range(3)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(60)

    assert sum(r["sent"] for r in results) == 120 and all(r["sent"] for r in results)  # each did some
    assert Counter(m.token for m in receiver.messages) == Counter({s.token: 1 for s in made})
    assert {r.state for r in rows(app, sent["id"])} == {DeliveryState.SENT}


def test_the_app_sends_from_its_own_thread_started_by_a_request(tmp_path):
    app = make_app(tmp_path, PUSH_SENDER_THREAD=True)
    sender = app.extensions["ansim.push_sender"]
    assert not sender.running  # building the app starts nothing (the reloader's watcher builds one too)
    with app.app_context():
        key = vapid.public_key()
    with PushReceiver(key) as service:
        subscribers = subscribe(app, service, "ko", "en")
        assert sender.running
        operator = Actor(app, role=Role.OPERATOR)
        sent = send_warning(operator)
        deadline = time.monotonic() + 20
        while len(service.accepted()) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        sender.stop()
        assert not sender.running
        assert sorted(m.data["lang"] for m in service.accepted()) == ["en", "ko"]
        assert all(len(service.received(s)) == 1 for s in subscribers)
        assert service.errors == []
    assert counts(operator, sent["id"])["sent"] == 2


def test_ansim_worker_sends_what_is_queued(app, as_, receiver):
    subscribe(app, receiver, "ko", "en")
    send_warning(as_("operator"))
    result = app.test_cli_runner().invoke(args=["worker", "--exit-when-empty", "--concurrency", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 sent" and len(receiver.accepted()) == 2


# -- a sender killed with SIGKILL ------------------------------------------------


def _worker(app, *args: str) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIM_", "DATABASE_URL", "SECRET_KEY", "REDIS_URL"))}
    env |= {
        "ANSIM_INSTANCE_PATH": app.instance_path,  # the same VAPID key
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret",
        "ANSIM_PUSH_CONCURRENCY": "4",
        "ANSIM_PUSH_LEASE_SECONDS": "2",
        "ANSIM_LOG_LEVEL": "WARNING",
    }
    ansim = Path(sys.executable).with_name("ansim")
    return subprocess.Popen([str(ansim), "worker", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _until(receiver: PushReceiver, worker: subprocess.Popen, accepted: int) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while len(receiver.accepted()) < accepted:
        assert worker.poll() is None and time.monotonic() < deadline, worker.stdout.read() if worker.stdout else ""
        time.sleep(0.005)


def _claimed(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(Delivery.claimed_by.is_not(None)))


def test_a_sender_stopped_or_killed_mid_send_resumes_and_no_one_is_missed(app, as_):
    """SIGTERM: the pushes in flight finish, their outcomes are written, the
    rest is handed back — nothing twice. SIGKILL: with 4 pushes in flight at
    most, a subscriber may get the warning twice only among the 4 pushed but
    not yet recorded when the sender died; what it claimed waits out the lease."""
    with app.app_context():
        key = vapid.public_key()
    with PushReceiver(key, delay=0.02) as receiver:
        made = subscribe_many(app, receiver, 240)
        operator = as_("operator")
        sent = send_warning(operator)

        stopped = _worker(app)
        _until(receiver, stopped, 50)
        stopped.send_signal(signal.SIGTERM)
        assert stopped.wait(20) == 0, stopped.communicate()[0]
        stopped.stdout.close()  # type: ignore[union-attr]
        assert len(receiver.messages) == counts(operator, sent["id"])["sent"] < 240 and _claimed(app) == 0

        killed = _worker(app)
        _until(receiver, killed, 120)
        killed.send_signal(signal.SIGKILL)
        killed.wait(10)
        killed.stdout.close()  # type: ignore[union-attr]
        at_kill = counts(operator, sent["id"])
        assert 0 < at_kill["sent"] < 240 and at_kill["queued"] > 0 and _claimed(app) > 0, at_kill

        last = _worker(app, "--exit-when-empty")
        output = last.communicate(timeout=120)[0]
        assert last.returncode == 0, output

        received = Counter(m.token for m in receiver.messages)
        assert set(received) == {s.token for s in made}  # everyone, at least once
        twice = sum(n - 1 for n in received.values())
        assert twice <= 4, received.most_common(6)
        assert receiver.errors == []
    assert counts(operator, sent["id"]) == {"queued": 0, "sent": 240, "failed": 0, "gone": 0}


# -- the parts ------------------------------------------------------------------


def test_the_payload_stays_small_with_the_longest_korean_texts():
    alert = Alert(
        id=2**31, identifier="urn:uuid:" + "f" * 111, topic="f" * 32, msg_type=MsgType.UPDATE, severity=Severity.EXTREME,
        headline_ko="경" * 160, headline_en="W" * 160, area_desc_ko="동" * 200, area_desc_en="A" * 200,
        expires=dt.datetime.now(dt.UTC) + dt.timedelta(days=90),
    )  # fmt: skip
    assert len(payload.payload(alert, Language.KO)) <= payload.MAX_BYTES
    assert payload.ttl(alert, dt.datetime.now(dt.UTC)) == payload.MAX_TTL_SECONDS
    assert payload.urgency(alert) == "high"
    assert payload.urgency(Alert(msg_type=MsgType.CANCEL, severity=Severity.EXTREME)) == "normal"
    assert payload.urgency(Alert(msg_type=MsgType.ALERT, severity=Severity.MINOR)) == "low"


def test_retry_after_is_read_as_seconds_or_a_date_and_back_off_grows():
    now = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    assert retry_after("120", now) == 120
    assert retry_after("Thu, 26 Nov 2026 12:01:30 GMT", now) == 90
    assert retry_after("soon", now) is None and retry_after(None, now) is None
    policy = Policy(max_attempts=6, retry_seconds=5)
    delays = [policy.backoff(n) for n in range(1, 6)]
    assert 4 <= delays[0] <= 6 and 64 <= delays[4] <= 96


def test_one_vapid_header_per_origin_signed_again_before_it_expires(app, monkeypatch):
    with app.app_context():
        signer = VapidSigner(vapid.keys(), vapid.subject())
        server_key = vapid.public_key()
    one, other = signer.header("https://fcm.googleapis.com"), signer.header("https://updates.push.services.mozilla.com")
    assert signer.header("https://fcm.googleapis.com") == one != other
    assert verify_vapid(other, audience="https://updates.push.services.mozilla.com", server_key=server_key)["sub"] == "mailto:safety@example.kr"
    later = time.time() + VapidSigner.LIFETIME - VapidSigner.RENEW_BEFORE + 1
    monkeypatch.setattr(time, "time", lambda: later)
    renewed = signer.header("https://fcm.googleapis.com")
    assert renewed != one
    assert verify_vapid(renewed, audience="https://fcm.googleapis.com", server_key=server_key, now=later)["exp"] > later
