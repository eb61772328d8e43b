"""Cookie sessions with the signing serializer built once per app.

Flask builds a new itsdangerous serializer for every request, session cookie
or not (its constructor even test-encodes JSON); on a read-only API that
costs a noticeable share of each request. The serializer depends only on the
secret keys, so it is kept and rebuilt only when they change.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (id(app), app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._serializers:
            self._serializers[key] = super().get_signing_serializer(app)
        return self._serializers[key]
