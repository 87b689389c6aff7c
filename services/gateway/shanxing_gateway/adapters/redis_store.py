"""Merchant nonces and rate counters in Redis (when SHANXING_GATEWAY_REDIS_URL is set), instead of
the gateway's database: one round trip per signed request or counted window, and keys that expire
by themselves, so nothing is purged (docs/decisions/0021).

Key layout under the prefix (free-form parts last, or length-prefixed, so no key id, nonce or
subject can be written to look like another one's key):

    nonce:<len(key_id)>:<key_id>:<nonce>         a nonce of a merchant key, for the replay window
    merchant-rate:<second>:<key_id>              signed requests of a key in one second
    rate:<scope>:<window_start>:<subject>        people's requests in one window (address, person)
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

import redis
from redis.backoff import NoBackoff
from redis.commands.core import Script
from redis.retry import Retry

# The nonce is taken first, so a replay never counts; a request over the rate gives its nonce back
# (a rate-limited request does not spend it). KEYS: the nonce, the key's counter of this second;
# ARGV: nonce retention, rate per second, counter lifetime. Returns the count, or REPLAYED.
ADMIT_SIGNED_REQUEST = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return -1
end
local count = redis.call('INCR', KEYS[2])
if count == 1 then
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
if count > tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
end
return count
"""
REPLAYED = -1

# KEYS: the window's counter; ARGV: requests to add, counter lifetime. Returns the count.
ADD_REQUESTS = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return count
"""


class StoreUnavailable(Exception):
    """Redis did not answer: the request is refused (503), never let through unchecked."""


class RedisStore:
    """The gateway's Redis: a client per process, made on first use, shared by its threads.

    redis-py's pool hands each command a connection of its own, so threads share one client
    safely; a client inherited across a fork (a preloading master) is replaced in the child."""

    def __init__(self, url: str, prefix: str, timeout_seconds: float):
        self.url = url
        self.prefix = prefix
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._client: redis.Redis | None = None
        self._admit: Script | None = None
        self._add: Script | None = None

    def _connect(self) -> None:
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            # No retries: the scripts are not idempotent (a retried admit would find its own nonce
            # and refuse a fresh request as a replay), and failing fast is what fail-closed needs.
            client = redis.Redis.from_url(self.url, socket_connect_timeout=self.timeout_seconds,
                                          socket_timeout=self.timeout_seconds, retry=Retry(NoBackoff(), 0))
            self._admit = client.register_script(ADMIT_SIGNED_REQUEST)  # EVALSHA, loaded when missing
            self._add = client.register_script(ADD_REQUESTS)
            self._client = client
            self._pid = pid  # last: other threads use the client once this says it is ready

    @contextmanager
    def _answering(self) -> Iterator[None]:
        self._connect()
        try:
            yield
        except redis.exceptions.RedisError as exc:
            raise StoreUnavailable(f"redis: {exc}") from exc

    def admit_signed_request(self, key_id: str, nonce: str, second: int, rate_per_second: int,
                             nonce_seconds: int, window_seconds: int) -> int:
        """Take the nonce and count the request in its second: the count, or REPLAYED."""
        keys = [self.nonce_key(key_id, nonce), f"{self.prefix}merchant-rate:{second}:{key_id}"]
        with self._answering():
            return self._admit(keys=keys, args=[nonce_seconds, rate_per_second, window_seconds])

    def add_requests(self, scope: str, subject: str, window_start: int, amount: int, keep_seconds: int) -> int:
        """Add ``amount`` to (scope, subject)'s window; the window's count after that."""
        with self._answering():
            return self._add(keys=[f"{self.prefix}rate:{scope}:{window_start}:{subject}"], args=[amount, keep_seconds])

    def nonce_key(self, key_id: str, nonce: str) -> str:
        return f"{self.prefix}nonce:{len(key_id)}:{key_id}:{nonce}"

    def ping(self) -> None:
        with self._answering():
            self._client.ping()
