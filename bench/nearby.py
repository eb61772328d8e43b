"""Nearby search: in-process microseconds and HTTP requests per second.

    .venv/bin/python bench/nearby.py [--sizes 70000,1000000] [--queries 5000] [--http-seconds 10]

In process, the in-memory KD-tree index is timed against a baseline measured
in the same run: SQLite with an index on (lat, lon), a bounding-box query and
an exact haversine filter and sort in Python — what a careful implementation
without a spatial index does. Over HTTP, gunicorn (2 workers) serves the app
on loopback and wrk (Debian package `wrk`) loads it; the nearby endpoint is
compared with the app's own ceiling, a request to /api/v1/health.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server import geo  # noqa: E402
from server.facilities.index import KIND_CODE, KINDS, FacilityIndex  # noqa: E402
from server.facilities.models import FacilityKind  # noqa: E402

# Seoul's extent: 70,000 cameras over it is the real density.
BOX = (126.80, 37.43, 127.18, 37.70)


def synthetic(n: int, seed: int = 7):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    lats = BOX[1] + rng.random(n) * (BOX[3] - BOX[1])
    lons = BOX[0] + rng.random(n) * (BOX[2] - BOX[0])
    kinds = rng.choice(len(KINDS), size=n, p=[0.15, 0.55, 0.25, 0.03, 0.02])
    return np.arange(1, n + 1), kinds, lats, lons


def queries(count: int, seed: int = 11) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    return [(BOX[1] + 0.03 + rng.random() * 0.2, BOX[0] + 0.05 + rng.random() * 0.28) for _ in range(count)]


def median_us(fn, points) -> float:  # type: ignore[no-untyped-def]
    for lat, lon in points[:500]:  # warm caches first: the first loop of a run is always slower
        fn(lat, lon)
    times = []
    for lat, lon in points:
        start = time.perf_counter_ns()
        fn(lat, lon)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def sqlite_baseline(path: Path, ids, kinds, lats, lons):  # type: ignore[no-untyped-def]
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE facility (id INTEGER PRIMARY KEY, kind INTEGER, lat REAL, lon REAL)")
    connection.executemany("INSERT INTO facility VALUES (?, ?, ?, ?)", zip(ids.tolist(), kinds.tolist(), lats.tolist(), lons.tolist(), strict=True))
    connection.execute("CREATE INDEX ix_kind_lat_lon ON facility (kind, lat, lon)")
    connection.execute("CREATE INDEX ix_lat_lon ON facility (lat, lon)")
    connection.commit()

    def search(lat: float, lon: float, radius: float = 1000, kind: int | None = None, limit: int = 10):  # type: ignore[no-untyped-def]
        dlat = radius / 111_195
        dlon = dlat / math.cos(math.radians(lat))
        sql = "SELECT id, lat, lon FROM facility WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
        args: list[float] = [lat - dlat, lat + dlat, lon - dlon, lon + dlon]
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        found = []
        for fid, flat, flon in connection.execute(sql, args):
            d = geo.haversine_m(lat, lon, flat, flon)
            if d <= radius:
                found.append((d, fid))
        found.sort()
        return found[:limit]

    return connection, search


def in_process(sizes: list[int], count: int) -> None:
    print(f"\n## In process: median µs per query ({count} queries, radius 1 km, 10 nearest)")
    print("| facilities | index build s | index, bells | index, all kinds | SQLite bbox, bells | SQLite bbox, all | ratio bells | ratio all |")
    print("|---|---|---|---|---|---|---|---|")
    points = queries(count)
    for n in sizes:
        ids, kinds, lats, lons = synthetic(n)
        start = time.perf_counter()
        index = FacilityIndex.from_arrays(1, ids, kinds, lats, lons)
        build = time.perf_counter() - start
        bell = (FacilityKind.BELL,)
        ours_bell = median_us(lambda a, b: index.nearby(a, b, 1000, bell, 10), points)
        ours_all = median_us(lambda a, b: index.nearby(a, b, 1000, KINDS, 10), points)
        with tempfile.TemporaryDirectory() as tmp:
            connection, search = sqlite_baseline(Path(tmp) / "baseline.sqlite3", ids, kinds, lats, lons)
            # Both answer the same: check a sample before timing.
            for lat, lon in points[:200]:
                assert [h.id for h in index.nearby(lat, lon, 1000, bell, 10)] == [i for _, i in search(lat, lon, kind=KIND_CODE[FacilityKind.BELL])]
            base_bell = median_us(lambda a, b: search(a, b, kind=KIND_CODE[FacilityKind.BELL]), points)
            base_all = median_us(lambda a, b: search(a, b), points)
            connection.close()
        print(f"| {n:,} | {build:.2f} | {ours_bell:.1f} | {ours_all:.1f} | {base_bell:.0f} | {base_all:.0f} | {base_bell / ours_bell:.0f}× | {base_all / ours_all:.0f}× |")


WRK_THREADS = int(os.environ.get("WRK_THREADS", "1"))
WRK_CONNECTIONS = int(os.environ.get("WRK_CONNECTIONS", "8"))

WRK_SCRIPT = """
math.randomseed(%(seed)d)
request = function()
  local lat = %(lat0)f + math.random() * 0.2
  local lon = %(lon0)f + math.random() * 0.28
  return wrk.format("GET", string.format("/api/v1/facilities/nearby?lat=%%.6f&lon=%%.6f&radius=1000&kind=bell&limit=10", lat, lon))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, seconds: int, script: Path | None = None) -> tuple[float, str]:
    args = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out)
    return rps, p99.group(1) if p99 else "?"


def over_http(n: int, seconds: int, worker_class: str, threads: int = 1) -> None:
    print(f"\n## Over HTTP: gunicorn, 2 {worker_class} workers, wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} for {seconds} s each, {n:,} facilities")
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk); skipping the HTTP part.")
        return
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        print("gunicorn is not installed (pip install -e '.[prod]'); skipping the HTTP part.")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ANSIM_INSTANCE_PATH": tmp, "SECRET_KEY": "bench", "ANSIM_LOG_LEVEL": "WARNING"}
        _fill_database(n, env)
        port = _free_port()
        server = subprocess.Popen(
            [str(gunicorn), "--workers", "2", "--worker-class", worker_class, *(["--threads", str(threads)] if worker_class == "gthread" else []),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "server:create_app()"],
            env=env,
            cwd=tmp,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/api/v1/health")
            script = Path(tmp) / "nearby.lua"
            script.write_text(WRK_SCRIPT % {"seed": 5, "lat0": BOX[1] + 0.03, "lon0": BOX[0] + 0.05})
            _wrk(base + "/api/v1/facilities/nearby?lat=37.55&lon=127.0&kind=bell", 2)  # warm both workers' indexes
            ceiling, ceiling_p99 = _wrk(base + "/api/v1/health", seconds)
            nearby, nearby_p99 = _wrk(base + "/", seconds, script)
        finally:
            server.terminate()
            server.wait(10)
    print("| endpoint | requests/s | p99 latency |")
    print("|---|---|---|")
    print(f"| GET /api/v1/health (baseline: the app's ceiling) | {ceiling:,.0f} | {ceiling_p99} |")
    print(f"| GET /api/v1/facilities/nearby (random points, bells, 10 nearest) | {nearby:,.0f} | {nearby_p99} |")
    print(f"nearby / ceiling = {nearby / ceiling:.2f}")


def _fill_database(n: int, env: dict[str, str]) -> None:
    code = f"""
import numpy as np
from flask_migrate import upgrade
from server import create_app
from server.extensions import db
from server.facilities import versions
from server.facilities.models import Facility
from server.facilities.index import KINDS
import bench.nearby as b
app = create_app()
with app.app_context():
    upgrade()
    ids, kinds, lats, lons = b.synthetic({n})
    rows = [dict(id=int(i), kind=KINDS[k], lat=float(a), lon=float(o), source="bench", source_key=str(i), attributes={{}}, location="벤치 " + str(i))
            for i, k, a, o in zip(ids, kinds, lats, lons)]
    for start in range(0, len(rows), 20000):
        db.session.execute(db.insert(Facility), rows[start:start + 20000])
    versions.bump(versions.FACILITIES)
    db.session.commit()
"""
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], env={**env, "PYTHONPATH": str(root)}, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait(url: str) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="70000,1000000")
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--http-seconds", type=int, default=10)
    parser.add_argument("--http-size", type=int, default=70000)
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class: sync (default), gevent, gthread")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    args = parser.parse_args()
    in_process([int(s) for s in args.sizes.split(",")], args.queries)
    over_http(args.http_size, args.http_seconds, args.worker_class, args.threads)


if __name__ == "__main__":
    main()
