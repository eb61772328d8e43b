"""The role matrix: every endpoint, every kind of user, the status each gets.

A new endpoint must join ``MATRIX``: ``test_every_endpoint_is_in_the_matrix``
fails until it does.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from server.accounts.models import Role, User
from server.alerts import service as alerts
from server.alerts import subscriptions
from server.api.schemas.alerts import AlertWriteSchema
from server.extensions import db
from server.reports import photos
from server.reports import service as report_service
from server.reports.models import Report, ReportKind
from server.routing.demo import seed_demo_streets
from tests.alerts.keys import BrowserKeys
from tests.conftest import PASSWORD, Actor, add_facilities

KINDS = ("anonymous", "device", "resident", "guard", "operator", "admin")
ACCOUNTS = ("resident", "guard", "operator", "admin")


def expect(ok: int, allowed: tuple[str, ...] = KINDS) -> dict[str, int]:
    """``ok`` for the allowed kinds; 401 without an account, 403 with the wrong one."""
    return {kind: ok if kind in allowed else (401 if kind in ("anonymous", "device") else 403) for kind in KINDS}


def pages(ok: int, allowed: tuple[str, ...]) -> dict[str, int]:
    """Pages send visitors without an account to the login page instead of 401."""
    return {kind: ok if kind in allowed else (302 if kind in ("anonymous", "device") else 403) for kind in KINDS}


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), colour).save(out, format="PNG")
    return out.getvalue()


PNG = _png((255, 0, 0))
PHOTO_UPLOAD = "multipart photo"  # a body sent as multipart/form-data
ALERT = {
    "event": "Test",
    "urgency": "expected",
    "severity": "moderate",
    "certainty": "likely",
    "headline_ko": "시험",
    "headline_en": "Test",
    "area_desc_ko": "반경 300m",
    "area_desc_en": "Within 300 m",
    "areas": {"circles": [{"lat": 37.59, "lon": 127.02, "radius_m": 300}]},
    "expires": "2099-01-01T00:00:00+09:00",
}
NEW_SUBSCRIPTION = BrowserKeys.new().subscription("https://push.example.net/new")
MATRIX_ENDPOINT = "https://push.example.net/matrix"
SUBSCRIBERS = (*ACCOUNTS, "device")
NEW_USER = {"display_name": "신규", "email": "new@example.kr", "password": PASSWORD, "role": "guard"}

# (method, URL rule, concrete path, JSON body, expected status per kind)
MATRIX = [
    ("GET", "/api/v1/health", "/api/v1/health", None, expect(200)),
    ("GET", "/api/v1/config", "/api/v1/config", None, expect(200)),
    ("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", None, expect(200)),
    ("GET", "/api/v1/docs", "/api/v1/docs", None, expect(200)),
    ("GET", "/api/v1/auth/me", "/api/v1/auth/me", None, expect(200)),
    ("PATCH", "/api/v1/auth/me", "/api/v1/auth/me", {"language": "en"}, expect(200, ACCOUNTS)),
    ("POST", "/api/v1/auth/password", "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "brand new password"}, expect(204, ACCOUNTS)),
    ("POST", "/api/v1/auth/login", "/api/v1/auth/login", {"login": "nobody@example.kr", "password": "x"}, {k: 401 for k in KINDS}),
    ("POST", "/api/v1/auth/logout", "/api/v1/auth/logout", None, expect(204)),
    ("GET", "/api/v1/users", "/api/v1/users", None, expect(200, ("admin",))),
    ("POST", "/api/v1/users", "/api/v1/users", NEW_USER, expect(201, ("admin",))),
    ("GET", "/api/v1/users/<int:user_id>", "/api/v1/users/{target}", None, expect(200, ("admin",))),
    ("PATCH", "/api/v1/users/<int:user_id>", "/api/v1/users/{target}", {"language": "en"}, expect(200, ("admin",))),
    ("GET", "/api/v1/organisations", "/api/v1/organisations", None, expect(200, ("operator", "admin"))),
    ("POST", "/api/v1/organisations", "/api/v1/organisations", {"name": "새 방범대"}, expect(201, ("admin",))),
    ("GET", "/api/v1/guards", "/api/v1/guards", None, expect(200, ("operator", "admin"))),
    ("GET", "/api/v1/areas", "/api/v1/areas?level=dong", None, expect(200)),
    ("GET", "/api/v1/facilities", "/api/v1/facilities?bbox=127.0,37.5,127.1,37.7", None, expect(200)),
    ("GET", "/api/v1/facilities/nearby", "/api/v1/facilities/nearby?lat=37.59&lon=127.02", None, expect(200)),
    ("GET", "/api/v1/facilities/<int:facility_id>", "/api/v1/facilities/{facility}", None, expect(200)),
    ("PATCH", "/api/v1/facilities/<int:facility_id>", "/api/v1/facilities/{facility}", {"status": "out_of_order"}, expect(200, ("operator", "admin"))),
    ("POST", "/api/v1/reports", "/api/v1/reports", {"kind": "sos", "lat": 37.59, "lon": 127.02}, {**expect(201, ACCOUNTS), "device": 201}),
    ("GET", "/api/v1/reports", "/api/v1/reports", None, expect(200, ("operator", "admin"))),
    ("GET", "/api/v1/reports/public", "/api/v1/reports/public?bbox=127.0,37.5,127.1,37.7", None, expect(200)),
    ("GET", "/api/v1/reports/stream", "/api/v1/reports/stream", None, expect(200, ("operator", "admin"))),
    ("GET", "/api/v1/reports/assigned", "/api/v1/reports/assigned", None, expect(200, ("guard",))),
    # Only the guard the case was dispatched to may write to it: to this guard, it does not exist.
    ("POST", "/api/v1/reports/assigned/<int:report_id>", "/api/v1/reports/assigned/{report}", {"note": "도착"}, {**expect(404, ("guard",))}),
    ("GET", "/api/v1/reports/mine", "/api/v1/reports/mine", None, {**expect(200, ACCOUNTS), "device": 200}),
    ("GET", "/api/v1/reports/<int:report_id>", "/api/v1/reports/{report}", None, expect(200, ("operator", "admin"))),
    ("PATCH", "/api/v1/reports/<int:report_id>", "/api/v1/reports/{report}", {"status": "acknowledged"}, expect(200, ("operator", "admin"))),
    ("POST", "/api/v1/reports/<int:report_id>/merge", "/api/v1/reports/{report}/merge", {"into": "{other_report}"}, expect(200, ("operator", "admin"))),
    ("POST", "/api/v1/reports/<int:report_id>/photos", "/api/v1/reports/{report}/photos", PHOTO_UPLOAD, {**expect(201, ("operator", "admin")), "device": 403}),
    ("GET", "/api/v1/reports/<int:report_id>/photos/<int:photo_id>", "/api/v1/reports/{report}/photos/{photo}", None, {**expect(200, ("operator", "admin")), "device": 403}),
    ("GET", "/api/v1/push/vapid-public-key", "/api/v1/push/vapid-public-key", None, expect(200)),
    ("POST", "/api/v1/push/subscriptions", "/api/v1/push/subscriptions", NEW_SUBSCRIPTION, expect(201, SUBSCRIBERS)),
    ("PUT", "/api/v1/push/subscriptions", "/api/v1/push/subscriptions", {"endpoint": MATRIX_ENDPOINT, "here": {"lat": 37.59, "lon": 127.02}}, expect(200, SUBSCRIBERS)),
    ("DELETE", "/api/v1/push/subscriptions", "/api/v1/push/subscriptions", {"endpoint": MATRIX_ENDPOINT}, expect(204, SUBSCRIBERS)),
    ("GET", "/api/v1/alerts", "/api/v1/alerts", None, expect(200)),
    ("POST", "/api/v1/alerts", "/api/v1/alerts", ALERT, expect(201, ("operator", "admin"))),
    ("GET", "/api/v1/alerts/manage", "/api/v1/alerts/manage", None, expect(200, ("operator", "admin"))),
    ("GET", "/api/v1/alerts/stream", "/api/v1/alerts/stream", None, expect(200, ("operator", "admin"))),
    ("POST", "/api/v1/alerts/preview", "/api/v1/alerts/preview", {"areas": ALERT["areas"]}, expect(200, ("operator", "admin"))),
    ("GET", "/api/v1/alerts/draft-from-report/<int:report_id>", "/api/v1/alerts/draft-from-report/{report}", None, expect(200, ("operator", "admin"))),
    ("GET", "/api/v1/alerts/<int:alert_id>", "/api/v1/alerts/{sent_alert}", None, expect(200)),
    ("PATCH", "/api/v1/alerts/<int:alert_id>", "/api/v1/alerts/{draft_alert}", {"headline_en": "Test 2"}, expect(200, ("operator", "admin"))),
    ("GET", "/api/v1/alerts/<int:alert_id>/manage", "/api/v1/alerts/{draft_alert}/manage", None, expect(200, ("operator", "admin"))),
    ("POST", "/api/v1/alerts/<int:alert_id>/approve", "/api/v1/alerts/{draft_alert}/approve", None, expect(200, ("operator", "admin"))),
    ("POST", "/api/v1/alerts/<int:alert_id>/send", "/api/v1/alerts/{draft_alert}/send", None, expect(200, ("operator", "admin"))),
    ("POST", "/api/v1/alerts/<int:alert_id>/update", "/api/v1/alerts/{sent_alert}/update", {"headline_en": "Update"}, expect(201, ("operator", "admin"))),
    ("POST", "/api/v1/alerts/<int:alert_id>/cancel", "/api/v1/alerts/{sent_alert}/cancel", {}, expect(201, ("operator", "admin"))),
    ("GET", "/api/v1/alerts/cap", "/api/v1/alerts/cap", None, expect(200)),
    ("GET", "/api/v1/alerts/<int:alert_id>/cap", "/api/v1/alerts/{sent_alert}/cap", None, expect(200)),
    # Residents need no account for a walk home; the demo streets are laid for this row.
    ("GET", "/api/v1/routes", "/api/v1/routes?from=37.5900,127.0200&to=37.5930,127.0240", None, expect(200)),
    ("GET", "/", "/", None, {k: 200 for k in KINDS}),
    ("GET", "/login", "/login", None, {k: 200 for k in KINDS}),
    ("GET", "/offline.html", "/offline.html", None, {k: 200 for k in KINDS}),
    ("GET", "/manifest.webmanifest", "/manifest.webmanifest", None, {k: 200 for k in KINDS}),
    ("GET", "/sw.js", "/sw.js", None, {k: 200 for k in KINDS}),
    ("GET", "/favicon.ico", "/favicon.ico", None, {k: 200 for k in KINDS}),
    ("GET", "/console", "/console", None, pages(200, ("operator", "admin"))),
    ("GET", "/guard", "/guard", None, pages(200, ("guard", "operator", "admin"))),
]

# Rules that are not endpoints of ours: static files and the Swagger UI assets.
NOT_ENDPOINTS = {"/static/<path:filename>"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method, rule, path, body, statuses", MATRIX, ids=[f"{m} {r}" for m, r, *_ in MATRIX])
def test_role_matrix(app, kind, method, rule, path, body, statuses):
    with app.app_context():
        from server.accounts import service

        target = service.create_user(display_name="대상", email="target@example.kr", password=PASSWORD, role=Role.RESIDENT).id
        (facility,) = add_facilities({"lat": 37.59, "lon": 127.02})
        report, other_report = (
            report_service.submit({"kind": ReportKind.SUSPICIOUS_PERSON, "lat": 37.59, "lon": 127.02}, idempotency_key=f"matrix-{n}", device=None, user=db.session.get(User, target)).report.id
            for n in range(2)
        )
        photo, _ = photos.attach(db.session.get(Report, report), PNG, device=None, user=None, staff=True)
        author = service.create_user(display_name="작성자", email="author@example.kr", password=PASSWORD, role=Role.OPERATOR)
        values = AlertWriteSchema().load(ALERT)
        draft_alert, sent_alert = alerts.create(values, author=author).id, alerts.create(values, author=author)
        alerts.send(sent_alert, by=author)
        subscriptions.upsert(BrowserKeys.new().subscription(MATRIX_ENDPOINT), device=None, user=db.session.get(User, target))
        ids = {"target": target, "facility": facility, "report": report, "other_report": other_report, "photo": photo.id, "draft_alert": draft_alert, "sent_alert": sent_alert.id}
        if rule == "/api/v1/routes":
            seed_demo_streets((37.59, 127.02))
    if isinstance(body, dict) and body.get("into") == "{other_report}":
        body = {**body, "into": other_report}
    payload = {"data": {"photo": (io.BytesIO(_png((0, 0, 255))), "p.png")}, "content_type": "multipart/form-data"} if body == PHOTO_UPLOAD else {"json": body}
    actor = Actor(app, device=True) if kind == "device" else Actor(app, role=None if kind == "anonymous" else Role(kind))
    headers = {"Idempotency-Key": f"matrix-{kind}-{method}"}
    with actor.open(method, path.format(**ids), headers=headers, **payload) as response:
        assert response.status_code == statuses[kind], (kind, method, path, response.get_data(as_text=True)[:300])


def test_every_endpoint_is_in_the_matrix(app):
    covered = {(method, rule) for method, rule, *_ in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.rule in NOT_ENDPOINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, rule.rule) not in covered:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"add these to MATRIX: {missing}"


def test_matrix_rules_exist(app):
    rules = {(m, r.rule) for r in app.url_map.iter_rules() for m in r.methods}
    assert all((m, r) in rules for m, r, *_ in MATRIX)
    assert all(re.match(r"^/", path) for _, _, path, *_ in MATRIX)
