"""A non-editable install carries the PWA and the migrations and serves them."""

import json
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import TEST_DATABASE_URL

CHECK = r"""
import json, sys
import server
from flask_migrate import upgrade
from server import create_app
config = {"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": sys.argv[1],
          "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1] + "/t.sqlite3"}
app = create_app(config)
with app.app_context():
    upgrade()
client = app.test_client()
paths = ["/", "/sw.js", "/manifest.webmanifest", "/offline.html", "/static/js/api.js", "/api/v1/health", "/api/v1/docs"]
print(json.dumps({"file": server.__file__, **{p: client.get(p).status_code for p in paths}}))
"""


@pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="packaging does not depend on the database")
def test_wheel_serves_pwa_and_runs_migrations(tmp_path):
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"), str(root)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("ansim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "server/pwa/index.html" in names and "server/pwa/sw.js" in names
    assert "server/migrations/env.py" in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    (tmp_path / "instance").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path / "instance")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served.pop("file").startswith(str(site))
    assert set(served.values()) == {200}, served
