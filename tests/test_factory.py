"""The application factory and settings: injected config, environment, secrets."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from server import config, create_app
from server.extensions import db
from tests.conftest import base_config


def test_injected_config_wins_and_environment_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("ANSIM_DISTRICT_NAME", "from-environment")
    app = create_app(base_config(tmp_path, DISTRICT_NAME="주입됨"))
    assert app.testing
    assert app.config["DISTRICT_NAME"] == "주입됨"
    assert Path(app.instance_path) == (tmp_path / "instance").resolve()


def test_environment_is_read_by_config_only():
    settings = config.from_environ(
        {
            "DATABASE_URL": "postgres://ansim@db/ansim",
            "ANSIM_MAP_CENTER": "37.6, 127.02",
            "ANSIM_MAX_UPLOAD_MB": "2.5",
            "ANSIM_MAP_ZOOM": "16",
            "UNRELATED": "x",
        }
    )
    assert settings == {
        "SQLALCHEMY_DATABASE_URI": "postgres://ansim@db/ansim",
        "MAP_CENTER": (37.6, 127.02),
        "MAX_CONTENT_LENGTH": int(2.5 * 1024 * 1024),
        "MAP_ZOOM": 16,
    }
    assert config.database_url("postgres://a@b/c") == "postgresql+psycopg://a@b/c"
    assert config.database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert config.database_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.parametrize("var, raw", [("ANSIM_MAP_CENTER", "37.6"), ("ANSIM_MAP_CENTER", "95,127"), ("ANSIM_MAP_ZOOM", "far")])
def test_malformed_settings_fail_at_start(var, raw):
    with pytest.raises(config.ConfigError, match=var):
        config.from_environ({var: raw})


def test_production_requires_a_secret_key(tmp_path):
    settings = base_config(tmp_path, ENV="production")
    del settings["SECRET_KEY"]
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        create_app(settings)


def test_production_cookies_are_secure(tmp_path):
    app = create_app(base_config(tmp_path, ENV="production"))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_development_secret_is_generated_once_and_kept(tmp_path):
    settings = base_config(tmp_path)
    del settings["SECRET_KEY"]
    first = create_app(dict(settings)).config["SECRET_KEY"]
    second = create_app(dict(settings)).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    kept = tmp_path / "instance" / "secret_key"
    assert kept.read_text() == first
    assert kept.stat().st_mode & 0o077 == 0  # readable by the owner only


def test_default_database_is_sqlite_in_the_instance_folder_with_wal(tmp_path):
    settings = base_config(tmp_path)
    del settings["SQLALCHEMY_DATABASE_URI"]
    app = create_app(settings)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{(tmp_path / 'instance').resolve() / 'ansim.sqlite3'}"
    with app.app_context():
        assert db.session.scalar(sa.text("PRAGMA journal_mode")) == "wal"
        assert db.session.scalar(sa.text("PRAGMA foreign_keys")) == 1


def test_redis_url_moves_rate_limits_to_redis(tmp_path):
    app = create_app(base_config(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", RATELIMIT_STORAGE_URI="memory://"))
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_readme_documents_every_setting():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [var for var, _, _ in config.ENVIRONMENT if f"`{var}`" not in readme]
    assert not missing, f"README settings table lacks {missing}"
