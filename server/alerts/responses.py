"""What a push service's answer means for a delivery (RFC 8030).

201 (or 200/202): delivered. 404/410: the subscription is gone. 429: again
no sooner than Retry-After. 5xx, timeouts and refused connections: again
after an exponential back-off with jitter. Any other 4xx: failed — sending
the same request again would get the same answer. Retries stop at
``PUSH_MAX_ATTEMPTS`` tries, and at the warning's expiry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import random

from server.alerts.models import DeliveryState
from server.alerts.outbox import Job, Result
from server.database import utcnow

SENT_STATUSES = {200, 201, 202}
GONE_STATUSES = {404, 410}


def retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After header: a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


@dataclasses.dataclass(frozen=True)
class Policy:
    """What a push service's answer means for the row."""

    max_attempts: int = 6
    retry_seconds: float = 5.0
    max_delay: float = 3600.0

    def backoff(self, attempt: int) -> float:
        """Exponential, with jitter so a failed burst does not come back as one."""
        return min(self.max_delay, self.retry_seconds * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))

    def outcome(self, job: Job, status: int | None, error: str | None, wait: str | None, expires: dt.datetime) -> Result:
        if status in SENT_STATUSES:
            return Result(job, DeliveryState.SENT, status)
        if status in GONE_STATUSES:
            return Result(job, DeliveryState.GONE, status)
        now = utcnow()
        attempt = job.attempts + 1
        if status == 429:
            asked = retry_after(wait, now)
            delay = min(self.max_delay, self.backoff(attempt) if asked is None else asked)
            error = error or f"429 Too Many Requests (Retry-After: {wait or '-'})"
        elif status is None or status >= 500:
            delay = self.backoff(attempt)
            error = error or f"push service answered {status}"
        else:
            return Result(job, DeliveryState.FAILED, status, f"push service refused it ({status})")
        if attempt >= self.max_attempts:
            return Result(job, DeliveryState.FAILED, status, f"gave up after {attempt} attempts: {error}"[:300])
        retry_at = now + dt.timedelta(seconds=delay)
        if retry_at >= expires:
            return Result(job, DeliveryState.FAILED, status, f"the warning expires before the next try: {error}"[:300])
        return Result(job, None, status, error[:300], retry_at=retry_at)
