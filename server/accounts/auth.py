"""Who is asking: Flask-Login sessions, device keys, roles and the CSRF rule.

- Accounts log in with a cookie session (Flask-Login).
- Residents without an account send ``X-Device-Key``; only its hash is stored.
- Unsafe requests that ride on a cookie session (and every login attempt)
  must carry ``X-CSRFToken``. Device-key requests carry no cookie, so a
  forged cross-site request cannot act as anyone and needs no token.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user
from flask_smorest import abort

from server.accounts import service
from server.accounts.models import Device, Role, User
from server.errors import wants_json
from server.extensions import csrf, login_manager

DEVICE_HEADER = "X-Device-Key"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STAFF_ROLES = (Role.OPERATOR, Role.ADMIN)

F = TypeVar("F", bound=Callable[..., Any])


def register_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(service.load_user)
    login_manager.unauthorized_handler(_unauthorized)
    csrf.init_app(app)
    app.before_request(_check_request)


def _unauthorized() -> Any:
    if wants_json():
        abort(401)
    return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))


def _check_request() -> None:
    if not request.path.startswith("/api/"):
        return
    key = request.headers.get(DEVICE_HEADER)
    if key is not None and not service.DEVICE_KEY_RE.match(key):
        abort(422, errors={"headers": {DEVICE_HEADER: ["Must be 22–128 base64url characters (at least 128 random bits)."]}})
    if request.method in UNSAFE_METHODS:
        _check_body_type()
        if current_user.is_authenticated or request.endpoint == "auth.login":
            csrf.protect()


def _check_body_type() -> None:
    """A body must be JSON unless the view says it takes another type (415)."""
    if not request.content_length and "chunked" not in request.headers.get("Transfer-Encoding", ""):
        return
    view = request.url_rule and request.url_rule.endpoint
    accepted = getattr(_view_function(view), "accepts_mimetypes", ("application/json",))
    mimetype = request.mimetype
    if mimetype in accepted or (mimetype.startswith("application/") and mimetype.endswith("+json") and "application/json" in accepted):
        return
    abort(415, message=f"Send the body as {' or '.join(accepted)}.")


def _view_function(endpoint: str | None) -> Any:
    from flask import current_app

    return current_app.view_functions.get(endpoint) if endpoint else None


def accepts(*mimetypes: str) -> Callable[[F], F]:
    """Mark a view as taking bodies of these types (e.g. multipart uploads)."""

    def mark(view: F) -> F:
        view.accepts_mimetypes = mimetypes  # type: ignore[attr-defined]
        return view

    return mark


def current_device(*, register: bool = True) -> Device | None:
    """The device named by ``X-Device-Key``, registered on first sight."""
    if "device" not in g:
        key = request.headers.get(DEVICE_HEADER)
        user = current_user if current_user.is_authenticated else None
        g.device = service.identify_device(key, user=user) if key and register else None
    return g.device


def current_account() -> User | None:
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


def roles_required(*roles: Role) -> Callable[[F], F]:
    """401 without a login, 403 with a login of another role."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def page_for_roles(*roles: Role) -> Callable[[F], F]:
    """Pages: anonymous visitors go to the login page, other roles get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                from flask import abort as flask_abort

                flask_abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
