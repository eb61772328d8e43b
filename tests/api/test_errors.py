"""Every API error has one JSON shape; pages keep HTML errors."""

import pytest

from server import create_app
from server.extensions import db
from tests.conftest import Actor, assert_error, base_config, make_app


def test_400_bad_json(as_):
    device = as_("device")
    token = device.csrf_token()
    response = device.client.post(
        "/api/v1/auth/login", data="{not json", headers={"Content-Type": "application/json", "X-CSRFToken": token}
    )
    body = assert_error(response, 400)
    assert "json" in body["errors"]


def test_401_without_login(client):
    assert_error(client.get("/api/v1/users"), 401)


def test_403_with_the_wrong_role(as_):
    assert_error(as_("operator").get("/api/v1/users"), 403)


def test_404_unknown_api_path_and_unknown_id(client, as_):
    assert_error(client.get("/api/v1/no-such-thing"), 404)
    assert_error(as_("admin").get("/api/v1/users/987654"), 404)


def test_405_says_which_methods_are_allowed(client):
    response = client.delete("/api/v1/health")
    assert_error(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


def test_409_duplicate_email(as_):
    admin = as_("admin")
    body = {"display_name": "김순찰", "email": "dup@example.kr", "password": "long enough pw", "role": "guard"}
    assert admin.post("/api/v1/users", json=body).status_code == 201
    assert_error(admin.post("/api/v1/users", json={**body, "email": "DUP@example.kr"}), 409, json=["email"])


def test_413_body_over_the_limit(tmp_path):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=1024)
    actor = Actor(app, device=True)
    response = actor.post("/api/v1/auth/login", json={"login": "x" * 2000, "password": "y"})
    assert_error(response, 413)


def test_415_wrong_content_type(as_):
    device = as_("device")
    response = device.post("/api/v1/auth/login", data="login=a&password=b", content_type="application/x-www-form-urlencoded")
    assert_error(response, 415)


def test_422_lists_unknown_and_invalid_fields(as_):
    admin = as_("admin")
    response = admin.post(
        "/api/v1/users",
        json={"display_name": "", "email": "not-an-email", "password": "short", "role": "wizard", "shoe_size": 270},
    )
    body = assert_error(response, 422, json=["shoe_size", "display_name", "email", "password", "role"])
    assert body["errors"]["json"]["shoe_size"] == ["Unknown field."]


def test_422_invalid_device_key_header(client):
    response = client.get("/api/v1/auth/me", headers={"X-Device-Key": "too-short"})
    assert_error(response, 422, headers=["X-Device-Key"])


def test_429_has_retry_after(tmp_path):
    app = make_app(tmp_path, LOGIN_RATE_LIMIT="2 per minute")
    actor = Actor(app, device=True)
    for _ in range(2):
        assert actor.post("/api/v1/auth/login", json={"login": "nobody@example.kr", "password": "wrong"}).status_code == 401
    response = actor.post("/api/v1/auth/login", json={"login": "nobody@example.kr", "password": "wrong"})
    assert_error(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_500_is_json_and_logged(tmp_path, caplog):
    app = create_app(base_config(tmp_path, PROPAGATE_EXCEPTIONS=False))

    @app.get("/api/v1/_boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/api/v1/_boom")
    body = assert_error(response, 500)
    assert "kaboom" not in body["message"]  # internals stay in the log
    assert "kaboom" in caplog.text
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/no-such-page", "/static/no-such-file.js"])
def test_pages_keep_html_errors(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "페이지를 찾을 수 없습니다" in page and "tel:112" in page
