"""The ``ansim`` command: accounts, the demo, and the README's run command."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.accounts.models import Role, User
from server.extensions import db
from tests.conftest import TEST_DATABASE_URL, Actor


def test_user_create_asks_for_the_password_and_never_echoes_it(app, runner):
    result = runner.invoke(
        args=["user", "create", "--role", "operator", "--name", "김관제", "--email", "kim@example.kr", "--organisation", "성북구청"],
        input="operator password 1\noperator password 1\n",
    )
    assert result.exit_code == 0, result.output
    assert "operator password 1" not in result.output
    assert "Created operator" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "kim@example.kr"))
        assert user.role is Role.OPERATOR and user.organisation.name == "성북구청"
    listed = runner.invoke(args=["user", "list", "--role", "operator"])
    assert "kim@example.kr" in listed.output


def test_user_create_explains_a_refusal(app, runner):
    args = ["user", "create", "--role", "guard", "--name", "이", "--email", "lee@example.kr", "--password", "short"]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "At least 10 characters" in result.output


def test_demo_creates_accounts_once_and_keeps_their_passwords(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo"])
    assert "already set up" in second.output
    pattern = re.compile(r"(operator@demo\.ansim\.kr)\s+(\S+)")
    assert pattern.search(first.output).groups() == pattern.search(second.output).groups()
    email, password = pattern.search(first.output).groups()
    client = app.test_client()
    token = client.get("/api/v1/auth/me").get_json()["csrf_token"]
    login = client.post("/api/v1/auth/login", json={"login": email, "password": password}, headers={"X-CSRFToken": token})
    assert login.get_json()["user"]["role"] == "operator"
    with app.app_context():
        roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == set(Role)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="the README's run command is the SQLite zero-setup path")
def test_run_demo_migrates_an_empty_instance_and_serves(tmp_path):
    """The README's first command, as a new user runs it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "REDIS_URL"}}
    env["ANSIM_INSTANCE_PATH"] = str(tmp_path / "instance")
    ansim = Path(sys.executable).with_name("ansim")
    process = subprocess.Popen(
        [str(ansim), "run", "--demo", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            assert "안심" in response.read().decode()
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "operator@demo.ansim.kr" in output
    assert (tmp_path / "instance" / "ansim.sqlite3").exists()
    assert (tmp_path / "instance" / "secret_key").exists()


def test_demo_district_has_facilities_near_its_centre(app, runner):
    result = runner.invoke(args=["demo"])
    assert "demo facilities" in result.output
    center = app.config["MAP_CENTER"]
    client = app.test_client()
    bells = client.get(f"/api/v1/facilities/nearby?lat={center[0]}&lon={center[1]}&kind=bell&radius=1000").get_json()
    assert bells["count"] >= 3
    detail = client.get(f"/api/v1/facilities/{bells['items'][0]['id']}").get_json()
    assert detail["gu_code"] == app.config["DISTRICT_CODE"] and detail["dong_name"].startswith("데모")
    viewport = client.get("/api/v1/facilities?bbox=126.99,37.57,127.04,37.61").get_json()
    kinds = {kind for f in viewport["features"] for kind in f["properties"]["kinds"]}
    assert viewport["aggregated"] and kinds == {"bell", "cctv", "security_light", "safe_house", "police"}
    assert "demo facilities" not in runner.invoke(args=["demo"]).output  # generated once


def test_demo_reports_show_every_state_to_the_console(app, runner):
    assert "demo reports" in runner.invoke(args=["demo"]).output
    operator = Actor(app, role=Role.OPERATOR)
    listed = operator.get("/api/v1/reports?page_size=100").get_json()
    assert {r["status"] for r in listed} == {"new", "acknowledged", "dispatched", "resolved", "false_alarm"}
    assert listed[0]["kind"] == "sos" and listed[0]["status"] == "new"  # the open SOS first
    assert all(r["area_name"] and r["area_name"].startswith("데모") for r in listed)
    dispatched = next(r for r in listed if r["status"] == "dispatched")
    assert dispatched["assignee"]["display_name"] == "순찰대원 데모"
    history = operator.get(f"/api/v1/reports/{dispatched['id']}").get_json()["events"]
    assert [e["to_status"] for e in history] == ["new", "acknowledged", "dispatched"]
    assert history[0]["at"] < history[-1]["at"] <= dispatched["updated_at"]
    assert "demo reports" not in runner.invoke(args=["demo"]).output  # made once


def test_version_and_flask_commands_are_there():
    from click.testing import CliRunner

    from server.cli import main
    from server.version import __version__

    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output.strip() == f"ansim, version {__version__}"
    listed = runner.invoke(main, ["--help"]).output
    for command in ("run", "routes", "shell", "db", "user", "import", "demo", "worker"):
        assert f"  {command} " in listed
