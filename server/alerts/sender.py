"""The Web Push sender: drains the delivery outbox over one HTTP session.

One asyncio loop per sender; rows are claimed a few hundred at a time,
encrypted by pywebpush (``WebPusher.encode``: RFC 8291, aes128gcm) in one
go, then posted over one aiohttp session (pooled keep-alive connections),
at most ``PUSH_CONCURRENCY`` in flight, each with an explicit timeout. The
VAPID header is signed once per push-service origin (``payload.VapidSigner``).

A row holds its concurrency slot from its push until its outcome is
committed, so a sender killed at any moment leaves at most
``PUSH_CONCURRENCY`` rows pushed but unrecorded: the only ones a subscriber
can receive twice when another sender takes them over.

The database is synchronous; a sender does its database work in a thread
of its own (``outbox.DatabaseThread``), so the loop never waits on a query.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
import logging
import os
import secrets
import socket
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import aiohttp
from flask import Flask
from pywebpush import WebPusher, WebPushException

from server.accounts.models import Language
from server.alerts import outbox, payload, vapid
from server.alerts.models import AlertState, DeliveryState
from server.alerts.outbox import Job, Result
from server.alerts.payload import VapidSigner, origin
from server.alerts.responses import Policy
from server.database import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")
Until = Literal["due", "empty", "stopped"]

#: Rows claimed at a time, per push in flight: enough to encrypt in bulk, few
#: enough that the last waits well under the lease even if every push times out.
CLAIM_PER_SLOT = 4
#: Outcomes waiting this long are written even if few.
FLUSH_SECONDS = 0.05
#: Live counts go out at most this often per alert while a send is running.
PUBLISH_SECONDS = 1.0
STALE = {AlertState.UPDATED: "replaced by a later update", AlertState.CANCELLED: "cancelled", AlertState.EXPIRED: "expired before delivery"}


@dataclasses.dataclass(frozen=True, slots=True)
class Request:
    """One encrypted push, ready to post."""

    endpoint: str
    body: bytes
    headers: dict[str, str]
    expires: dt.datetime


@dataclasses.dataclass(frozen=True)
class AlertPush:
    """An alert as its pushes need it: its row, Urgency, and a payload per language."""

    row: Any
    urgency: str
    payloads: dict[Language, bytes]

    @classmethod
    def of(cls, row: Any) -> AlertPush:
        return cls(row, payload.urgency(row), {language: payload.payload(row, language) for language in Language})


def _stale(job: Job, alert: AlertPush | None, now: dt.datetime) -> Result | None:
    """A row not worth pushing: its subscription or its warning is over."""
    if job.endpoint is None:
        return Result(job, DeliveryState.GONE, error="unsubscribed before delivery", attempted=False)
    if alert is None or alert.row.state is not AlertState.SENT or payload.ttl(alert.row, now) <= 0:
        reason = STALE.get(alert.row.state, "expired before delivery") if alert else "the warning is gone"
        return Result(job, DeliveryState.FAILED, error=reason, attempted=False)
    return None


class Sender:
    """Claims due deliveries and pushes them; one per process or thread."""

    def __init__(self, app: Flask, *, concurrency: int | None = None):
        config = app.config
        self.app = app
        self.concurrency = max(1, concurrency or config["PUSH_CONCURRENCY"])
        self.name = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        self.policy = Policy(config["PUSH_MAX_ATTEMPTS"], config["PUSH_RETRY_SECONDS"])
        self.lease = float(config["PUSH_LEASE_SECONDS"])
        self.poll = float(config["PUSH_POLL_SECONDS"])
        total = float(config["PUSH_TIMEOUT_SECONDS"])
        self.timeout = aiohttp.ClientTimeout(total=total, connect=min(total, 5.0))
        with app.app_context():
            self.signer = VapidSigner(vapid.keys(), vapid.subject())
        self.stats: Counter[str] = Counter()

    # -- the loop ---------------------------------------------------------

    async def run(self, *, until: Until = "stopped", stop: asyncio.Event | None = None, wake: asyncio.Event | None = None) -> Counter[str]:
        """Send until nothing is due (``due``), nothing is queued (``empty``)
        or ``stop`` is set (``stopped``); ``wake`` cuts an idle wait short."""
        self._stop, self._wake = stop or asyncio.Event(), wake or asyncio.Event()
        self._slots = asyncio.Semaphore(self.concurrency)
        self._held = 0
        self._settled = asyncio.Event()
        self._pending: list[Result] = []
        self._has_results, self._flush_now = asyncio.Event(), asyncio.Event()
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._alerts: dict[int, AlertPush] = {}
        self._dirty: set[int] = set()
        self._published: dict[int, float] = {}
        self._database = outbox.DatabaseThread(self.app)
        connector = aiohttp.TCPConnector(limit=self.concurrency, ttl_dns_cache=300)
        try:
            async with aiohttp.ClientSession(connector=connector, timeout=self.timeout) as session:
                self._session = session
                flusher = asyncio.create_task(self._flusher())
                try:
                    await self._feed(until)
                finally:
                    await self._settle(flusher)
        finally:
            self._database.close()
        return self.stats

    async def _feed(self, until: Until) -> None:
        while not self._stop.is_set():
            try:
                jobs, alerts = await self._db(outbox.claim, self.name, CLAIM_PER_SLOT * self.concurrency, self.lease)
            except Exception:
                if until != "stopped":
                    raise
                log.exception("could not claim deliveries; trying again shortly")
                await self._idle(self.poll)
                continue
            if jobs:
                self._alerts.update({i: AlertPush.of(row) for i, row in alerts.items()})
                await self._start(jobs)
                continue
            if self._held:
                await self._idle(self.poll, self._settled)  # their retries may be due at once
                continue
            await self._publish(force=True)
            due = await self._db(outbox.next_due)
            if until == "due" or (until == "empty" and due is None):
                return
            wait = self.poll if due is None else min(self.poll, (due - utcnow()).total_seconds())
            await self._idle(max(0.01, wait))

    async def _start(self, jobs: list[Job]) -> None:
        # Encrypt the whole claim, then send it: one tight loop of
        # encryption and then one of requests cost a third less CPU per push
        # than encrypting inside each request (bench/push_fanout.py).
        now = utcnow()
        ready = [(job, self._prepare(job, now)) for job in jobs]
        for n, (job, request) in enumerate(ready):
            await self._slots.acquire()
            if self._stop.is_set():
                self._slots.release()
                await self._db(outbox.hand_back, [j.delivery_id for j, _ in ready[n:]], self.name)
                return
            self._held += 1
            self._settled.clear()
            task = asyncio.create_task(self._deliver(job, request))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _idle(self, seconds: float, *events: asyncio.Event) -> None:
        """Wait this long, or until woken, stopped, or one of ``events`` is set."""
        waits = [asyncio.ensure_future(event.wait()) for event in (self._wake, self._stop, *events)]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        self._wake.clear()

    async def _settle(self, flusher: asyncio.Task[None]) -> None:
        """Let the pushes in flight finish and their outcomes be written."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._closing = True
        self._has_results.set()
        self._flush_now.set()
        await flusher
        await self._publish(force=True)

    # -- one push ---------------------------------------------------------

    def _prepare(self, job: Job, now: dt.datetime) -> Request | Result:
        """The encrypted request for a job, or its outcome if it needs none."""
        alert = self._alerts.get(job.alert_id)
        stale = _stale(job, alert, now)
        if stale is not None:
            return stale
        assert alert is not None and job.endpoint is not None and job.language is not None
        try:
            body = WebPusher(job.info()).encode(alert.payloads[job.language])["body"]
        except (WebPushException, ValueError) as error:  # keys no browser could have made
            return Result(job, DeliveryState.FAILED, error=str(error)[:300])
        headers = {
            "Authorization": self.signer.header(origin(job.endpoint)),
            "Content-Encoding": "aes128gcm",
            "TTL": str(payload.ttl(alert.row, now)),
            "Urgency": alert.urgency,
            "Topic": alert.row.topic,
        }
        return Request(job.endpoint, body, headers, alert.row.expires)

    async def _deliver(self, job: Job, request: Request | Result) -> None:
        try:
            if isinstance(request, Result):
                result = request
            elif (job.lease_until - utcnow()).total_seconds() < min(5.0, self.lease / 4):
                result = Result(job, None, attempted=False)  # waited too long: another sender may take it now
            else:
                result = await self._post(job, request)
        except Exception as error:  # a bug must not keep the slot forever
            log.exception("push of delivery %s failed unexpectedly", job.delivery_id)
            expires = request.expires if isinstance(request, Request) else utcnow()
            result = self.policy.outcome(job, None, f"{type(error).__name__}: {error}"[:300], None, expires)
        self._pending.append(result)
        self._has_results.set()
        if len(self._pending) >= max(1, self.concurrency // 2) or len(self._pending) >= self._held:
            self._flush_now.set()

    async def _post(self, job: Job, request: Request) -> Result:
        try:
            async with self._session.post(request.endpoint, data=request.body, headers=request.headers, timeout=self.timeout) as response:
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            return self.policy.outcome(job, None, f"{type(error).__name__}: {error}"[:300], None, request.expires)
        return self.policy.outcome(job, response.status, None, response.headers.get("Retry-After"), request.expires)

    # -- writing outcomes ---------------------------------------------------

    async def _flusher(self) -> None:
        """Write outcomes when half the slots wait on it, when nothing else is
        in flight, or FLUSH_SECONDS after the first; sleep while there are none."""
        while not (self._closing and not self._pending):
            await self._has_results.wait()
            try:
                await asyncio.wait_for(self._flush_now.wait(), FLUSH_SECONDS)
            except TimeoutError:
                pass
            self._flush_now.clear()
            self._has_results.clear()
            if self._pending:
                await self._write()

    async def _write(self) -> None:
        batch, self._pending = self._pending, []
        for tries in itertools.count(1):
            try:
                touched = await self._db(outbox.record, batch, self.name)
                break
            except Exception:
                # Keep the slots: sending waits until the database is back.
                log.exception("could not record %d push outcomes (try %d)", len(batch), tries)
                if self._closing and tries >= 3:
                    return  # the lease hands these rows to the next sender
                await asyncio.sleep(min(30, tries))
        for result in batch:
            self.stats[result.state.value if result.state else ("retry" if result.retry_at else "handed back")] += 1
            self._slots.release()
        self._held -= len(batch)
        if not self._held:
            self._settled.set()
        self._dirty |= touched
        await self._publish()

    async def _publish(self, force: bool = False) -> None:
        """Live counts to the console: at most once a second per alert while sending."""
        now = time.monotonic()
        due = {i for i in self._dirty if force or now - self._published.get(i, 0.0) >= PUBLISH_SECONDS}
        if not due:
            return
        self._dirty -= due
        self._published.update(dict.fromkeys(due, now))
        try:
            await self._db(_publish_counts, sorted(due))
        except Exception:
            log.exception("could not publish delivery counts")

    # -- the database thread ------------------------------------------------

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        return await self._database.call(function, *args)


def _publish_counts(alert_ids: list[int]) -> None:
    from server.alerts.service import CHANNEL, counts
    from server.live import publish

    for alert_id, by_state in counts(alert_ids).items():
        publish(CHANNEL, {"alert_id": alert_id, "counts": by_state})
