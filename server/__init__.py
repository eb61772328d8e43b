"""Ansim (안심): the Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from server import config as settings
from server.paths import MIGRATIONS_DIR, PWA_DIR
from server.sessions import SessionInterface
from server.version import __version__

__all__ = ["create_app", "__version__"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` replaces the environment entirely (tests)."""
    conf = settings.defaults() | (settings.from_environ() if config is None else {}) | dict(config or {})
    app = Flask(
        __name__,
        instance_path=str(Path(conf["INSTANCE_PATH"]).resolve()) if conf.get("INSTANCE_PATH") else None,
        static_folder=str(PWA_DIR / "static"),
        static_url_path="/static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings.finalise(conf, Path(app.instance_path)))
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep schema order: code, status, message…
    app.session_interface = SessionInterface()

    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_proxy(app)
    register_background_work(app)
    return app


def register_logging(app: Flask) -> None:
    from server.logs import configure_logging

    if not app.testing:
        configure_logging(app.config["LOG_LEVEL"])


def register_extensions(app: Flask) -> None:
    from server import models  # noqa: F401  (every model known to the metadata)
    from server.accounts.auth import register_auth
    from server.extensions import db, limiter, migrate
    from server.facilities.index import register_index
    from server.live import register_live

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    limiter.init_app(app)
    # Every limit of ours is a decorator, checked when its view runs; with no
    # default or application-wide limits, Flask-Limiter's before_request scan
    # only costs time on every other request (a tenth of a nearby search).
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    register_auth(app)
    register_index(app)
    register_live(app)


def register_errorhandlers(app: Flask) -> None:
    # After the blueprints: flask-smorest installs its own HTTP error handler
    # when the API registers, and ours must replace it.
    from server.errors import register_errorhandlers as register

    register(app)


def register_blueprints(app: Flask) -> None:
    from server.api import register_api
    from server.web import register_pages

    register_api(app)
    register_pages(app)


def register_commands(app: Flask) -> None:
    from server.cli import register_commands as register

    register(app)


def register_background_work(app: Flask) -> None:
    from server.alerts.worker import register_sender

    register_sender(app)


def register_proxy(app: Flask) -> None:
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
