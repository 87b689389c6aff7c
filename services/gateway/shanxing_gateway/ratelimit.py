"""Fixed-window request limits counted in the gateway's database (or in Redis), so every gunicorn
worker and every gateway process sharing it counts together.

A window is [start, start + length) with start a multiple of the length in unix seconds; each
request adds one to its (scope, subject, window) row with an upsert and is refused once the count
passes the limit. Refused requests count too: hammering does not shorten the wait.
"""
from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass

from shanxing_common.db import Database

from .adapters import repository
from .adapters.redis_store import RedisStore

# Rows of windows that ended longer ago than this are purged (the longest window is a minute);
# Redis keeps a window's counter this long.
RETENTION_SECONDS = 120
MAX_SUBJECT_LENGTH = 128


class RateLimited(Exception):
    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


@dataclass(frozen=True)
class FixedWindow:
    length_seconds: int

    def start(self, now: float) -> int:
        return int(now // self.length_seconds) * self.length_seconds

    def retry_after(self, now: float) -> int:
        """Whole seconds until the next window opens (at least 1, as Retry-After wants)."""
        return max(1, math.ceil(self.start(now) + self.length_seconds - now))


class RateWindows:
    """The shared counters, with an occasional purge of finished windows."""

    PURGE_EVERY_SECONDS = 60.0

    def __init__(self, db: Database):
        self.db = db
        self._last_purge = 0.0
        self._purge_lock = threading.Lock()

    def count(self, scope: str, subject: str, window_start: int, now: float, amount: int = 1) -> int:
        """Add ``amount`` requests to the window; the window's count after that."""
        with self.db.transaction() as session:
            requests = repository.count_scoped_request(session, scope, subject, window_start, amount)
        self._maybe_purge(now)
        return requests

    def _maybe_purge(self, now: float) -> None:
        with self._purge_lock:
            if now - self._last_purge < self.PURGE_EVERY_SECONDS:
                return
            self._last_purge = now
        self.purge(now)

    def purge(self, now: float) -> int:
        with self.db.transaction() as session:
            return repository.purge_scoped_windows(session, int(now) - RETENTION_SECONDS)


class RedisRateWindows:
    """The shared counters in Redis: one round trip per count, and nothing to purge (each
    window's key expires by itself). Raises StoreUnavailable when Redis does not answer."""

    def __init__(self, store: RedisStore):
        self.store = store

    def count(self, scope: str, subject: str, window_start: int, now: float, amount: int = 1) -> int:
        return self.store.add_requests(scope, subject, window_start, amount, RETENTION_SECONDS)

    def purge(self, now: float) -> int:
        return 0


@dataclass
class _Held:
    """Slots of one subject's current window this process took from the shared counter."""

    window_start: int
    remaining: int
    refused: bool = False


REFUSED = "refused"


class LeasedSlots:
    """Slots this process took from a shared counter, ``lease`` at a time, admitted from locally.

    So only every lease-th request of a subject costs a database write. The limit still holds
    across processes (each slot belongs to one process); the price is that slots a process took
    but did not use are lost, so a subject whose requests spread over P processes may be refused
    up to (lease - 1) * P requests early. Once the counter is full, the process refuses the
    subject locally until the window ends: hammering costs no writes.
    """

    LOCAL_ENTRIES = 10_000

    def __init__(self, limit: int, lease: int = 1):
        self.limit = limit
        self.lease = max(1, lease)
        self._held: dict[str, _Held] = {}
        self._lock = threading.Lock()

    def take(self, subject: str, window_start: int) -> bool | str:
        """True when a held slot of this window was taken, REFUSED when the window is known to be
        full, False when the shared counter has to be asked (then ``granted``)."""
        with self._lock:
            held = self._held.get(subject)
            if held is None or held.window_start != window_start:
                return False
            if held.refused:
                return REFUSED
            if held.remaining > 0:
                held.remaining -= 1
                return True
            return False

    def give_back(self, subject: str, window_start: int) -> None:
        """Return a slot ``take`` gave for a request that was not admitted after all."""
        with self._lock:
            held = self._held.get(subject)
            if held is not None and held.window_start == window_start and not held.refused:
                held.remaining += 1

    def granted(self, count: int) -> int:
        """Of the ``lease`` slots just added to a counter now at ``count``, those within the limit."""
        return min(self.lease, self.limit - (count - self.lease))

    def hold(self, subject: str, window_start: int, granted: int) -> None:
        """Keep what ``granted`` gave (one slot is this request's); none left: refuse locally."""
        with self._lock:
            if len(self._held) >= self.LOCAL_ENTRIES:
                self._held = {k: v for k, v in self._held.items() if v.window_start == window_start}
                if len(self._held) > self.LOCAL_ENTRIES // 2:  # many subjects right now: forgetting
                    self._held = {}  # leased slots only makes the limit stricter, never looser
            self._held[subject] = _Held(window_start, max(granted - 1, 0), refused=granted <= 0)


class RateLimiter:
    """At most ``limit`` requests per subject per window of ``window_seconds`` (limit 0: none),
    counted with LeasedSlots (``lease`` > 1: a database write every lease-th request)."""

    def __init__(self, windows: RateWindows, scope: str, limit: int, window_seconds: int, what: str,
                 lease: int = 1):
        self.windows = windows
        self.scope = scope
        self.limit = limit
        self.window = FixedWindow(window_seconds)
        self.what = what  # for the message, e.g. "requests from this address"
        self.slots = LeasedSlots(limit, lease)

    @property
    def lease(self) -> int:
        return self.slots.lease

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def hit(self, subject: str, now: float) -> None:
        """Count one request of ``subject``; raise RateLimited when it is over the limit."""
        if not self.enabled:
            return
        if len(subject) > MAX_SUBJECT_LENGTH:  # fits the column; made-up long ids stay distinct
            subject = hashlib.sha256(subject.encode()).hexdigest()
        window_start = self.window.start(now)
        taken = self.slots.take(subject, window_start)
        if taken is REFUSED:
            raise self._limited(now)
        if taken:
            return
        count = self.windows.count(self.scope, subject, window_start, now, self.lease)
        granted = self.slots.granted(count)
        self.slots.hold(subject, window_start, granted)
        if granted <= 0:
            raise self._limited(now)

    def _limited(self, now: float) -> RateLimited:
        retry_after = self.window.retry_after(now)
        return RateLimited(f"more than {self.limit} {self.what} per {self.window.length_seconds} s; "
                           f"retry after {retry_after} s", retry_after)
