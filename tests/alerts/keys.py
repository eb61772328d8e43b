"""Browser-like push subscription keys for tests: a real P-256 key pair and
a 16-byte auth secret, as a PushSubscription's toJSON() carries them."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class BrowserKeys:
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @classmethod
    def new(cls) -> BrowserKeys:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription(self, endpoint: str | None = None) -> dict:
        endpoint = endpoint or f"https://push.example.net/send/{secrets.token_urlsafe(16)}"
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
