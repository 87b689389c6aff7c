"""Signed merchant requests (API.md "Merchant routes").

signature = hex(HMAC-SHA256(key_secret,
    METHOD + "\n" + PATH_WITH_QUERY + "\n" + TIMESTAMP + "\n" + NONCE + "\n" + hex(SHA-256(body))))

``verify_signed_request`` is a pure function of the request parts, the key and the clock; the
nonce store and the rate counter around it keep their state in the gateway's database or in Redis
(shared by every worker either way), the key cache in the process.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Mapping

from shanxing_common.db import Database

from ..adapters import repository
from ..adapters.redis_store import REPLAYED, RedisStore
from ..ratelimit import REFUSED, LeasedSlots
from . import Identity

KEY_HEADER = "X-Shanxing-Key"
TIMESTAMP_HEADER = "X-Shanxing-Timestamp"
NONCE_HEADER = "X-Shanxing-Nonce"
SIGNATURE_HEADER = "X-Shanxing-Signature"
SIGNED_HEADERS = (KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)

MAX_CLOCK_SKEW_SECONDS = 300
# A request is accepted while its timestamp is within ±300 s of now, so its nonce can be replayed
# at most 600 s after it was first seen; remembering nonces that long is enough.
NONCE_RETENTION_SECONDS = 2 * MAX_CLOCK_SKEW_SECONDS
MAX_NONCE_LENGTH = 128
MAX_KEY_ID_LENGTH = 128


class MerchantAuthError(Exception):
    """The request is not a valid signed merchant request (answered 401)."""

    def __init__(self, detail: str, header: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.header = header


def nonce_replayed() -> MerchantAuthError:
    return MerchantAuthError("this nonce was already used with this key", NONCE_HEADER)


class MerchantRateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"more than the allowed requests per second; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class MerchantKey:
    key_id: str
    merchant_id: str
    secret: str
    status: str

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class SignatureHeaders:
    key_id: str
    timestamp: str
    nonce: str
    signature: str


def has_signature_headers(headers: Mapping[str, str]) -> bool:
    return any(headers.get(name) for name in SIGNED_HEADERS)


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def string_to_sign(method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join((method.upper(), path_with_query, timestamp, nonce, body_digest(body)))


def sign(secret: str, method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = string_to_sign(method, path_with_query, timestamp, nonce, body)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def read_signature_headers(headers: Mapping[str, str], now: float) -> SignatureHeaders:
    """The four headers, each present and well-formed, and a timestamp within ±300 s of ``now``."""
    values = {}
    for name in SIGNED_HEADERS:
        value = (headers.get(name) or "").strip()
        if not value:
            raise MerchantAuthError(f"missing header {name}", name)
        values[name] = value
    if len(values[KEY_HEADER]) > MAX_KEY_ID_LENGTH:
        raise MerchantAuthError("unknown merchant key", KEY_HEADER)
    timestamp = values[TIMESTAMP_HEADER]
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise MerchantAuthError(f"{TIMESTAMP_HEADER} must be unix seconds", TIMESTAMP_HEADER)
    if abs(int(timestamp) - now) > MAX_CLOCK_SKEW_SECONDS:
        raise MerchantAuthError(
            f"{TIMESTAMP_HEADER} is more than {MAX_CLOCK_SKEW_SECONDS} s away from the server clock",
            TIMESTAMP_HEADER)
    nonce = values[NONCE_HEADER]
    if len(nonce) > MAX_NONCE_LENGTH:
        raise MerchantAuthError(f"{NONCE_HEADER} must be 1 to {MAX_NONCE_LENGTH} characters", NONCE_HEADER)
    return SignatureHeaders(key_id=values[KEY_HEADER], timestamp=timestamp, nonce=nonce,
                            signature=values[SIGNATURE_HEADER])


def verify_signed_request(*, method: str, path_with_query: str, headers: Mapping[str, str], body: bytes,
                          key: MerchantKey | None, now: float) -> SignatureHeaders:
    """Check everything but the nonce's freshness (that needs the store). Raises MerchantAuthError."""
    parts = read_signature_headers(headers, now)
    if key is None or key.key_id != parts.key_id:
        raise MerchantAuthError("unknown merchant key", KEY_HEADER)
    if not key.active:
        raise MerchantAuthError("this merchant key is not active", KEY_HEADER)
    expected = sign(key.secret, method, path_with_query, parts.timestamp, parts.nonce, body)
    if not hmac.compare_digest(expected, parts.signature.lower()):
        raise MerchantAuthError("the signature does not match the request", SIGNATURE_HEADER)
    return parts


class MerchantKeyCache:
    """Key secrets fetched from points, kept per process for ``ttl_seconds``.

    A revoked key therefore keeps working for at most ``ttl_seconds`` in each gateway process.
    Unknown keys are remembered briefly too, so a flood of made-up key ids does not reach points."""

    UNKNOWN_TTL_SECONDS = 5.0

    def __init__(self, fetch: Callable[[str], MerchantKey | None], ttl_seconds: float,
                 clock: Callable[[], float] = time.monotonic):
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, MerchantKey | None]] = {}
        self._lock = threading.Lock()

    def get(self, key_id: str) -> MerchantKey | None:
        now = self._clock()
        with self._lock:
            cached = self._entries.get(key_id)
        if cached and cached[0] > now:
            return cached[1]
        key = self._fetch(key_id)
        ttl = self._ttl if key is not None else min(self._ttl, self.UNKNOWN_TTL_SECONDS)
        with self._lock:
            if len(self._entries) > 10_000:  # bound memory against random key ids
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if ttl > 0:
                self._entries[key_id] = (now + ttl, key)
        return key


class ReplayGuard:
    """Nonce store and per-key rate limit, in the gateway's database (shared by all workers).

    The rate is counted with leased slots (ratelimit.LeasedSlots): with ``lease`` > 1 most
    requests cost one statement, the nonce's INSERT, run alone in autocommit; every lease-th one
    runs it in a transaction with the counter's upsert."""

    PURGE_EVERY_SECONDS = 60.0

    def __init__(self, db: Database, rate_per_second: int, lease: int = 1):
        self.db = db
        self.rate_per_second = rate_per_second
        self.slots = LeasedSlots(rate_per_second, lease)
        self._last_purge = 0.0
        self._purge_lock = threading.Lock()

    def admit(self, key_id: str, nonce: str, now: float) -> None:
        """Remember the nonce and count the request, or raise.

        When the counter is asked, both happen in one transaction: a rate-limited request is
        rolled back, so its nonce is not spent; a replay raises before it is counted. A replay
        admitted from a held slot gives the slot back."""
        seen_at = datetime.fromtimestamp(now, timezone.utc)
        window = int(now)
        taken = self.slots.take(key_id, window)
        if taken is REFUSED:
            raise MerchantRateLimited(retry_after=1)
        if taken:  # a slot held locally: the nonce is all there is to write, one statement alone
            if not repository.remember_nonce_alone(self.db, key_id, nonce, seen_at):
                self.slots.give_back(key_id, window)
                raise nonce_replayed()
            self._maybe_purge(now)
            return
        granted = None
        try:
            with self.db.transaction() as session:
                if not repository.remember_nonce(session, key_id, nonce, seen_at):
                    raise nonce_replayed()
                granted = self.slots.granted(repository.count_request(session, key_id, window,
                                                                      self.slots.lease))
                if granted <= 0:
                    raise MerchantRateLimited(retry_after=1)
        except MerchantRateLimited:
            self.slots.hold(key_id, window, granted)  # the window is full: refuse locally from now
            raise
        self.slots.hold(key_id, window, granted)  # held only once the counter's upsert is committed
        self._maybe_purge(now)

    def _maybe_purge(self, now: float) -> None:
        with self._purge_lock:
            if now - self._last_purge < self.PURGE_EVERY_SECONDS:
                return
            self._last_purge = now
        self.purge(now)

    def purge(self, now: float) -> tuple[int, int]:
        """Forget nonces older than the replay window and finished rate windows."""
        cutoff = datetime.fromtimestamp(now - NONCE_RETENTION_SECONDS, timezone.utc)
        with self.db.transaction() as session:
            nonces = repository.purge_nonces(session, cutoff)
            windows = repository.purge_rate_windows(session, int(now) - 60)
        return nonces, windows


class RedisReplayGuard:
    """Nonce store and per-key rate limit in Redis: one script per signed request takes the nonce
    and counts the key's second exactly (no leases), and gives the nonce back when over the rate.

    Same interface as ReplayGuard; nothing to purge, every key expires by itself."""

    RATE_WINDOW_SECONDS = 2  # a second's counter, kept a second longer for clocks a little apart

    def __init__(self, store: RedisStore, rate_per_second: int):
        self.store = store
        self.rate_per_second = rate_per_second

    def admit(self, key_id: str, nonce: str, now: float) -> None:
        """Remember the nonce and count the request, or raise (StoreUnavailable when Redis does not
        answer: then the request is refused, not admitted unchecked)."""
        count = self.store.admit_signed_request(key_id, nonce, int(now), self.rate_per_second,
                                                NONCE_RETENTION_SECONDS, self.RATE_WINDOW_SECONDS)
        if count == REPLAYED:
            raise nonce_replayed()
        if count > self.rate_per_second:
            raise MerchantRateLimited(retry_after=1)

    def purge(self, now: float) -> tuple[int, int]:
        return 0, 0


def merchant_identity(key: MerchantKey) -> Identity:
    return Identity(kind="merchant", subject=key.key_id, merchant_id=key.merchant_id)

