"""What one push says and how it is sent: the small JSON a phone receives,
the Web Push headers derived from the warning (TTL, Urgency, Topic), and the
VAPID header that vouches for the sender (RFC 8292).

The payload is the least a notification needs — headline, area, link — and
the app fetches the rest from ``GET /api/v1/alerts/<id>``: push services
take at most 4 KB encrypted, and less on the wire is faster to everyone.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Protocol
from urllib.parse import urlsplit

from py_vapid import Vapid02

from server.accounts.models import Language
from server.alerts.models import MsgType, Severity

#: The largest payload we send (before encryption), well inside RFC 8291's 4 KB record.
MAX_BYTES = 3 * 1024
#: Push services keep a message at most about four weeks.
MAX_TTL_SECONDS = 28 * 24 * 3600

URGENCY = {
    Severity.EXTREME: "high",
    Severity.SEVERE: "high",
    Severity.MODERATE: "normal",
    Severity.MINOR: "low",
    Severity.UNKNOWN: "low",
}


class PushedAlert(Protocol):
    """The columns of an alert a push needs (an ``Alert`` or a row of them)."""

    id: int
    identifier: str
    topic: str
    msg_type: MsgType
    severity: Severity
    headline_ko: str
    headline_en: str
    area_desc_ko: str
    area_desc_en: str
    expires: dt.datetime


def payload(alert: PushedAlert, language: Language) -> bytes:
    """The JSON a subscriber in this language receives (UTF-8, at most 3 KB)."""
    english = language is Language.EN
    body = {
        "id": alert.id,
        "identifier": alert.identifier,
        "topic": alert.topic,  # the app's notification tag: an update replaces what is shown
        "msg_type": alert.msg_type.value,
        "severity": alert.severity.value,
        "headline": alert.headline_en if english else alert.headline_ko,
        "area": alert.area_desc_en if english else alert.area_desc_ko,
        "url": f"/#/alerts/{alert.id}",
        "expires": alert.expires.isoformat(),
        "lang": language.value,
    }
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    # The schema's length limits keep this true; a change to them must too.
    assert len(data) <= MAX_BYTES, f"push payload of {len(data)} bytes"
    return data


def urgency(alert: PushedAlert) -> str:
    """RFC 8030 Urgency: a phone on low battery wakes for high and normal only.
    A cancel stands people down, so it is normal whatever it says."""
    return "normal" if alert.msg_type is MsgType.CANCEL else URGENCY[alert.severity]


def ttl(alert: PushedAlert, now: dt.datetime) -> int:
    """Seconds the push service may hold the message: until the warning expires."""
    return max(0, min(MAX_TTL_SECONDS, int((alert.expires - now).total_seconds())))


class VapidSigner:
    """One VAPID ``Authorization`` header per push-service origin (RFC 8292),
    valid 12 hours and signed again an hour before that runs out."""

    LIFETIME = 12 * 3600
    RENEW_BEFORE = 3600

    def __init__(self, key: Vapid02, subject: str):
        self.key, self.subject = key, subject
        self._headers: dict[str, tuple[str, int]] = {}

    def header(self, origin: str) -> str:
        cached = self._headers.get(origin)
        now = time.time()
        if cached is None or cached[1] - now < self.RENEW_BEFORE:
            expires = int(now) + self.LIFETIME
            # A new claims dict every time: signing code writes into the dict it is given.
            signed = self.key.sign({"sub": self.subject, "aud": origin, "exp": expires})["Authorization"]
            cached = self._headers[origin] = (signed, expires)
        return cached[0]


def origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"
