"""Live updates for operators (Server-Sent Events): a publish/subscribe broker.

One process: an in-memory broker. Several app processes (gunicorn workers,
several machines): Redis pub/sub when ``REDIS_URL`` is set, so a report
received by one process reaches the operators connected to any other.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from flask import Flask, Response, current_app, stream_with_context

#: A subscriber's wait for the next event before it yields a heartbeat (None).
HEARTBEAT_SECONDS = 15.0


class Broker(Protocol):
    def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str, heartbeat: float = HEARTBEAT_SECONDS) -> Subscription: ...


class Subscription(Protocol):
    def __iter__(self) -> Iterator[dict[str, Any] | None]: ...

    def close(self) -> None: ...


class MemoryBroker:
    """Fan-out to the subscribers of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, set[queue.Queue[dict[str, Any]]]] = {}

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._queues.get(channel, ()))
        for target in targets:
            target.put(event)

    def subscribe(self, channel: str, heartbeat: float = HEARTBEAT_SECONDS) -> MemorySubscription:
        inbox: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1000)
        with self._lock:
            self._queues.setdefault(channel, set()).add(inbox)
        return MemorySubscription(self, channel, inbox, heartbeat)

    def _drop(self, channel: str, inbox: queue.Queue[dict[str, Any]]) -> None:
        with self._lock:
            self._queues.get(channel, set()).discard(inbox)


class MemorySubscription:
    def __init__(self, broker: MemoryBroker, channel: str, inbox: queue.Queue[dict[str, Any]], heartbeat: float):
        self.broker, self.channel, self.inbox, self.heartbeat = broker, channel, inbox, heartbeat

    def __iter__(self) -> Iterator[dict[str, Any] | None]:
        while True:
            try:
                yield self.inbox.get(timeout=self.heartbeat)
            except queue.Empty:
                yield None

    def close(self) -> None:
        self.broker._drop(self.channel, self.inbox)


class RedisBroker:
    """Redis pub/sub: every process publishes to and listens on the same channels."""

    def __init__(self, url: str, prefix: str = "ansim:"):
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self.redis.publish(self.prefix + channel, json.dumps(event, ensure_ascii=False, default=str))

    def subscribe(self, channel: str, heartbeat: float = HEARTBEAT_SECONDS) -> RedisSubscription:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.prefix + channel)
        return RedisSubscription(pubsub, heartbeat)


class RedisSubscription:
    def __init__(self, pubsub, heartbeat: float):  # type: ignore[no-untyped-def]
        self.pubsub, self.heartbeat = pubsub, heartbeat

    def __iter__(self) -> Iterator[dict[str, Any] | None]:
        while True:
            message = self.pubsub.get_message(timeout=self.heartbeat)
            yield json.loads(message["data"]) if message and message.get("type") == "message" else None

    def close(self) -> None:
        self.pubsub.close()


def register_live(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["ansim.broker"] = RedisBroker(url) if url else MemoryBroker()


def broker() -> Broker:
    return current_app.extensions["ansim.broker"]


def publish(channel: str, event: dict[str, Any]) -> None:
    """Tell live subscribers; call after the change is committed."""
    broker().publish(channel, event)


def sse(event: dict[str, Any] | None, *, name: str = "message", event_id: int | str | None = None) -> str:
    """One Server-Sent Events frame; None makes a heartbeat comment."""
    if event is None:
        return ": keep-alive\n\n"
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(event, ensure_ascii=False, default=str)}\n\n"


def event_stream(channel: str, frame: Callable[[dict[str, Any]], str], first: Iterable[str] = ()) -> Response:
    """A text/event-stream response: the ``first`` frames (what a reconnecting
    client missed), then one ``frame(message)`` per message published on
    ``channel``, with heartbeats between so proxies keep it open."""
    subscription = broker().subscribe(channel, current_app.config["SSE_HEARTBEAT_SECONDS"])

    def frames() -> Iterator[str]:
        try:
            yield "retry: 3000\n\n"
            yield from first
            for message in subscription:
                yield sse(None) if message is None else frame(message)
        finally:
            subscription.close()

    response = Response(stream_with_context(frames()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass events on at once
    return response
