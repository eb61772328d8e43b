"""GET /api/v1/reports/stream: operators hear of new reports within a second,
in one process and across processes through Redis."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from server.accounts.models import Role
from tests.conftest import Actor, make_app


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def open_feed(operator: Actor, **headers: str):  # type: ignore[no-untyped-def]
    response = operator.client.get("/api/v1/reports/stream", headers={**operator.headers, **headers}, buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    return response, iter(response.response)


def next_report(chunks, deadline: float) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    """The id and data of the next `report` event, or fail at the deadline."""
    while time.monotonic() < deadline:
        frame = next(chunks)
        frame = frame.decode() if isinstance(frame, bytes) else frame
        if "event: report" in frame:
            fields = dict(line.split(": ", 1) for line in frame.strip().splitlines())
            return fields["id"], json.loads(fields["data"])
    raise AssertionError("no report event in time")


def sos_from_a_device(app, lat: float = 37.59) -> dict:  # type: ignore[no-untyped-def]
    device = Actor(app, device=True)
    response = device.post("/api/v1/reports", json={"kind": "sos", "lat": lat, "lon": 127.01}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201
    return response.get_json()


def in_background(target, *args) -> threading.Thread:  # type: ignore[no-untyped-def]
    """Send while this thread reads the feed; join it before the test ends."""
    thread = threading.Thread(target=target, args=args)
    thread.start()
    return thread


def test_a_new_sos_reaches_the_operator_feed_within_a_second(tmp_path):
    app = make_app(tmp_path, SSE_HEARTBEAT_SECONDS=0.1)
    operator = Actor(app, role=Role.OPERATOR)
    response, chunks = open_feed(operator)
    try:
        sent_at = time.monotonic()
        sender = in_background(sos_from_a_device, app)
        _, report = next_report(chunks, sent_at + 1.0)
        assert time.monotonic() - sent_at < 1.0
        assert report["kind"] == "sos" and report["status"] == "new" and report["device_id"] is not None
    finally:
        response.close()
        sender.join()


def test_a_reconnecting_feed_first_gets_what_it_missed(tmp_path):
    app = make_app(tmp_path, SSE_HEARTBEAT_SECONDS=0.1)
    operator = Actor(app, role=Role.OPERATOR)
    first = sos_from_a_device(app)
    response, chunks = open_feed(operator)
    try:
        sender = in_background(sos_from_a_device, app, 37.6)
        last_id, report = next_report(chunks, time.monotonic() + 2)
        assert report["id"] != first["id"]
    finally:
        response.close()
        sender.join()
    operator.patch(f"/api/v1/reports/{first['id']}", json={"status": "acknowledged"})
    response, chunks = open_feed(operator, **{"Last-Event-ID": last_id})
    try:
        _, missed = next_report(chunks, time.monotonic() + 2)
        assert missed["id"] == first["id"] and missed["status"] == "acknowledged"
    finally:
        response.close()


def test_only_operators_may_listen(as_):
    for kind, code in (("anonymous", 401), ("device", 401), ("resident", 403), ("guard", 403)):
        assert as_(kind).get("/api/v1/reports/stream").status_code == code


@pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379")
def test_a_report_received_by_another_process_reaches_this_feed(tmp_path):
    """A second app process (gunicorn) takes the SOS; this process's feed shows it."""
    settings = {"REDIS_URL": "redis://127.0.0.1:6379/0", "SSE_HEARTBEAT_SECONDS": 0.1}
    app = make_app(tmp_path, **settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": settings["REDIS_URL"],
        "SECRET_KEY": "other-process",
        "ANSIM_INSTANCE_PATH": str(tmp_path / "other"),
        "ANSIM_LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    other = subprocess.Popen([str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}", "server:create_app()"], env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).close()
                break
            except OSError:
                assert other.poll() is None and time.monotonic() < deadline, "the other process did not start"
                time.sleep(0.2)
        response, chunks = open_feed(Actor(app, role=Role.OPERATOR))
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/reports",
                data=json.dumps({"kind": "sos", "lat": 37.59, "lon": 127.01}).encode(),
                headers={"Content-Type": "application/json", "X-Device-Key": "k" * 43, "Idempotency-Key": str(uuid.uuid4())},
            )
            sent_at = time.monotonic()
            with urllib.request.urlopen(request, timeout=5) as created:
                report_id = json.loads(created.read())["id"]
            _, report = next_report(chunks, sent_at + 1.0)
            assert report["id"] == report_id and report["kind"] == "sos"
        finally:
            response.close()
    finally:
        other.terminate()
        other.wait(10)
