"""Push fan-out: deliveries per second of the project's sender against a naive loop.

    .venv/bin/python bench/push_fanout.py [--subscriptions 20000] [--naive 1000] [--concurrency 100]
    .venv/bin/python bench/push_fanout.py --subscriptions 100000

N subscriptions with real P-256 keys and 16-byte auth secrets are stored in
a fresh SQLite database (migrated as ``ansim db upgrade`` does), and one
warning, sent through ``server.alerts.service.send``, reaches all of them.
A loopback push service runs in a process of its own (aiohttp): it reads
each body and answers 201, and for a sample (1 in 100) verifies the VAPID
header and decrypts the payload with the test suite's receiver code.

The baseline, measured in the same run, is what a simple sender does: a
sequential loop of ``pywebpush.webpush()`` over a sample of the same
subscriptions (a VAPID signature per call, no shared session, no database
writes at all — which flatters it). Then ``server.alerts.worker.drain``
sends the whole outbox in this process, database claims and writes
included. Every row must end ``sent`` and the push service must have seen
each subscription once; the script exits non-zero otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

CENTRE = (37.5894, 127.0167)
SAMPLE_EVERY = 100


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- the push service (its own process) ----------------------------------------


def serve_push_service(sample_file: str, server_key: str) -> None:
    """Answer 201 to every push; verify and decrypt the sampled ones."""
    from aiohttp import web

    from tests.push_receiver import decrypt, verify_vapid

    sample = {token: (ec.derive_private_key(int(key, 16), ec.SECP256R1()), bytes.fromhex(auth)) for token, (key, auth) in json.loads(Path(sample_file).read_text()).items()}
    stats: dict = {"received": 0, "tokens": {}, "verified": 0, "errors": []}
    origin: list[str] = []

    async def push(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        body = await request.read()
        stats["received"] += 1
        stats["tokens"][token] = stats["tokens"].get(token, 0) + 1
        if token in sample:
            try:
                verify_vapid(request.headers["Authorization"], audience=origin[0], server_key=server_key)
                data = json.loads(decrypt(body, *sample[token]).plaintext)
                assert data["url"].startswith("/#/alerts/") and int(request.headers["TTL"]) > 0, data
                stats["verified"] += 1
            except Exception as error:  # noqa: BLE001  (reported, not raised: the run goes on)
                stats["errors"].append(f"{token}: {type(error).__name__}: {error}")
        return web.Response(status=201)

    async def report(request: web.Request) -> web.Response:
        duplicates = sum(n - 1 for n in stats["tokens"].values())
        return web.json_response({**{k: v for k, v in stats.items() if k != "tokens"}, "distinct": len(stats["tokens"]), "duplicates": duplicates})

    async def reset(request: web.Request) -> web.Response:
        stats.update(received=0, tokens={}, verified=0, errors=[])
        return web.Response(status=204)

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/push/{token}", push)
        app.router.add_get("/stats", report)
        app.router.add_post("/reset", reset)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        origin.append(f"http://127.0.0.1:{port}")
        print(port, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def _call(port: int, method: str, path: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


# -- set-up ----------------------------------------------------------------------


def make_keys(n: int) -> tuple[list[tuple[str, str]], dict[str, tuple[str, str]]]:
    """(p256dh, auth) per subscription, and the private halves of the sample."""
    keys, sample = [], {}
    for i in range(n):
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        keys.append((b64url(private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)), b64url(auth)))
        if i % SAMPLE_EVERY == 0:
            sample[str(i)] = (format(private.private_numbers().private_value, "x"), auth.hex())
    return keys, sample


def fill(app, keys: list[tuple[str, str]], port: int) -> int:  # type: ignore[no-untyped-def]
    """Store the subscriptions and send one warning to them all; its id."""
    import datetime as dt

    from flask_migrate import upgrade

    from server.accounts import service as accounts
    from server.accounts.models import Role
    from server.alerts import service, subscriptions
    from server.alerts.models import PushSubscription
    from server.extensions import db

    with app.app_context():
        upgrade()
        rows = []
        for i, (p256dh, auth) in enumerate(keys):
            endpoint = f"http://127.0.0.1:{port}/push/{i}"
            rows.append({"endpoint": endpoint, "endpoint_hash": subscriptions.endpoint_hash(endpoint), "p256dh": p256dh, "auth": auth, "here_lat": CENTRE[0], "here_lon": CENTRE[1]})
        for start in range(0, len(rows), 10000):
            db.session.execute(sa.insert(PushSubscription), rows[start : start + 10000])
        db.session.commit()
        operator = accounts.create_user(display_name="벤치 관제", email="bench@example.kr", password="bench password 1", role=Role.OPERATOR)
        values = {
            "event": "Bench",
            "urgency": "immediate",
            "severity": "severe",
            "certainty": "observed",
            "headline_ko": "[안심] 흉기 난동 발생 — 큰길로 다니세요",
            "headline_en": "[Ansim] Knife attack reported — keep to main streets",
            "area_desc_ko": "보문역 반경 500m",
            "area_desc_en": "Within 500 m of Bomun station",
            "areas": {"circles": [{"lat": CENTRE[0], "lon": CENTRE[1], "radius_m": 500}], "polygons": [], "geocodes": []},
            "expires": dt.datetime.now(dt.UTC) + dt.timedelta(hours=6),
        }
        alert = service.send(service.create(values, author=operator), by=operator)
        return alert.id


# -- the two senders ---------------------------------------------------------------


def encryption_alone(app, keys: list[tuple[str, str]], port: int, count: int) -> float:  # type: ignore[no-untyped-def]
    """Pushes/s pywebpush can encrypt on one core: the ceiling of any sender in one process."""
    from pywebpush import WebPusher

    data = b'{"headline":"' + "흉기 난동 발생".encode() * 10 + b'"}'
    start = time.process_time()
    for i, (p256dh, auth) in enumerate(keys[:count]):
        WebPusher({"endpoint": f"http://127.0.0.1:{port}/push/{i}", "keys": {"p256dh": p256dh, "auth": auth}}).encode(data)
    return count / (time.process_time() - start)


def naive(app, keys: list[tuple[str, str]], port: int, count: int, alert_id: int) -> float:  # type: ignore[no-untyped-def]
    """A sequential loop of pywebpush.webpush(), as its README shows."""
    from pywebpush import webpush

    from server.accounts.models import Language
    from server.alerts import payload, vapid
    from server.alerts.models import Alert
    from server.database import utcnow
    from server.extensions import db

    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        data = payload.payload(alert, Language.KO).decode()
        headers = {"Urgency": payload.urgency(alert), "Topic": alert.topic}
        key, subject = vapid.keys(), vapid.subject()
        ttl = payload.ttl(alert, utcnow())
    start = time.perf_counter()
    for i, (p256dh, auth) in enumerate(keys[:count]):
        info = {"endpoint": f"http://127.0.0.1:{port}/push/{i}", "keys": {"p256dh": p256dh, "auth": auth}}
        webpush(info, data, vapid_private_key=key, vapid_claims={"sub": subject}, ttl=ttl, headers=headers, timeout=10)
    return count / (time.perf_counter() - start)


def ours(app, concurrency: int | None) -> tuple[float, float, dict[str, int]]:  # type: ignore[no-untyped-def]
    """The project's sender draining the outbox: wall and CPU seconds, outcomes."""
    from server.alerts.worker import drain

    wall, cpu = time.perf_counter(), time.process_time()
    stats = drain(app, until_empty=True, timeout=None, concurrency=concurrency)
    return time.perf_counter() - wall, time.process_time() - cpu, dict(stats)


def states(app, alert_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from server.alerts.service import counts

    with app.app_context():
        return counts([alert_id])[alert_id]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscriptions", type=int, default=20000)
    parser.add_argument("--naive", type=int, default=1000, help="pushes in the baseline's sample")
    parser.add_argument("--concurrency", type=int, default=None, help="the sender's pushes in flight (default: the app's, 100)")
    parser.add_argument("--push-service", nargs=2, metavar=("SAMPLE_FILE", "SERVER_KEY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.push_service:
        serve_push_service(*args.push_service)
        return
    from server import create_app
    from server.alerts import vapid

    n = args.subscriptions
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"INSTANCE_PATH": tmp, "SECRET_KEY": "bench", "PASSWORD_HASHER": "cheap", "PUSH_SENDER_THREAD": False, "LOG_LEVEL": "WARNING"})
        with app.app_context():
            server_key = vapid.public_key()
        began = time.perf_counter()
        keys, sample = make_keys(n)
        print(f"# {n:,} subscriptions with P-256 keys made in {time.perf_counter() - began:.1f} s")
        sample_file = Path(tmp) / "sample.json"
        sample_file.write_text(json.dumps(sample))
        service = subprocess.Popen([sys.executable, __file__, "--push-service", str(sample_file), server_key], stdout=subprocess.PIPE, text=True, env=os.environ)
        try:
            port = int(service.stdout.readline())  # type: ignore[union-attr]
            began = time.perf_counter()
            alert_id = fill(app, keys, port)
            print(f"# stored, and one warning queued to all of them, in {time.perf_counter() - began:.1f} s")
            ceiling = encryption_alone(app, keys, port, min(n, 2000))
            baseline = naive(app, keys, port, min(n, args.naive), alert_id)
            _call(port, "POST", "/reset")
            wall, cpu, outcomes = ours(app, args.concurrency)
            seen = _call(port, "GET", "/stats")
        finally:
            service.terminate()
            service.wait(10)
        final = states(app, alert_id)
    rate = n / wall
    concurrency = args.concurrency or app.config["PUSH_CONCURRENCY"]
    print(f"# Push fan-out, {n:,} subscriptions, loopback push service in its own process; {platform.python_version()}, {os.cpu_count()} CPUs")
    print("| sender | pushes | pushes/s |")
    print("|---|---|---|")
    print(f"| encryption alone (pywebpush encode, per CPU-second) | {min(n, 2000):,} | {ceiling:,.0f} |")
    print(f"| naive: sequential `pywebpush.webpush()` | {min(n, args.naive):,} | {baseline:,.0f} |")
    print(f"| Ansim sender (asyncio + aiohttp, {concurrency} in flight, SQLite outbox) | {n:,} | {rate:,.0f} |")
    print(f"sender: {wall:.1f} s wall, {cpu:.1f} s CPU in this process ({n / cpu:,.0f} pushes per CPU-second); outcomes {outcomes}")
    print(f"ours / naive = {rate / baseline:.1f}×")
    print(f"push service: {seen['received']:,} received, {seen['distinct']:,} subscriptions, {seen['duplicates']} twice, {seen['verified']} sampled pushes verified and decrypted, {len(seen['errors'])} errors {seen['errors'][:3]}")
    ok = final == {"queued": 0, "sent": n, "failed": 0, "gone": 0} and seen["distinct"] == n and not seen["duplicates"] and not seen["errors"] and seen["verified"] == len(sample)
    print(f"deliveries: {final} — " + ("every subscription got the warning once" if ok else "MISMATCH"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
