"""Warning targeting: which of 1,000,000 subscriptions a 구-sized polygon reaches.

    .venv/bin/python bench/targeting.py [--subscriptions 1000000] [--database sqlite|postgresql://…]

Subscriptions are spread over Seoul's extent: a third follow a home (a point
and a 200–1,500 m radius), a third a "where I am" point, a third a 동 code
(of 400 made-up 동 on a grid). The alert is a 구-sized polygon (an irregular
ring of ~24 km² near the middle). ``server.alerts.targeting`` answers from
the database's index ranges and shapely's vectorised predicates; the
baseline, in the same run, reads every subscription and tests each with a
prepared shapely geometry one by one — what a loop over all subscribers
does. Both must return the same set.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server import create_app  # noqa: E402
from server.alerts import targeting  # noqa: E402
from server.alerts.models import PushSubscription, SubscriptionArea  # noqa: E402
from server.extensions import db  # noqa: E402
from server.facilities.models import AdminArea, AreaLevel  # noqa: E402

BOX = (126.80, 37.43, 127.18, 37.70)  # Seoul's extent
GRID = 20  # 20 × 20 made-up 동
CENTRE = (37.5894, 127.0167)


def dong_cells() -> list[tuple[str, tuple[float, float, float, float]]]:
    width, height = (BOX[2] - BOX[0]) / GRID, (BOX[3] - BOX[1]) / GRID
    cells = []
    for row in range(GRID):
        for col in range(GRID):
            x0, y0 = BOX[0] + col * width, BOX[1] + row * height
            cells.append((f"11{row:02d}{col:02d}0000", (x0, y0, x0 + width, y0 + height)))
    return cells


def gu_polygon() -> list[list[float]]:
    """An irregular ring of ~24 km² (성북구 is 24.6 km²) around the centre."""
    rng = np.random.default_rng(3)
    ring = []
    for k in range(48):
        angle = 2 * math.pi * k / 48
        radius_m = 2760 * (1 + 0.15 * rng.standard_normal())
        ring.append([CENTRE[1] + radius_m * math.sin(angle) / (111_320 * math.cos(math.radians(CENTRE[0]))), CENTRE[0] + radius_m * math.cos(angle) / 111_320])
    return [*ring, ring[0]]


def populate(n: int) -> None:
    cells = dong_cells()
    for code, (x0, y0, x1, y1) in cells:
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        db.session.add(AdminArea(level=AreaLevel.DONG, code=code, name=code, parent_code="11000", geometry={"type": "Polygon", "coordinates": [ring]}, min_lon=x0, min_lat=y0, max_lon=x1, max_lat=y1))
    db.session.commit()
    rng = np.random.default_rng(7)
    lats = BOX[1] + rng.random(n) * (BOX[3] - BOX[1])
    lons = BOX[0] + rng.random(n) * (BOX[2] - BOX[0])
    radii = rng.uniform(200, 1500, n)
    mode = rng.integers(0, 3, n)
    codes = rng.integers(0, len(cells), n)
    started = time.perf_counter()
    for start in range(0, n, 20_000):
        rows, areas = [], []
        for i in range(start, min(n, start + 20_000)):
            row = {"id": i + 1, "endpoint": f"https://push.example.net/{i}", "endpoint_hash": f"{i:064x}", "p256dh": "k", "auth": "a", "language": "ko"}
            row.update(home_lat=None, home_lon=None, home_radius_m=None, here_lat=None, here_lon=None)
            if mode[i] == 0:
                row.update(home_lat=float(lats[i]), home_lon=float(lons[i]), home_radius_m=float(radii[i]))
            elif mode[i] == 1:
                row.update(here_lat=float(lats[i]), here_lon=float(lons[i]))
            else:
                areas.append({"subscription_id": i + 1, "code": cells[codes[i]][0]})
            rows.append(row)
        db.session.execute(sa.insert(PushSubscription), rows)
        if areas:
            db.session.execute(sa.insert(SubscriptionArea), areas)
        db.session.commit()
    print(f"stored {n:,} subscriptions in {time.perf_counter() - started:.1f} s")


def baseline(target: targeting.Target, max_radius: float) -> set[int]:
    """Every subscription read and tested one by one."""
    shape = target.shape
    shapely.prepare(shape)
    codes = target.codes
    followed: dict[int, list[str]] = {}
    for subscription_id, code in db.session.execute(sa.select(SubscriptionArea.subscription_id, SubscriptionArea.code)):
        followed.setdefault(subscription_id, []).append(code)
    project = target.projection
    hits = set()
    s = PushSubscription
    for sid, home_lat, home_lon, radius, here_lat, here_lon in db.session.execute(sa.select(s.id, s.home_lat, s.home_lon, s.home_radius_m, s.here_lat, s.here_lon)):
        if home_lat is not None:
            x, y = project.xy(home_lon, home_lat)
            if shape.dwithin(shapely.Point(float(x), float(y)), radius):
                hits.add(sid)
                continue
        if here_lat is not None:
            x, y = project.xy(here_lon, here_lat)
            if shape.contains(shapely.Point(float(x), float(y))):
                hits.add(sid)
                continue
        if any(code in codes for code in followed.get(sid, ())):
            hits.add(sid)
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscriptions", type=int, default=1_000_000)
    parser.add_argument("--database", default="sqlite", help="sqlite (a temporary file) or a postgresql:// URL (its tables are replaced)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3" if args.database == "sqlite" else args.database
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "INSTANCE_PATH": folder, "TESTING": True})
        with app.app_context():
            db.drop_all()
            db.create_all()
            populate(args.subscriptions)
            areas = {"polygons": [gu_polygon()]}
            max_radius = app.config["PUSH_HOME_RADIUS_MAX_M"]
            timings = []
            for _ in range(5):
                db.session.expire_all()
                started = time.perf_counter()
                found = targeting.recipients(targeting.build_target(areas), max_radius)
                timings.append(time.perf_counter() - started)
            fast = min(timings)
            started = time.perf_counter()
            slow_set = baseline(targeting.build_target(areas), max_radius)
            slow = time.perf_counter() - started
            assert set(found.tolist()) == slow_set, "the two disagree"
            print(f"{args.database.split(':')[0]}: {len(found):,} of {args.subscriptions:,} reached")
            print(f"targeting  best {fast * 1000:,.0f} ms, median {sorted(timings)[2] * 1000:,.0f} ms (5 runs)")
            print(f"baseline   {slow * 1000:,.0f} ms (every subscription tested one by one)")
            print(f"ratio      {slow / fast:.1f}×   goal ≤ 1,000 ms: {'met' if sorted(timings)[2] <= 1 else 'NOT met'}")
            db.drop_all()


if __name__ == "__main__":
    main()
