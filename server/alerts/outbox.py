"""The delivery outbox as a sender sees it: claim due rows, write outcomes back.

A claim is one short transaction that stamps rows with the sender's name
and a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so senders never wait
for each other; SQLite has one writer at a time, which does the same). A
sender that dies leaves its claimed rows to others when the lease runs out;
the rows it had already pushed but not yet recorded are the only ones a
subscriber can receive twice, and a sender keeps that number below its
concurrency (see ``server.alerts.sender``).

These functions run in the sender's database thread (``DatabaseThread``),
inside an app context.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import aliased

from server.accounts.models import Language
from server.alerts.models import Alert, Delivery, DeliveryState, PushSubscription
from server.database import UTCDateTime, utcnow
from server.extensions import db

T = TypeVar("T")

#: What a push needs of its alert (see ``server.alerts.payload.PushedAlert``).
ALERT_COLUMNS = (
    Alert.id, Alert.identifier, Alert.msg_type, Alert.severity, Alert.state, Alert.topic,
    Alert.headline_ko, Alert.headline_en, Alert.area_desc_ko, Alert.area_desc_en, Alert.expires,
)  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class Job:
    """One claimed delivery, with what pushing it needs."""

    delivery_id: int
    alert_id: int
    attempts: int
    subscription_id: int | None  # None: the subscription was deleted since
    endpoint: str | None
    p256dh: str | None
    auth: str | None
    language: Language | None
    lease_until: dt.datetime

    def info(self) -> dict[str, Any]:
        """The subscription as pywebpush takes it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclasses.dataclass(frozen=True, slots=True)
class Result:
    """What became of a job. ``state`` None keeps the row queued: for another
    try at ``retry_at``, or (``attempted`` False, no ``retry_at``) handed back
    untouched for any sender to take."""

    job: Job
    state: DeliveryState | None
    status: int | None = None
    error: str | None = None
    retry_at: dt.datetime | None = None
    attempted: bool = True


def claim(worker: str, limit: int, lease_seconds: float) -> tuple[list[Job], dict[int, Any]]:
    """Take up to ``limit`` due rows for ``worker``; the jobs and their alerts."""
    now = utcnow()
    until = now + dt.timedelta(seconds=lease_seconds)
    row = aliased(Delivery)
    due = (
        sa.select(row.id)
        .where(row.state == DeliveryState.QUEUED, row.next_attempt_at <= now, sa.or_(row.claimed_until.is_(None), row.claimed_until < now))
        .order_by(row.next_attempt_at, row.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's single writer needs none
    )
    connection = db.session.connection()
    stamp = sa.update(Delivery).where(Delivery.id.in_(due.scalar_subquery())).values(claimed_by=worker, claimed_until=until)
    ids = connection.execute(stamp.returning(Delivery.id)).scalars().all()
    if not ids:
        db.session.commit()
        return [], {}
    s = PushSubscription
    rows = connection.execute(
        sa.select(Delivery.id, Delivery.alert_id, Delivery.attempts, Delivery.subscription_id, s.endpoint, s.p256dh, s.auth, s.language)
        .outerjoin(s, s.id == Delivery.subscription_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.next_attempt_at, Delivery.id)
    ).all()
    alerts = {a.id: a for a in connection.execute(sa.select(*ALERT_COLUMNS).where(Alert.id.in_({r.alert_id for r in rows})))}
    db.session.commit()
    return [Job(*r, lease_until=until) for r in rows], alerts


def _one_row(**values: Any) -> sa.Update:
    """An UPDATE of one delivery this sender holds and gives up, run for a
    batch of rows at once (executemany). Rows are found by id and holder,
    not by state: SQLite would take the state index and read every queued
    row of a big send for each batch."""
    held = sa.and_(Delivery.id == sa.bindparam("b_id"), Delivery.claimed_by == sa.bindparam("b_worker"))
    return sa.update(Delivery).where(held).values(claimed_by=None, claimed_until=None, **values)


_STATUS = {"last_status": sa.bindparam("b_status", type_=sa.Integer()), "last_error": sa.bindparam("b_error", type_=sa.String())}
FINISH = _one_row(
    state=sa.bindparam("b_state", type_=Delivery.__table__.c.state.type),
    attempts=Delivery.attempts + sa.bindparam("b_tried", type_=sa.Integer()),
    done_at=sa.bindparam("b_now", type_=UTCDateTime()),
    **_STATUS,
)
RETRY = _one_row(attempts=Delivery.attempts + 1, next_attempt_at=sa.bindparam("b_at", type_=UTCDateTime()), **_STATUS)
HAND_BACK = _one_row()
DELIVERED = sa.update(PushSubscription).where(PushSubscription.id == sa.bindparam("b_id")).values(last_delivered_at=sa.bindparam("b_now", type_=UTCDateTime()))
FORGET = sa.delete(PushSubscription).where(PushSubscription.id == sa.bindparam("b_id"))


def record(results: list[Result], worker: str) -> set[int]:
    """Write outcomes in one transaction; the ids of the alerts they touch.

    Only rows this sender still holds change: a row whose lease ran out and
    that another sender took keeps that sender's outcome.
    """
    now = utcnow()
    finished: list[dict[str, Any]] = []
    retries: list[dict[str, Any]] = []
    handed_back: list[dict[str, Any]] = []
    for r in results:
        row = {"b_id": r.job.delivery_id, "b_worker": worker}
        if r.state is not None:
            finished.append({**row, "b_state": r.state, "b_tried": int(r.attempted), "b_status": r.status, "b_error": r.error, "b_now": now})
        elif r.retry_at is not None:
            retries.append({**row, "b_at": r.retry_at, "b_status": r.status, "b_error": r.error})
        else:
            handed_back.append(row)
    # Note the last delivery; forget subscriptions the push service no longer
    # has (their delivery rows stay, with no subscription: the counts stay true).
    delivered = [{"b_id": i, "b_now": now} for i in {r.job.subscription_id for r in results if r.state is DeliveryState.SENT} - {None}]
    gone = [{"b_id": i} for i in {r.job.subscription_id for r in results if r.state is DeliveryState.GONE and r.attempted} - {None}]
    connection = db.session.connection()
    for statement, rows in ((FINISH, finished), (RETRY, retries), (HAND_BACK, handed_back), (DELIVERED, delivered), (FORGET, gone)):
        if rows:
            connection.execute(statement, rows)
    db.session.commit()
    return {r.job.alert_id for r in results}


def hand_back(delivery_ids: list[int], worker: str) -> None:
    """Release claimed rows that were never pushed (a sender stopping)."""
    if delivery_ids:
        db.session.connection().execute(HAND_BACK, [{"b_id": i, "b_worker": worker} for i in delivery_ids])
    db.session.commit()


def next_due() -> dt.datetime | None:
    """When the next queued row may be claimed (None: nothing is queued)."""
    free_at = sa.case((Delivery.claimed_until > Delivery.next_attempt_at, Delivery.claimed_until), else_=Delivery.next_attempt_at)
    count, first = db.session.execute(sa.select(sa.func.count(), sa.func.min(free_at, type_=UTCDateTime())).where(Delivery.state == DeliveryState.QUEUED)).one()
    db.session.commit()
    return first if count else None


class DatabaseThread:
    """Runs a sender's queries one after another in a thread of its own,
    inside an app context. Not a ThreadPoolExecutor: those refuse work once
    the interpreter starts to exit, just when a stopping sender writes its
    last outcomes."""

    def __init__(self, app: Flask):
        self.app = app
        self._jobs: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="ansim-outbox", daemon=True)
        self._thread.start()

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._jobs.put((function, args, future))
        return await future

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join()

    def _serve(self) -> None:
        with self.app.app_context():
            while (job := self._jobs.get()) is not None:
                function, args, future = job
                try:
                    result, error = function(*args), None
                except Exception as raised:  # noqa: BLE001  (raised again where it is awaited)
                    result, error = None, raised
                future.get_loop().call_soon_threadsafe(_resolve, future, result, error)


def _resolve(future: asyncio.Future[Any], result: Any, error: Exception | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
