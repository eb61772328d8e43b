"""Fixtures: a fresh app and database per test, a client, a CLI runner, and
helpers to act as each kind of user.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL
is set (the same tests, the same assertions).
"""

from __future__ import annotations

import gc
import os
import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.accounts import service
from server.accounts.models import Role
from server.config import database_url
from server.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PASSWORD = "correct horse battery"


def base_config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    url = database_url(TEST_DATABASE_URL) if TEST_DATABASE_URL else f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": url,
        "PASSWORD_HASHER": "cheap",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUSH_SENDER_THREAD": False,  # tests drain the outbox themselves
        **overrides,
    }


_fresh_schema = False


def reset_database() -> None:
    """Empty every table (PostgreSQL keeps its schema between tests).

    The PostgreSQL test database outlives a run, so the first test of a run
    starts from an empty schema: tables of an older model must not linger.
    """
    global _fresh_schema
    if db.engine.dialect.name == "postgresql" and not _fresh_schema:
        db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        db.create_all()
        _fresh_schema = True
    if db.engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    app = create_app(base_config(tmp_path, **overrides))
    with app.app_context():
        db.create_all()
        reset_database()
    return app


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    """Close the connections of every app a test made (each app has its own
    engine), so none is left for the garbage collector to find open."""
    yield
    for engines in list(db._app_engines.values()):  # noqa: SLF001
        for engine in engines.values():
            engine.dispose()
    # A connection still referenced by a finished thread's or stream's context
    # is closed here, at a known point, instead of by the garbage collector in
    # the middle of some later test (psycopg warns when that happens).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


def add_facilities(*rows: dict[str, Any]) -> list[int]:
    """Store facilities directly (inside an app context), as an import would."""
    from server.facilities import versions
    from server.facilities.models import Facility, FacilityKind

    made = []
    for n, row in enumerate(rows):
        row = {"kind": FacilityKind.BELL, "source": "test", "source_key": f"t{n}-{secrets.token_hex(4)}", **row}
        facility = Facility(**row)
        db.session.add(facility)
        made.append(facility)
    versions.bump(versions.FACILITIES)
    db.session.commit()
    return [f.id for f in made]


def new_device_key() -> str:
    return secrets.token_urlsafe(32)


class Actor:
    """A test client acting as one kind of user: anonymous, a device, or an account."""

    def __init__(self, app: Flask, *, role: Role | None = None, device: bool = False, email: str | None = None):
        self.app = app
        self.client = app.test_client()
        self.headers: dict[str, str] = {}
        self.user_id: int | None = None
        if device:
            self.headers["X-Device-Key"] = new_device_key()
        if role is not None:
            email = email or f"{role.value}-{secrets.token_hex(3)}@example.kr"
            with app.app_context():
                self.user_id = service.create_user(display_name=f"{role.value} 테스트", email=email, password=PASSWORD, role=role).id
            self.login(email, PASSWORD)

    def csrf_token(self) -> str:
        return self.client.get("/api/v1/auth/me", headers=self.headers).get_json()["csrf_token"]

    def login(self, login: str, password: str, **extra: Any):  # type: ignore[no-untyped-def]
        response = self.open("POST", "/api/v1/auth/login", json={"login": login, "password": password, **extra})
        assert response.status_code == 200, response.get_json()
        return response

    def open(self, method: str, url: str, *, csrf: bool = True, **kwargs: Any):  # type: ignore[no-untyped-def]
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if csrf and method in {"POST", "PUT", "PATCH", "DELETE"}:
            headers.setdefault("X-CSRFToken", self.csrf_token())
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open("PATCH", url, **kwargs)


@pytest.fixture
def as_(app: Flask):  # type: ignore[no-untyped-def]
    """``as_("operator")`` → an Actor logged in as a new operator."""

    def make(kind: str) -> Actor:
        if kind == "anonymous":
            return Actor(app)
        if kind == "device":
            return Actor(app, device=True)
        return Actor(app, role=Role(kind))

    return make


def assert_error(response, code: int, **fields: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The one error shape, with this status, and the named field messages."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == code
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"code", "status", "message", "errors"}
    for location, names in fields.items():
        for name in names:
            assert name in body["errors"][location], body
    return body
