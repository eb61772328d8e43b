"""Account and device logic: create, authenticate, update, identify devices.

Services own their transactions: each public function that writes commits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from server.accounts.models import Device, Language, Organisation, Role, User, new_session_token
from server.accounts.passwords import burn_time, hash_password, needs_rehash, verify_password
from server.database import get_or_not_found, utcnow
from server.errors import Conflict, Invalid
from server.extensions import db

#: A device key is ≥ 128 random bits, base64url without padding.
DEVICE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{22,128}$")
MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str | None) -> str | None:
    return email.strip().lower() if email else None


def normalise_phone(phone: str | None) -> str | None:
    """Korean numbers in one form: digits only, +82 written as a leading 0."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+82") or digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:].lstrip("0")
    return digits


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("Password too short.", {"json": {"password": [f"At least {MIN_PASSWORD_LENGTH} characters."]}})


def find_by_login(login: str) -> User | None:
    login = login.strip()
    if "@" in login:
        return db.session.scalar(sa.select(User).where(User.email == normalise_email(login)))
    phone = normalise_phone(login)
    if not phone:
        return None
    return db.session.scalar(sa.select(User).where(User.phone == phone))


def authenticate(login: str, password: str) -> User | None:
    """The active user with this login and password, or None (in equal time)."""
    user = find_by_login(login)
    if user is None:
        burn_time(password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def _check_unique(email: str | None, phone: str | None, exclude_id: int | None = None) -> None:
    for field, column, value in (("email", User.email, email), ("phone", User.phone, phone)):
        if value is None:
            continue
        query = sa.select(User.id).where(column == value)
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        if db.session.scalar(query) is not None:
            raise Conflict(f"An account with this {field} exists.", {"json": {field: ["Already in use."]}})


def create_user(
    *,
    display_name: str,
    password: str,
    role: Role = Role.RESIDENT,
    email: str | None = None,
    phone: str | None = None,
    organisation_id: int | None = None,
    language: Language = Language.KO,
) -> User:
    email, phone = normalise_email(email), normalise_phone(phone)
    if not email and not phone:
        raise Invalid("Give an email or a phone number.", {"json": {"email": ["Email or phone is required."]}})
    check_password_strength(password)
    _check_unique(email, phone)
    if organisation_id is not None:
        get_organisation(organisation_id)
    user = User(
        display_name=display_name.strip(),
        email=email,
        phone=phone,
        password_hash=hash_password(password),
        role=role,
        organisation_id=organisation_id,
        language=language,
    )
    db.session.add(user)
    db.session.commit()
    return user


def get_user(user_id: int) -> User:
    return get_or_not_found(User, user_id, "user")


def list_users(role: Role | None = None, query: str | None = None) -> sa.Select[tuple[User]]:
    stmt = sa.select(User).order_by(User.id)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.display_name).like(like), User.email.like(like), User.phone.like(like)))
    return stmt


def update_user(user: User, changes: dict[str, Any], *, acting: User | None = None) -> User:
    """Apply profile or admin changes. An admin may not lock themselves out."""
    if acting is not None and acting.id == user.id:
        if changes.get("active") is False or changes.get("role", Role.ADMIN) != acting.role:
            raise Conflict("You cannot deactivate or demote your own account.")
    if "email" in changes or "phone" in changes:
        email = normalise_email(changes.get("email", user.email))
        phone = normalise_phone(changes.get("phone", user.phone))
        if not email and not phone:
            raise Invalid("Give an email or a phone number.", {"json": {"email": ["Email or phone is required."]}})
        _check_unique(email, phone, exclude_id=user.id)
        user.email, user.phone = email, phone
    if "organisation_id" in changes and changes["organisation_id"] is not None:
        get_organisation(changes["organisation_id"])
    for field in ("display_name", "role", "language", "organisation_id"):
        if field in changes:
            setattr(user, field, changes[field])
    if "active" in changes:
        if user.active and not changes["active"]:
            user.session_token = new_session_token()  # end their sessions now
        user.active = changes["active"]
    if "password" in changes:
        check_password_strength(changes["password"])
        user.password_hash = hash_password(changes["password"])
        user.session_token = new_session_token()
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> User:
    if not verify_password(user.password_hash, current):
        raise Invalid("The current password is wrong.", {"json": {"current_password": ["Wrong password."]}})
    return update_user(user, {"password": new})


def load_user(session_token: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.session_token == session_token, User.active.is_(True)))


def create_organisation(name: str) -> Organisation:
    name = name.strip()
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name)) is not None:
        raise Conflict("An organisation with this name exists.", {"json": {"name": ["Already in use."]}})
    organisation = Organisation(name=name)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise Invalid("No such organisation.", {"json": {"organisation_id": ["No such organisation."]}})
    return organisation


def list_organisations() -> Iterable[Organisation]:
    return db.session.scalars(sa.select(Organisation).order_by(Organisation.name))


def hash_device_key(key: str) -> str:
    # The key carries ≥ 128 random bits, so a fast unsalted hash is enough:
    # nothing can be guessed, and the stored hash cannot be replayed.
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def identify_device(key: str, *, user: User | None = None) -> Device:
    """The device with this key, registered on first sight (race-safe)."""
    key_hash = hash_device_key(key)
    device = db.session.scalar(sa.select(Device).where(Device.key_hash == key_hash))
    now = utcnow()
    if device is not None and (now - device.last_seen_at).total_seconds() <= 60 and (user is None or device.user_id == user.id):
        return device  # nothing to write
    if device is None:
        try:
            with db.session.begin_nested():
                device = Device(key_hash=key_hash, first_seen_at=now, last_seen_at=now)
                db.session.add(device)
        except sa.exc.IntegrityError:  # a concurrent request registered it first
            device = db.session.scalar(sa.select(Device).where(Device.key_hash == key_hash))
            assert device is not None
    elif (now - device.last_seen_at).total_seconds() > 60:
        device.last_seen_at = now
    if user is not None and device.user_id != user.id:
        device.user_id = user.id
    db.session.commit()
    return device
