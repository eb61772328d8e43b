"""Residents' push subscriptions: validated keys, chosen areas, one per browser."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app

from server import geo
from server.accounts.models import Device, User
from server.alerts.models import PushSubscription, SubscriptionArea
from server.database import utcnow
from server.errors import Invalid, NotFound
from server.extensions import db
from server.facilities.models import AdminArea


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def check_keys(p256dh: str, auth: str) -> dict[str, list[str]]:
    """Field errors for keys a browser could not have made."""
    errors: dict[str, list[str]] = {}
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url(p256dh))
    except (ValueError, binascii.Error):
        errors["p256dh"] = ["Not a P-256 public key (65 bytes, uncompressed, base64url)."]
    try:
        if len(_b64url(auth)) != 16:
            errors["auth"] = ["The auth secret is 16 bytes (base64url)."]
    except (ValueError, binascii.Error):
        errors["auth"] = ["The auth secret is 16 bytes (base64url)."]
    return errors


def check_endpoint(endpoint: str) -> list[str]:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return ["An http(s) URL from the browser's PushSubscription."]
    if parts.scheme != "https" and current_app.config["ENV"] == "production":
        return ["Push endpoints must use HTTPS."]
    return []


def _check_codes(codes: list[str]) -> list[str]:
    known = set(db.session.scalars(sa.select(AdminArea.code).where(AdminArea.code.in_(codes)))) if codes else set()
    unknown = [c for c in codes if c not in known]
    return [f"Unknown area code: {', '.join(unknown)}."] if unknown else []


def _validate(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "endpoint" in values and (problems := check_endpoint(values["endpoint"])):
        errors["endpoint"] = problems
    if "keys" in values:
        if key_errors := check_keys(values["keys"]["p256dh"], values["keys"]["auth"]):
            errors["keys"] = [message for messages in key_errors.values() for message in messages]
    if values.get("area_codes") and (problems := _check_codes(values["area_codes"])):
        errors["area_codes"] = problems
    home = values.get("home")
    if home and home["radius_m"] > current_app.config["PUSH_HOME_RADIUS_MAX_M"]:
        errors["home"] = [f"A home area is at most {current_app.config['PUSH_HOME_RADIUS_MAX_M']} m across."]
    if errors:
        raise Invalid("This subscription cannot be used.", {"json": errors})


def _apply(subscription: PushSubscription, values: dict[str, Any]) -> None:
    if "keys" in values:
        subscription.p256dh, subscription.auth = values["keys"]["p256dh"], values["keys"]["auth"]
    if "language" in values:
        subscription.language = values["language"]
    if "home" in values:
        home = values["home"] or {}
        subscription.home_lat, subscription.home_lon, subscription.home_radius_m = home.get("lat"), home.get("lon"), home.get("radius_m")
    if "here" in values:
        here = values["here"]
        if here:
            # Only a ~100 m cell leaves the phone's account of where it is.
            subscription.here_lat, subscription.here_lon = geo.snap_to_grid(here["lat"], here["lon"], current_app.config["PUSH_HERE_GRID_M"])
            subscription.here_at = utcnow()
        else:
            subscription.here_lat = subscription.here_lon = subscription.here_at = None
    if "area_codes" in values:
        subscription.areas = [SubscriptionArea(code=code) for code in dict.fromkeys(values["area_codes"])]
    subscription.updated_at = utcnow()


def find(endpoint: str) -> PushSubscription | None:
    return db.session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint_hash == endpoint_hash(endpoint)))


def upsert(values: dict[str, Any], *, device: Device | None, user: User | None) -> tuple[PushSubscription, bool]:
    """Create the browser's subscription, or replace what it follows."""
    _validate(values)
    subscription = find(values["endpoint"])
    created = subscription is None
    if subscription is None:
        subscription = PushSubscription(endpoint=values["endpoint"], endpoint_hash=endpoint_hash(values["endpoint"]))
        db.session.add(subscription)
    subscription.device_id = device.id if device else subscription.device_id
    subscription.user_id = user.id if user else subscription.user_id
    _apply(subscription, {"home": None, "here": None, "area_codes": [], **values})
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # Two requests for one new endpoint at once: the first made it; update that.
        db.session.rollback()
        subscription = find(values["endpoint"])
        if subscription is None:
            raise
        _apply(subscription, {"home": None, "here": None, "area_codes": [], **values})
        db.session.commit()
        created = False
    return subscription, created


def update(values: dict[str, Any]) -> PushSubscription:
    """Change some of what a known subscription follows (e.g. "where I am")."""
    subscription = find(values["endpoint"])
    if subscription is None:
        raise NotFound("No subscription with this endpoint; subscribe first.")
    _validate(values)
    _apply(subscription, values)
    db.session.commit()
    return subscription


def delete(endpoint: str) -> None:
    subscription = find(endpoint)
    if subscription is None:
        raise NotFound("No subscription with this endpoint.")
    db.session.delete(subscription)
    db.session.commit()
