"""Data versions: a counter per dataset bumped with every change, so that each
worker process can tell cheaply whether its in-memory index is stale — also
when another process (an import, another gunicorn worker) made the change."""

from __future__ import annotations

import sqlalchemy as sa

from server.database import utcnow
from server.extensions import db
from server.facilities.models import DataVersion

FACILITIES = "facilities"
AREAS = "areas"
STREETS = "streets"  # the street graph (server.routing)
SAFE_PATHS = "safe_paths"


def bump(name: str) -> None:
    """Count one change to ``name``; call inside the transaction that changes it."""
    updated = db.session.execute(
        sa.update(DataVersion).where(DataVersion.name == name).values(version=DataVersion.version + 1, changed_at=utcnow())
    )
    if updated.rowcount == 0:
        db.session.add(DataVersion(name=name, version=1, changed_at=utcnow()))


def current(name: str) -> int:
    return db.session.scalar(sa.select(DataVersion.version).where(DataVersion.name == name)) or 0
