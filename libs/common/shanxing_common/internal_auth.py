"""The short-lived token the gateway signs for every request it forwards (defence in depth).

Services trust a caller's identity only from this token, never from other headers.
Workers mint one with kind="service" to read another service's event feed.
"""
from __future__ import annotations

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

    @property
    def is_ops(self) -> bool:
        return self.kind == "person" and "ops" in self.roles


ANONYMOUS = Caller()


def mint(key: str, *, kind: str, subject: str | None, roles=(), merchant_id=None,
         request_id: str | None = None, ttl: int = TTL_SECONDS) -> str:
    now = int(time.time())
    claims = {"aud": AUDIENCE, "iat": now, "exp": now + ttl, "kind": kind, "sub": subject,
              "roles": list(roles)}
    if merchant_id:
        claims["merchant_id"] = merchant_id
    if request_id:
        claims["rid"] = request_id
    return jwt.encode(claims, key, algorithm="HS256")


def verify(key: str, token: str) -> Caller:
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], audience=AUDIENCE,
                            options={"require": ["exp", "aud", "kind"]})
    except jwt.PyJWTError as exc:
        raise Problem(401, f"internal token rejected: {exc}") from exc
    return Caller(kind=claims["kind"], subject=claims.get("sub"), roles=tuple(claims.get("roles") or ()),
                  merchant_id=claims.get("merchant_id"))


def load_caller() -> Caller:
    """before_request hook: parse the internal token once per request into g.caller."""
    token = request.headers.get(HEADER)
    g.caller = verify(current_app.config["SHANXING_INTERNAL_KEY"], token) if token else ANONYMOUS
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
