"""Password hashing with Argon2id (RFC 9106), rehashing when parameters change."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@cache
def _hasher(name: str) -> PasswordHasher:
    if name == "cheap":  # tests only: the same algorithm, minimal cost
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def hasher() -> PasswordHasher:
    return _hasher(current_app.config["PASSWORD_HASHER"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash(name: str) -> str:
    return _hasher(name).hash("not a password of anyone")


def burn_time(password: str) -> None:
    """Spend as long as a real check, so an unknown login looks like a wrong password."""
    verify_password(_dummy_hash(current_app.config["PASSWORD_HASHER"]), password)
