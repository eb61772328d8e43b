"""Photos sent with reports: checked, stored once, and shared without metadata.

The original is kept as received (evidence), named by its SHA-256. What
operators and the reporter are shown is a re-encoded copy: orientation
applied, every EXIF/XMP block — the GPS position and the camera included —
left behind.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from server.accounts.models import Device, User
from server.database import utcnow
from server.errors import Conflict, Forbidden, NotFound, ServiceError
from server.extensions import db
from server.reports.models import Report, ReportPhoto, ReportStatus

#: What Pillow calls a format → the type we store and serve.
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSION = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PHOTOS_PER_REPORT = 5


class TooLarge(ServiceError):
    status = 413


class UnsupportedType(ServiceError):
    status = 415


def may_see(report: Report, *, device: Device | None, user: User | None, staff: bool) -> bool:
    """Operators, the reporter, and the guard the open case was dispatched to."""
    if staff or (device is not None and report.device_id == device.id):
        return True
    if user is None:
        return False
    return report.user_id == user.id or (report.assignee_id == user.id and report.status is ReportStatus.DISPATCHED)


def attach(report: Report, data: bytes, *, device: Device | None, user: User | None, staff: bool) -> tuple[ReportPhoto, bool]:
    """Store a photo of a report once (by hash); return it and whether it is new."""
    if not may_see(report, device=device, user=user, staff=staff):
        raise Forbidden("Only the reporter, operators and the guard sent to it may add photos to a report.")
    limit = current_app.config["MAX_PHOTO_BYTES"]
    if len(data) > limit:
        raise TooLarge(f"A photo may be at most {limit // (1024 * 1024)} MB.", {"files": {"photo": ["Too large."]}})
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(sa.select(ReportPhoto).where(ReportPhoto.report_id == report.id, ReportPhoto.sha256 == digest))
    if existing is not None:
        return existing, False
    if len(report.photos) >= PHOTOS_PER_REPORT:
        raise Conflict(f"At most {PHOTOS_PER_REPORT} photos per report.", {"files": {"photo": ["Too many photos."]}})
    image, content_type = _open(data)
    folder = Path("uploads") / "reports" / str(report.id)
    (Path(current_app.instance_path) / folder).mkdir(parents=True, exist_ok=True)
    original = folder / f"{digest}.{EXTENSION[content_type]}"
    shared = folder / f"{digest}.shared.{EXTENSION[content_type]}"
    (Path(current_app.instance_path) / original).write_bytes(data)
    (Path(current_app.instance_path) / shared).write_bytes(_without_metadata(image, content_type))
    photo = ReportPhoto(
        report_id=report.id,
        sha256=digest,
        content_type=content_type,
        size=len(data),
        width=image.width,
        height=image.height,
        original_path=original.as_posix(),
        shared_path=shared.as_posix(),
        received_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(photo)
    except sa.exc.IntegrityError:  # the same photo, sent twice at once
        db.session.rollback()
        return db.session.scalars(sa.select(ReportPhoto).where(ReportPhoto.report_id == report.id, ReportPhoto.sha256 == digest)).one(), False
    db.session.commit()
    return photo, True


def _open(data: bytes) -> tuple[Image.Image, str]:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise UnsupportedType("Send a JPEG, PNG or WebP photo.", {"files": {"photo": ["Not a JPEG, PNG or WebP image."]}}) from None
    content_type = ACCEPTED.get(image.format or "")
    if content_type is None:
        raise UnsupportedType("Send a JPEG, PNG or WebP photo.", {"files": {"photo": [f"{image.format} is not accepted."]}})
    return image, content_type


def _without_metadata(image: Image.Image, content_type: str) -> bytes:
    """Pixels only: a fresh image carries no EXIF, XMP or text chunks."""
    upright = ImageOps.exif_transpose(image)
    fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[content_type]
    mode = "RGB" if fmt == "JPEG" or upright.mode not in ("RGBA", "LA", "PA", "P") else "RGBA"
    pixels = upright.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format=fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def get(report: Report, photo_id: int) -> ReportPhoto:
    photo = db.session.get(ReportPhoto, photo_id)
    if photo is None or photo.report_id != report.id:
        raise NotFound("No such photo.")
    return photo


def shared_file(photo: ReportPhoto) -> Path:
    return Path(current_app.instance_path) / photo.shared_path
