"""A real Web Push service for the tests: an HTTP server on loopback that
checks every push as a browser's push service and the browser together would.

For each ``POST /push/<token>`` it verifies the VAPID header (RFC 8292: an
ES256 JWT whose ``aud`` is this server's origin, ``exp`` within 24 hours,
``sub`` set, signed by the key in ``k``, which must be the app's), then
decrypts the body with the subscriber's private key and auth secret
(RFC 8291 over RFC 8188's aes128gcm) and keeps the plaintext with the TTL,
Urgency and Topic headers. Tests assert on what was decrypted.

The decryption is written here from the RFCs with ``cryptography`` alone —
not with http_ece, which the sender's pywebpush encrypts with — so the two
sides are independent; the RFC 8291 worked example runs through it too.
Each endpoint can be told to answer 404, 410, 429 (with Retry-After) or
500 before it accepts, and the whole service to answer slowly.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import defaultdict
from typing import Any, Self

from aiohttp import web
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.alerts.keys import BrowserKeys


def b64decode(value: str | bytes) -> bytes:
    value = value.encode() if isinstance(value, str) else value
    return base64.urlsafe_b64decode(value + b"=" * (-len(value) % 4))


def point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


@dataclasses.dataclass
class Decrypted:
    """The plaintext and every intermediate value of RFC 8291 §3.4 and RFC 8188 §2.2."""

    plaintext: bytes
    salt: bytes
    record_size: int
    sender_public: bytes
    ecdh_secret: bytes
    ikm: bytes
    prk: bytes
    cek: bytes
    nonce: bytes


def decrypt(body: bytes, private_key: ec.EllipticCurvePrivateKey, auth_secret: bytes) -> Decrypted:
    """Open an aes128gcm Web Push message (RFC 8291) as the browser would."""
    salt, record_size, id_length = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    sender_public, records = body[21 : 21 + id_length], body[21 + id_length :]
    if id_length != 65 or record_size < 18:
        raise ValueError(f"bad header: keyid of {id_length} bytes, rs {record_size}")
    receiver_public = point(private_key.public_key())
    ecdh_secret = private_key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_public))
    # RFC 8291 §3.3-3.4: the auth secret and both public keys go into the IKM.
    prk_key = _hmac(auth_secret, ecdh_secret)
    ikm = _hmac(prk_key, b"WebPush: info\x00" + receiver_public + sender_public + b"\x01")
    # RFC 8188 §2.2: content encryption key and nonce from the salt and IKM.
    prk = _hmac(salt, ikm)
    cek = _hmac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
    nonce = _hmac(prk, b"Content-Encoding: nonce\x00\x01")[:12]
    plaintext = b""
    chunks = [records[i : i + record_size] for i in range(0, len(records), record_size)]
    for seq, chunk in enumerate(chunks):
        iv = (int.from_bytes(nonce, "big") ^ seq).to_bytes(12, "big")
        padded = AESGCM(cek).decrypt(iv, chunk, None)
        data = padded.rstrip(b"\x00")
        last = seq == len(chunks) - 1
        if not data or data[-1] != (2 if last else 1):
            raise ValueError("bad padding delimiter")
        plaintext += data[:-1]
    return Decrypted(plaintext, salt, record_size, sender_public, ecdh_secret, ikm, prk, cek, nonce)


class VapidError(ValueError):
    pass


def verify_vapid(header: str, *, audience: str, server_key: str, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid ``vapid t=…,k=…`` header (RFC 8292), or VapidError."""
    scheme, _, params = header.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidError(f"scheme {scheme!r}")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    token, key = fields.get("t", ""), fields.get("k", "")
    if key != server_key:
        raise VapidError("k is not the application server's key")
    signing_input, _, signature = token.rpartition(".")
    head, _, body = signing_input.partition(".")
    if json.loads(b64decode(head)) != {"typ": "JWT", "alg": "ES256"}:
        raise VapidError(f"JWT header {b64decode(head)!r}")
    raw = b64decode(signature)
    if len(raw) != 64:
        raise VapidError("an ES256 signature is r||s, 64 bytes")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(key)).verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise VapidError("bad signature") from None
    claims = json.loads(b64decode(body))
    now = time.time() if now is None else now
    if claims.get("aud") != audience:
        raise VapidError(f"aud {claims.get('aud')!r}, expected {audience!r}")
    if not (now < claims.get("exp", 0) <= now + 24 * 3600):
        raise VapidError(f"exp {claims.get('exp')} is not within 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidError(f"sub {claims.get('sub')!r}")
    return claims


@dataclasses.dataclass
class Subscriber:
    """A browser subscribed at this push service: its endpoint and keys."""

    token: str
    endpoint: str
    keys: BrowserKeys
    language: str = "ko"

    def subscription(self, **follows: Any) -> dict[str, Any]:
        """The body of ``POST /api/v1/push/subscriptions``."""
        return {**self.keys.subscription(self.endpoint), "language": self.language, **follows}


@dataclasses.dataclass
class Message:
    """One push as received and decrypted."""

    token: str
    data: dict[str, Any]
    ttl: int
    urgency: str | None
    topic: str | None
    claims: dict[str, Any]
    at: float  # time.monotonic()
    status: int  # what we answered


class PushReceiver:
    """The push service, on its own thread and event loop.

    ``script(subscriber, 410)`` or ``script(subscriber, (429, {"Retry-After": "1"}), 201)``
    sets the answers to its next pushes (then 201); ``delay`` slows every answer.
    """

    def __init__(self, server_key: str, *, delay: float = 0.0):
        self.server_key, self.delay = server_key, delay
        self.subscribers: dict[str, Subscriber] = {}
        self.messages: list[Message] = []
        self.errors: list[str] = []
        self._script: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="push-receiver", daemon=True)

    # -- set-up -------------------------------------------------------------

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the push receiver did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(10)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def subscriber(self, language: str = "ko") -> Subscriber:
        """A new browser subscription with real P-256 keys and a 16-byte auth secret."""
        token = secrets.token_urlsafe(12)
        made = Subscriber(token, f"{self.origin}/push/{token}", BrowserKeys.new(), language)
        with self._lock:
            self.subscribers[token] = made
        return made

    def script(self, subscriber: Subscriber, *answers: int | tuple[int, dict[str, str]]) -> None:
        with self._lock:
            self._script[subscriber.token].extend(a if isinstance(a, tuple) else (a, {}) for a in answers)

    # -- what arrived ---------------------------------------------------------

    def received(self, subscriber: Subscriber, *, accepted_only: bool = False) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m.token == subscriber.token and (m.status == 201 or not accepted_only)]

    def accepted(self) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m.status == 201]

    # -- the server ---------------------------------------------------------

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application()
        app.router.add_post("/push/{token}", self._push)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._started.set()
        await self._stopping.wait()
        await runner.cleanup()

    async def _push(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        body = await request.read()
        with self._lock:
            subscriber = self.subscribers.get(token)
            status, headers = self._script[token].pop(0) if self._script[token] else (201, {})
        if subscriber is None:
            return web.Response(status=404)
        try:
            message = self._open(request, subscriber, body, status)
        except (ValueError, InvalidTag, KeyError) as error:
            with self._lock:
                self.errors.append(f"{token}: {type(error).__name__}: {error}")
            return web.Response(status=400, text=str(error))
        with self._lock:
            self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=status, headers={"Location": f"/message/{secrets.token_hex(4)}", **headers})

    def _open(self, request: web.Request, subscriber: Subscriber, body: bytes, status: int) -> Message:
        claims = verify_vapid(request.headers.get("Authorization", ""), audience=self.origin, server_key=self.server_key)
        if request.headers.get("Content-Encoding") != "aes128gcm":
            raise ValueError(f"Content-Encoding {request.headers.get('Content-Encoding')!r}")
        decrypted = decrypt(body, subscriber.keys.private_key, subscriber.keys.auth_secret)
        return Message(
            token=subscriber.token,
            data=json.loads(decrypted.plaintext),
            ttl=int(request.headers["TTL"]),
            urgency=request.headers.get("Urgency"),
            topic=request.headers.get("Topic"),
            claims=claims,
            at=time.monotonic(),
            status=status,
        )
