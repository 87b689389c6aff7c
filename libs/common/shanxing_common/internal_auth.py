"""The short-lived token the gateway signs for every request it forwards (defence in depth).

Services trust a caller's identity only from this token, never from other headers.
Workers mint one with kind="service" to read another service's event feed.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import wraps

import jwt
from flask import current_app, g, request

from .problems import Problem

HEADER = "X-Shanxing-Internal-Token"
AUDIENCE = "shanxing-internal"
TTL_SECONDS = 60


@dataclass(frozen=True)
class Caller:
    kind: str = "anonymous"  # anonymous | person | merchant | service
    subject: str | None = None
    roles: tuple[str, ...] = field(default_factory=tuple)
    merchant_id: str | None = None
    # A staff member's credentials version when they signed in: points refuses a sign-in that a
    # later password reset has superseded (None: not a staff sign-in, or a token from before).
    credentials_version: int | None = None

    @property
    def is_ops(self) -> bool:
        return self.kind == "person" and "ops" in self.roles


ANONYMOUS = Caller()


def mint(key: str, *, kind: str, subject: str | None, roles=(), merchant_id=None,
         request_id: str | None = None, ttl: int = TTL_SECONDS, credentials_version: int | None = None) -> str:
    now = int(time.time())
    claims = {"aud": AUDIENCE, "iat": now, "exp": now + ttl, "kind": kind, "sub": subject,
              "roles": list(roles)}
    if merchant_id:
        claims["merchant_id"] = merchant_id
    if request_id:
        claims["rid"] = request_id
    if credentials_version is not None:
        claims["cv"] = credentials_version
    return jwt.encode(claims, key, algorithm="HS256")


class _ExpiringEntries:
    """A dict of (expires_at, value) per key, bounded: when full, the expired entries go, and
    if it is still full, all of them (a burst of distinct keys cannot grow it without end)."""

    MAX_ENTRIES = 50_000

    def __init__(self):
        self._entries: dict = {}
        self._lock = threading.Lock()

    def get(self, key, now: float):
        cached = self._entries.get(key)
        return cached[1] if cached is not None and cached[0] > now else None

    def put(self, key, value, expires_at: float, now: float) -> None:
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= self.MAX_ENTRIES:
                    self._entries.clear()
            self._entries[key] = (expires_at, value)


class TokenMinter:
    """Mints tokens and reuses each identity's token while it has more than half its life left.

    Signing a JWT per forwarded request cost the gateway about as much CPU as its HMAC check and
    nonce insert together; an identity's claims do not change between its requests. The request id
    travels in its own header (X-Request-ID), so a reused token loses nothing for tracing."""

    def __init__(self, key: str, ttl: int = TTL_SECONDS, clock=time.time):
        self.key = key
        self.ttl = ttl
        self._clock = clock
        self._tokens = _ExpiringEntries()

    def token(self, *, kind: str, subject: str | None, roles=(), merchant_id=None,
              credentials_version: int | None = None) -> str:
        ident = (kind, subject, tuple(roles), merchant_id, credentials_version)
        now = self._clock()
        token = self._tokens.get(ident, now)
        if token is None:
            token = mint(self.key, kind=kind, subject=subject, roles=roles, merchant_id=merchant_id, ttl=self.ttl,
                         credentials_version=credentials_version)
            self._tokens.put(ident, token, now + self.ttl / 2, now)
        return token


class VerifiedTokens:
    """Tokens already verified, with their callers, until they expire (a reused token from
    TokenMinter is checked once, not on every request)."""

    def __init__(self, clock=time.time):
        self._clock = clock
        self._callers = _ExpiringEntries()

    def verify(self, key: str, token: str) -> Caller:
        now = self._clock()
        caller_ = self._callers.get((key, token), now)
        if caller_ is None:
            caller_, expires = _verify(key, token)
            self._callers.put((key, token), caller_, expires, now)
        return caller_


def verify(key: str, token: str) -> Caller:
    return _verify(key, token)[0]


def _verify(key: str, token: str) -> tuple[Caller, float]:
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], audience=AUDIENCE,
                            options={"require": ["exp", "aud", "kind"]})
    except jwt.PyJWTError as exc:
        raise Problem(401, f"internal token rejected: {exc}") from exc
    version = claims.get("cv")
    return Caller(kind=claims["kind"], subject=claims.get("sub"), roles=tuple(claims.get("roles") or ()),
                  merchant_id=claims.get("merchant_id"),
                  credentials_version=version if isinstance(version, int) else None), float(claims["exp"])


_verified = VerifiedTokens()


def load_caller() -> Caller:
    """before_request hook: parse the internal token once per request into g.caller."""
    token = request.headers.get(HEADER)
    g.caller = _verified.verify(current_app.config["SHANXING_INTERNAL_KEY"], token) if token else ANONYMOUS
    return g.caller


def caller() -> Caller:
    return getattr(g, "caller", ANONYMOUS)


def _require(check, status_if_anon=401):
    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            c = caller()
            if c.kind == "anonymous":
                raise Problem(status_if_anon, "authentication required")
            if not check(c):
                raise Problem(403, "you are not allowed to do this")
            return fn(*args, **kwargs)

        return wrapper

    return decorator


require_person = _require(lambda c: c.kind == "person")
require_ops = _require(lambda c: c.is_ops)
require_merchant = _require(lambda c: c.kind == "merchant" and bool(c.merchant_id))
require_service = _require(lambda c: c.kind == "service")
