"""Push subscriptions: validated keys and areas, one per browser, and the
server's VAPID key."""

import base64

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec

from server.alerts.models import PushSubscription
from server.extensions import db
from server.facilities.areas import import_areas
from tests.alerts.keys import BrowserKeys, b64url
from tests.conftest import assert_error, make_app
from tests.facilities.test_areas import write_areas


def count(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription))


@pytest.fixture
def areas(app, tmp_path):  # type: ignore[no-untyped-def]
    with app.app_context():
        for path in write_areas(tmp_path):
            import_areas(path)


def test_the_vapid_key_is_made_once_and_kept(app, client, runner):
    key = client.get("/api/v1/push/vapid-public-key").get_json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "==")
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)  # a real P-256 point
    assert client.get("/api/v1/push/vapid-public-key").get_json()["public_key"] == key
    assert runner.invoke(args=["vapid", "show"]).output.strip() == key
    rotated = runner.invoke(args=["vapid", "rotate", "--yes"]).output.strip()
    assert rotated != key and client.get("/api/v1/push/vapid-public-key").get_json()["public_key"] == rotated


def test_one_browser_one_subscription_with_its_areas(app, as_, areas):
    device = as_("device")
    keys = BrowserKeys.new()
    body = {**keys.subscription(), "language": "en", "home": {"lat": 37.5894, "lon": 127.0167, "radius_m": 800}, "area_codes": ["1129061000"], "here": {"lat": 37.58943, "lon": 127.01671}}
    first = device.post("/api/v1/push/subscriptions", json=body)
    assert first.status_code == 201
    stored = first.get_json()
    assert stored["home"] == {"lat": 37.5894, "lon": 127.0167, "radius_m": 800} and stored["area_codes"] == ["1129061000"]
    # "Where I am" leaves the phone only as a ~100 m cell.
    assert stored["here"] != {"lat": 37.58943, "lon": 127.01671}
    assert abs(stored["here"]["lat"] - 37.58943) < 0.0009 and stored["language"] == "en"

    again = device.post("/api/v1/push/subscriptions", json={**body, "area_codes": ["11290"], "home": None})
    assert again.status_code == 200 and again.get_json()["area_codes"] == ["11290"] and again.get_json()["home"] is None
    assert count(app) == 1

    moved = device.open("PUT", "/api/v1/push/subscriptions", json={"endpoint": body["endpoint"], "here": {"lat": 37.60, "lon": 127.03}})
    assert moved.status_code == 200 and moved.get_json()["area_codes"] == ["11290"]  # the rest stays
    assert abs(moved.get_json()["here"]["lat"] - 37.60) < 0.0009

    assert device.open("DELETE", "/api/v1/push/subscriptions", json={"endpoint": body["endpoint"]}).status_code == 204
    assert count(app) == 0
    assert_error(device.open("DELETE", "/api/v1/push/subscriptions", json={"endpoint": body["endpoint"]}), 404)


def _not_on_curve() -> str:
    return b64url(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"keys": {"p256dh": _not_on_curve(), "auth": b64url(b"a" * 16)}}, "keys"),
        ({"keys": {"p256dh": BrowserKeys.new().p256dh, "auth": b64url(b"a" * 12)}}, "keys"),
        ({"endpoint": "ftp://push.example.net/x"}, "endpoint"),
        ({"area_codes": ["1129099999"]}, "area_codes"),
        ({"home": {"lat": 37.5, "lon": 127.0, "radius_m": 40_000}}, "home"),
        ({"home": {"lat": 137.5, "lon": 127.0}}, "home"),
        ({"language": "fr"}, "language"),
    ],
)
def test_subscriptions_a_browser_could_not_make_are_refused(app, as_, areas, change, field):
    body = {**BrowserKeys.new().subscription(), **change}
    assert_error(as_("device").post("/api/v1/push/subscriptions", json=body), 422, json=[field])
    assert count(app) == 0


def test_production_wants_https_endpoints(tmp_path):
    app = make_app(tmp_path, ENV="production", SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    from tests.conftest import Actor

    device = Actor(app, device=True)
    body = BrowserKeys.new().subscription("http://push.example.net/send/abc123")
    error = assert_error(device.post("/api/v1/push/subscriptions", json=body), 422, json=["endpoint"])
    assert "HTTPS" in error["errors"]["json"]["endpoint"][0]


def test_subscribing_needs_a_device_or_an_account(app, as_):
    assert_error(as_("anonymous").post("/api/v1/push/subscriptions", json=BrowserKeys.new().subscription()), 401)
