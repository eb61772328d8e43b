"""The pages: the resident PWA, its service worker and manifest, and the
staff shells (/console for operators and admins, /guard for guards)."""

from __future__ import annotations

import hashlib
from functools import cache

from flask import Blueprint, Flask, Response, current_app, send_from_directory

from server.accounts.auth import STAFF_ROLES, page_for_roles
from server.accounts.models import Role
from server.paths import PWA_DIR

bp = Blueprint("pages", __name__)

VERSION_PLACEHOLDER = "__ANSIM_VERSION__"


def register_pages(app: Flask) -> None:
    app.register_blueprint(bp)


def _page(name: str) -> Response:
    response = send_from_directory(PWA_DIR, name, max_age=0)
    # Pages change with every release; the service worker decides what is offline.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index() -> Response:
    """The resident app shell."""
    return _page("index.html")


@bp.get("/login")
def login() -> Response:
    """Staff login (operators, guards, admins)."""
    return _page("login.html")


@bp.get("/offline.html")
def offline() -> Response:
    return _page("offline.html")


@bp.get("/console")
@page_for_roles(*STAFF_ROLES)
def console() -> Response:
    """The control-room console."""
    return _page("console.html")


@bp.get("/guard")
@page_for_roles(Role.GUARD, *STAFF_ROLES)
def guard() -> Response:
    """The safety guard's patrol app."""
    return _page("guard.html")


@bp.get("/favicon.ico")
def favicon() -> Response:
    return send_from_directory(PWA_DIR / "static" / "icons", "favicon.ico", max_age=86400)


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    response = _page("manifest.webmanifest")
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, from the site root so its scope is the whole app.

    Its VERSION is a hash of the PWA's files, so any change to the shell makes
    a new cache and the old one is dropped on activate.
    """
    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
    body = source.replace(VERSION_PLACEHOLDER, shell_version(current_app.config.get("TESTING", False)))
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def shell_version(fresh: bool = False) -> str:
    return _hash_pwa() if fresh else _cached_hash()


@cache
def _cached_hash() -> str:
    return _hash_pwa()


def _hash_pwa() -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in PWA_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(PWA_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
