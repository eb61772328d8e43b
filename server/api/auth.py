"""Log in and out, and who am I: accounts by cookie session, residents by device key."""

from flask import current_app, request, session
from flask.views import MethodView
from flask_login import current_user, login_required, login_user, logout_user
from flask_smorest import Blueprint, abort
from flask_wtf.csrf import generate_csrf

from server.accounts import service
from server.accounts.auth import current_account, current_device
from server.api.schemas.accounts import IdentitySchema, LoginSchema, PasswordChangeSchema, ProfileUpdateSchema, UserSchema
from server.extensions import limiter

URL_PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="Log in, log out, current identity")


def _identity() -> dict:
    return {"user": current_account(), "device": current_device(), "csrf_token": generate_csrf()}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_name() -> str:
    body = request.get_json(silent=True)
    name = body.get("login") if isinstance(body, dict) else None
    return "login:" + (str(name).strip().lower() if name else "-")


def _failed(response) -> bool:
    return response.status_code == 401


@blp.route("/login", methods=["POST"])
@limiter.limit(_login_limit, deduct_when=_failed, scope="login-ip")
@limiter.limit(_login_limit, key_func=_login_name, deduct_when=_failed, scope="login-account")
@blp.arguments(LoginSchema)
@blp.response(200, IdentitySchema)
@blp.alt_response(401, description="Wrong login or password")
@blp.alt_response(429, description="Too many failed attempts")
def login(credentials):
    """Log in with an email or phone number and a password.

    Needs `X-CSRFToken` from `GET /auth/me`. Failed attempts are limited per
    client address and per account.
    """
    user = service.authenticate(credentials["login"], credentials["password"])
    if user is None:
        abort(401, message="Wrong login or password.")
    session.clear()  # nothing from before the login survives it
    login_user(user, remember=credentials["remember"])
    return _identity()


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End this session."""
    logout_user()
    session.clear()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, IdentitySchema)
    def get(self):
        """Who is asking: the account, the device, and a CSRF token for this session."""
        return _identity()

    @login_required
    @blp.arguments(ProfileUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, changes):
        """Change your own display name or language."""
        return service.update_user(current_user, changes)


@blp.route("/password", methods=["POST"])
@login_required
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(body):
    """Change your password; every other session of yours ends."""
    user = service.change_password(current_user, body["current_password"], body["new_password"])
    login_user(user)  # keep this session on the new token
