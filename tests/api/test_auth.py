"""Logging in and out, CSRF, rate limits and anonymous device identity."""

import sqlalchemy as sa

from server.accounts.models import Device, Role
from server.accounts.service import hash_device_key
from server.extensions import db
from tests.conftest import PASSWORD, Actor, assert_error, make_app, new_device_key


def test_login_with_email_or_phone_then_me_then_logout(app):
    with app.app_context():
        from server.accounts import service

        service.create_user(display_name="박관제", email="op@example.kr", phone="010-1234-5678", password=PASSWORD, role=Role.OPERATOR)
    actor = Actor(app)
    body = actor.login("OP@example.kr", PASSWORD).get_json()
    assert body["user"]["display_name"] == "박관제" and body["user"]["role"] == "operator"
    assert "password" not in str(body["user"]) and "session_token" not in body["user"]
    assert actor.get("/api/v1/auth/me").get_json()["user"]["email"] == "op@example.kr"
    assert actor.post("/api/v1/auth/logout").status_code == 204
    assert actor.get("/api/v1/auth/me").get_json()["user"] is None

    by_phone = Actor(app)
    assert by_phone.login("+82 10-1234-5678", PASSWORD).get_json()["user"]["phone"] == "01012345678"


def test_wrong_password_and_unknown_login_look_the_same(app):
    with app.app_context():
        from server.accounts import service

        service.create_user(display_name="이경비", email="g@example.kr", password=PASSWORD, role=Role.GUARD)
    actor = Actor(app)
    wrong = actor.post("/api/v1/auth/login", json={"login": "g@example.kr", "password": "not it at all"})
    unknown = actor.post("/api/v1/auth/login", json={"login": "who@example.kr", "password": "not it at all"})
    assert assert_error(wrong, 401)["message"] == assert_error(unknown, 401)["message"]
    assert actor.get("/api/v1/auth/me").get_json()["user"] is None


def test_inactive_account_cannot_log_in_and_is_logged_out(app, as_):
    admin = as_("admin")
    guard = as_("guard")
    assert guard.get("/api/v1/auth/me").get_json()["user"]["role"] == "guard"
    assert admin.patch(f"/api/v1/users/{guard.user_id}", json={"active": False}).status_code == 200
    assert guard.get("/api/v1/auth/me").get_json()["user"] is None  # the live session ended
    again = Actor(app)
    email = admin.get(f"/api/v1/users/{guard.user_id}").get_json()["email"]
    assert_error(again.post("/api/v1/auth/login", json={"login": email, "password": PASSWORD}), 401)


def test_password_change_ends_other_sessions(app, as_):
    operator = as_("operator")
    email = operator.get("/api/v1/auth/me").get_json()["user"]["email"]
    elsewhere = Actor(app)
    elsewhere.login(email, PASSWORD)
    response = operator.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "a new long password"})
    assert response.status_code == 204
    assert operator.get("/api/v1/auth/me").get_json()["user"] is not None  # this session stays
    assert elsewhere.get("/api/v1/auth/me").get_json()["user"] is None
    assert_error(
        operator.post("/api/v1/auth/password", json={"current_password": "wrong one!!", "new_password": "another long one"}),
        422,
        json=["current_password"],
    )


def test_login_rate_limit_counts_failures_per_account(tmp_path):
    app = make_app(tmp_path, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        from server.accounts import service

        service.create_user(display_name="최관리", email="a@example.kr", password=PASSWORD, role=Role.ADMIN)
    actor = Actor(app)
    # Successful logins do not count against the limit.
    for _ in range(4):
        actor.login("a@example.kr", PASSWORD)
    for _ in range(3):
        assert actor.post("/api/v1/auth/login", json={"login": "a@example.kr", "password": "guessing..."}).status_code == 401
    blocked = actor.post("/api/v1/auth/login", json={"login": "a@example.kr", "password": PASSWORD})
    assert_error(blocked, 429)
    assert "Retry-After" in blocked.headers


def test_csrf_token_is_required_on_cookie_sessions(as_):
    operator = as_("operator")
    missing = operator.open("PATCH", "/api/v1/auth/me", csrf=False, json={"language": "en"})
    assert_error(missing, 400)
    wrong = operator.open("PATCH", "/api/v1/auth/me", csrf=False, json={"language": "en"}, headers={"X-CSRFToken": "forged"})
    assert_error(wrong, 400)
    assert operator.patch("/api/v1/auth/me", json={"language": "en"}).get_json()["language"] == "en"


def test_login_itself_needs_a_csrf_token(app):
    actor = Actor(app)
    response = actor.open("POST", "/api/v1/auth/login", csrf=False, json={"login": "a@example.kr", "password": "x"})
    assert_error(response, 400)
    assert "CSRF" in response.get_json()["message"]


def test_device_key_identifies_a_device_and_only_its_hash_is_stored(app):
    key = new_device_key()
    client = app.test_client()
    first = client.get("/api/v1/auth/me", headers={"X-Device-Key": key}).get_json()["device"]
    again = app.test_client().get("/api/v1/auth/me", headers={"X-Device-Key": key}).get_json()["device"]
    other = client.get("/api/v1/auth/me", headers={"X-Device-Key": new_device_key()}).get_json()["device"]
    assert first["id"] == again["id"] != other["id"]
    assert client.get("/api/v1/auth/me").get_json()["device"] is None
    with app.app_context():
        stored = db.session.scalars(sa.select(Device.key_hash)).all()
        assert hash_device_key(key) in stored
        dump = "\n".join(line for line in db.session.connection().connection.iterdump()) if db.engine.dialect.name == "sqlite" else ""
        assert key not in dump


def test_device_requests_need_no_csrf_token(app):
    # A device key is not a cookie: a cross-site page cannot send it, so no token is needed.
    device = Actor(app, device=True)
    response = device.open("POST", "/api/v1/auth/logout", csrf=False)
    assert response.status_code == 204


def test_own_profile_language_is_validated(as_):
    resident = as_("resident")
    assert_error(resident.patch("/api/v1/auth/me", json={"language": "fr"}), 422, json=["language"])
    assert_error(resident.patch("/api/v1/auth/me", json={"role": "admin"}), 422, json=["role"])
