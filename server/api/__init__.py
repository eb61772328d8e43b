"""The HTTP API under /api/v1: one blueprint module per resource."""

from flask import Flask


def register_api(app: Flask) -> None:
    from server.api import alerts, areas, auth, client_config, facilities, guards, health, organisations, push, reports, routes, users
    from server.extensions import api

    api.init_app(app, spec_kwargs=_spec_kwargs())
    for module in (health, client_config, auth, users, organisations, guards, areas, facilities, reports, push, alerts, routes):
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.URL_PREFIX}")
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"]})
    api.spec.components.security_scheme("device", {"type": "apiKey", "in": "header", "name": "X-Device-Key"})
    api.spec.components.security_scheme("csrf", {"type": "apiKey", "in": "header", "name": "X-CSRFToken"})


def _spec_kwargs() -> dict:
    return {
        "info": {
            "description": (
                "Ansim (안심) resident-safety API. Residents need no account: send a random "
                "`X-Device-Key` (≥ 128 bits, base64url). Staff log in with a cookie session; "
                "unsafe requests on a session need `X-CSRFToken` (from `GET /api/v1/auth/me`). "
                "Every error has one JSON shape: `{code, status, message, errors?}`."
            )
        },
        "servers": [{"url": "/"}],
    }
