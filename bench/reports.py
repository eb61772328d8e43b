"""Report intake under load: 200 reports/s over HTTP with retries mixed in.

    .venv/bin/python bench/reports.py [--rate 200] [--seconds 60] [--retry-share 0.2]

gunicorn (2 workers) serves the app on loopback with a fresh SQLite database.
An open-loop generator sends reports at a fixed rate from many devices; a
share of the requests are retries of a report already sent (same idempotency
key), some of them fired at the same moment as the original. The baseline, in
the same run, is the same load on GET /api/v1/health. At the end every
accepted report must be stored exactly once: accepted == stored, no duplicate.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client(threading.local):
    """One keep-alive connection per generator thread."""

    def __init__(self, port: int):
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError


def run_load(port: int, rate: int, seconds: int, retry_share: float, make_request) -> dict:  # type: ignore[no-untyped-def]
    """Fire make_request() at a fixed rate (open loop); latencies in ms."""
    client = Client(port)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def one(job) -> None:  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        status, body = client.request(*job)
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1

    total = rate * seconds
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for n in range(total):
            due = began + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            for job in make_request(n):
                pool.submit(one, job)
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "sent": len(latencies),
        "per_second": len(latencies) / wall,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=200, help="new reports per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--retry-share", type=float, default=0.2, help="share of reports that are also retried")
    args = parser.parse_args()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    ansim = Path(sys.executable).with_name("ansim")
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "ANSIM_INSTANCE_PATH": tmp,
            "SECRET_KEY": "bench",
            "ANSIM_LOG_LEVEL": "WARNING",
            # Many devices share this one loopback address; lift the limits.
            "ANSIM_REPORT_RATE_LIMIT": "100000 per hour",
            "ANSIM_REPORT_ADDRESS_RATE_LIMIT": "1000000 per hour",
            "ANSIM_SOS_RATE_LIMIT": "100000 per hour",
        }
        subprocess.run([str(ansim), "db", "upgrade"], env=env, check=True, capture_output=True)
        port = _free_port()
        server = subprocess.Popen(
            [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "server:create_app()"], env=env, cwd=tmp
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/api/v1/health")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            devices = [secrets.token_urlsafe(32) for _ in range(500)]
            accepted_keys: set[str] = set()
            keys_lock = threading.Lock()

            def health(n: int):  # type: ignore[no-untyped-def]
                return [("GET", "/api/v1/health")]

            def report(n: int):  # type: ignore[no-untyped-def]
                key = str(uuid.uuid4())
                with keys_lock:
                    accepted_keys.add(key)
                kind = "sos" if n % 10 == 0 else rng.choice(["suspicious_person", "dark_street", "weapon_seen", "other"])
                body = json.dumps({"kind": kind, "lat": 37.55 + rng.random() * 0.1, "lon": 126.95 + rng.random() * 0.15, "text": "벤치마크"}).encode()
                headers = {"Content-Type": "application/json", "X-Device-Key": rng.choice(devices), "Idempotency-Key": key}
                job = ("POST", "/api/v1/reports", body, headers)
                # Retries: some at once (racing the original), as a phone on a flaky link does.
                return [job, job] if rng.random() < args.retry_share else [job]

            # Warm up: both workers started, connections made, the devices known.
            run_load(port, args.rate, 2, 0, health)
            run_load(port, args.rate, 3, 0, report)
            accepted_keys.clear()
            print(f"# Report intake: {args.rate}/s for {args.seconds} s, {args.retry_share:.0%} retried, gunicorn 2 sync workers, SQLite")
            baseline = run_load(port, args.rate, min(args.seconds, 10), 0, health)
            result = run_load(port, args.rate, args.seconds, args.retry_share, report)
        finally:
            server.terminate()
            server.wait(10)
        connection = sqlite3.connect(Path(tmp) / "ansim.sqlite3")
        stored, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM report WHERE idempotency_key IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(accepted_keys)),),
        ).fetchone()
        connection.close()
    print("| load | requests | requests/s | p50 ms | p99 ms | statuses |")
    print("|---|---|---|---|---|---|")
    for name, r in (("GET /api/v1/health (baseline)", baseline), ("POST /api/v1/reports", result)):
        print(f"| {name} | {r['sent']:,} | {r['per_second']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['statuses']} |")
    print(f"reports accepted (distinct keys sent): {len(accepted_keys):,}; stored: {stored:,}; distinct keys stored: {distinct:,}")
    print(f"p99 / baseline p99 = {result['p99'] / baseline['p99']:.1f}")
    ok = stored == distinct == len(accepted_keys) and set(result["statuses"]) <= {200, 201}
    print("nothing lost, no duplicates" if ok else "MISMATCH: reports lost or duplicated, or errors")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
