"""The server's VAPID key pair (RFC 8292): generated on first use into the
instance folder (``vapid_private.pem``, mode 600), or taken from the
``VAPID_PRIVATE_KEY`` setting (PEM, or the raw key as base64url).

Browsers subscribe with the public key as ``applicationServerKey``; rotating
the key therefore invalidates every subscription, and ``ansim vapid rotate``
says so before it does it.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from flask import current_app
from py_vapid import Vapid02

FILE_NAME = "vapid_private.pem"


def _path() -> Path:
    return Path(current_app.instance_path) / FILE_NAME


def _from_setting(value: str) -> Vapid02:
    text = value.strip()
    if text.startswith("-----BEGIN"):
        return Vapid02.from_pem(text.encode())
    return Vapid02.from_raw(text.encode())


def keys() -> Vapid02:
    """The key pair, loaded once per process."""
    cached = current_app.extensions.get("ansim.vapid")
    if cached is not None:
        return cached
    configured = current_app.config.get("VAPID_PRIVATE_KEY")
    if configured:
        vapid = _from_setting(configured)
    else:
        path = _path()
        if not path.exists():
            _write(path, _generate(), exclusive=True)
        vapid = Vapid02.from_file(str(path))
    current_app.extensions["ansim.vapid"] = vapid
    return vapid


def _generate() -> Vapid02:
    vapid = Vapid02()
    vapid.generate_keys()
    return vapid


def _write(path: Path, vapid: Vapid02, *, exclusive: bool = False) -> None:
    """Write the key whole (through a temporary file). ``exclusive``: when two
    workers start at once, the first key written stays and both use it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(vapid.private_pem())
    if not exclusive:
        temporary.replace(path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def rotate() -> Vapid02:
    """A new key pair in the instance folder (the setting, if any, still wins)."""
    _write(_path(), _generate())
    current_app.extensions.pop("ansim.vapid", None)
    return keys()


def public_key(vapid: Vapid02 | None = None) -> str:
    """The public key as browsers want it: the uncompressed P-256 point, base64url."""
    raw = (vapid or keys()).public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subject() -> str:
    """The VAPID ``sub`` claim: how a push service reaches the operator."""
    return current_app.config["VAPID_SUBJECT"]
