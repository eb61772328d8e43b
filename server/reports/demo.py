"""Demo reports: a month of a district's reports in every state, so the
console, the public map and the analysis have something true-looking to show.

They go through the same service as real reports (areas located, events
logged), then are dated back. Seeded only into a database without reports.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid

import sqlalchemy as sa

from server.accounts.models import Role, User
from server.database import utcnow
from server.extensions import db
from server.reports import service
from server.reports.models import Report, ReportKind, ReportStatus

#: kind, text, how the case went (the statuses after "new"), hours ago.
STORIES: tuple[tuple[ReportKind, str | None, tuple[ReportStatus, ...], float], ...] = (
    (ReportKind.SOS, None, (), 0.05),
    (ReportKind.SUSPICIOUS_PERSON, "골목에서 같은 사람이 10분째 따라와요", (), 0.3),
    (ReportKind.DARK_STREET, "가로등 두 개가 꺼져 있어 아주 어두워요", (ReportStatus.ACKNOWLEDGED,), 3),
    (ReportKind.SUSPICIOUS_PERSON, "빈집 앞을 서성이는 사람", (ReportStatus.ACKNOWLEDGED, ReportStatus.DISPATCHED), 1.5),
    (ReportKind.WEAPON_SEEN, "편의점 앞에서 칼을 든 남성을 봤어요", (ReportStatus.ACKNOWLEDGED, ReportStatus.DISPATCHED, ReportStatus.RESOLVED), 26),
    (ReportKind.ASSAULT, "버스정류장 근처에서 다툼", (ReportStatus.ACKNOWLEDGED, ReportStatus.RESOLVED), 50),
    (ReportKind.SOS, None, (ReportStatus.FALSE_ALARM,), 75),
    (ReportKind.DARK_STREET, "공원 뒤 계단이 어두워요", (ReportStatus.ACKNOWLEDGED, ReportStatus.RESOLVED), 120),
    (ReportKind.SUSPICIOUS_PERSON, "학교 앞 수상한 차량", (ReportStatus.ACKNOWLEDGED, ReportStatus.RESOLVED), 200),
    (ReportKind.OTHER, "깨진 유리가 길에 흩어져 있어요", (ReportStatus.RESOLVED,), 300),
    (ReportKind.DARK_STREET, None, (ReportStatus.ACKNOWLEDGED,), 400),
    (ReportKind.SUSPICIOUS_PERSON, "밤마다 같은 자리에서 집을 쳐다봐요", (ReportStatus.ACKNOWLEDGED, ReportStatus.DISPATCHED, ReportStatus.RESOLVED), 480),
    (ReportKind.ASSAULT, None, (ReportStatus.ACKNOWLEDGED, ReportStatus.RESOLVED), 600),
    (ReportKind.DARK_STREET, "지하보도 조명 고장", (ReportStatus.RESOLVED,), 650),
)
NOTES = {
    ReportStatus.ACKNOWLEDGED: ("확인했습니다. 주변 CCTV를 보고 있습니다.", "관제센터가 확인했습니다 / The control room has seen your report"),
    ReportStatus.DISPATCHED: ("순찰대 출동 요청", "순찰대가 가고 있습니다 / A patrol is on its way"),
    ReportStatus.RESOLVED: ("현장 확인, 조치 완료", "조치가 끝났습니다 / This has been dealt with"),
    ReportStatus.FALSE_ALARM: ("주머니 속 오작동으로 확인", None),
}


def seed_demo_reports(center: tuple[float, float], radius_m: float = 1200) -> int:
    """Create the demo reports when there are none; return how many were made."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Report)):
        return 0
    operator = db.session.scalar(sa.select(User).where(User.role == Role.OPERATOR).order_by(User.id))
    guard = db.session.scalar(sa.select(User).where(User.role == Role.GUARD, User.active.is_(True)).order_by(User.id))
    if operator is None:
        return 0
    rng = random.Random(7)
    now = utcnow()
    for kind, text, path, hours_ago in STORIES:
        lat, lon = _near(rng, center, radius_m)
        values = {"kind": kind, "lat": lat, "lon": lon, "accuracy_m": rng.choice((8.0, 15.0, 30.0)), "text": text}
        report = service.submit(values, idempotency_key=f"demo-{uuid.uuid4()}", device=None, user=None).report
        for status in path:
            note, public_note = NOTES[status]
            assignee = guard if status is ReportStatus.DISPATCHED else None
            service.change_status(report, status, by=operator, note=note, public_note=public_note, assignee=assignee)
        _date_back(report, now - dt.timedelta(hours=hours_ago))
    db.session.commit()
    return len(STORIES)


def _near(rng: random.Random, center: tuple[float, float], radius_m: float) -> tuple[float, float]:
    distance, bearing = radius_m * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    lat = center[0] + distance * math.cos(bearing) / 111_320
    lon = center[1] + distance * math.sin(bearing) / (111_320 * math.cos(math.radians(center[0])))
    return round(lat, 6), round(lon, 6)


def _date_back(report: Report, received: dt.datetime) -> None:
    """Spread the case's history over the minutes after it came in."""
    report.received_at = report.client_time = received
    for n, event in enumerate(report.events):
        event.at = received + dt.timedelta(minutes=4 * n)
    report.updated_at = report.events[-1].at
