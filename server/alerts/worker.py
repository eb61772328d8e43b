"""Where senders run: a thread in each app process (zero set-up), ``ansim
worker`` processes (as many as wanted: they share the outbox), or once, in
the caller's thread (tests and scripts).

The app's thread starts with the first request the process serves, not when
the app is built: the reloader's watcher process, ``ansim`` commands and a
gunicorn master that preloads the app serve no requests, so they never run
one, and a forked worker starts its own.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import signal
import threading
import weakref
from collections import Counter

from flask import Flask

from server.alerts.sender import Sender, Until

log = logging.getLogger(__name__)
EXTENSION = "ansim.push_sender"
_running: weakref.WeakSet[BackgroundSender] = weakref.WeakSet()


def drain(app: Flask, *, until_empty: bool = True, timeout: float | None = 120, concurrency: int | None = None) -> Counter[str]:
    """Send what is queued, in this thread: until nothing is queued at all
    (retries waited for), or with ``until_empty=False`` until nothing is due now."""

    async def main() -> Counter[str]:
        sender = Sender(app, concurrency=concurrency)
        return await asyncio.wait_for(sender.run(until="empty" if until_empty else "due"), timeout)

    return asyncio.run(main())


def run_worker(app: Flask, *, concurrency: int | None = None, until: Until = "stopped") -> Counter[str]:
    """``ansim worker``: send until SIGTERM or SIGINT, which let the pushes in
    flight finish and their outcomes be written before the process ends."""

    async def main() -> Counter[str]:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        sender = Sender(app, concurrency=concurrency)
        log.info("push sender %s started: %d pushes in flight at most", sender.name, sender.concurrency)
        return await sender.run(until=until, stop=stop)

    return asyncio.run(main())


class BackgroundSender:
    """A sender in a daemon thread of the app process; ``wake()`` after queuing."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._stopped = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()

    def start(self) -> None:
        """Start the thread once per process (cheap when it runs already)."""
        if self.running or self._stopped:
            return
        with self._lock:
            if self.running:
                return
            ready = threading.Event()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._main, args=(ready,), name="ansim-push-sender", daemon=True)
            self._thread.start()
            ready.wait(10)
            _running.add(self)

    def wake(self) -> None:
        """New deliveries are queued: look now rather than at the next poll."""
        self.start()
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # the loop closed: the process is ending
                pass

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the pushes in flight, write their outcomes, and end the thread
        for good (a later request does not start it again)."""
        self._stopped = True
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None or loop is None or stop is None or not self.running:
            return
        try:
            loop.call_soon_threadsafe(stop.set)
        except RuntimeError:
            return
        thread.join(timeout)

    def _main(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._serve(loop, ready))
        finally:
            loop.close()

    async def _serve(self, loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        self._loop, self._wake, self._stop = loop, asyncio.Event(), asyncio.Event()
        ready.set()
        while not self._stop.is_set():
            try:
                await Sender(self.app).run(until="stopped", stop=self._stop, wake=self._wake)
            except Exception:
                log.exception("the push sender stopped; starting again in 5 s")
                try:
                    await asyncio.wait_for(self._stop.wait(), 5)
                except TimeoutError:
                    pass


def register_sender(app: Flask) -> None:
    """The app's own sender thread, unless ``PUSH_SENDER_THREAD`` is off
    (``ansim worker`` processes do the sending, or tests drain by hand)."""
    if not app.config["PUSH_SENDER_THREAD"]:
        return
    sender = BackgroundSender(app)
    app.extensions[EXTENSION] = sender
    app.before_request(sender.start)


@atexit.register
def _stop_all() -> None:
    for sender in list(_running):
        sender.stop(timeout=5.0)
