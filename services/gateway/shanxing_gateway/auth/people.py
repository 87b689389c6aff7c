"""Access tokens for people: HS256 JWTs the gateway issues after registry verified a password."""
from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from . import Identity

ISSUER = "shanxing"
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The bearer token is malformed, forged, expired or not one of ours."""


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


class PeopleTokens:
    # Verified tokens are remembered until they expire: a client sends the same token on every
    # request, and checking it again costs more than the rest of the gateway's own work on it.
    CACHE_ENTRIES = 10_000

    def __init__(self, secret: str, ttl_seconds: int):
        if not secret:
            raise ValueError("a JWT secret is required")
        self._secret = secret
        self.ttl_seconds = ttl_seconds
        self._verified: dict[str, tuple[float, Identity]] = {}

    def issue(self, subject: str, roles, *, now: float | None = None) -> IssuedToken:
        issued_at = int(now if now is not None else time.time())
        claims = {"sub": subject, "roles": list(roles), "iat": issued_at,
                  "exp": issued_at + self.ttl_seconds, "iss": ISSUER}
        return IssuedToken(jwt.encode(claims, self._secret, algorithm=ALGORITHM), self.ttl_seconds)

    def verify(self, token: str, *, now: float | None = None) -> Identity:
        if now is None:
            cached = self._verified.get(token)
            if cached is not None and cached[0] > time.time():
                return cached[1]
        identity, expires_at = self._decode(token, now)
        if now is None:
            if len(self._verified) >= self.CACHE_ENTRIES:
                self._verified = {}  # rebuilt from the tokens in use; no lock needed
            self._verified[token] = (expires_at, identity)
        return identity

    def _decode(self, token: str, now: float | None) -> tuple[Identity, float]:
        options = {"require": ["sub", "iat", "exp", "iss"]}
        if now is not None:  # tests check expiry against a given clock
            options["verify_exp"] = False
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                                options=options)
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if now is not None and int(claims["exp"]) <= now:
            raise InvalidToken("Signature has expired")
        roles = claims.get("roles") or []
        if not isinstance(claims["sub"], str) or not isinstance(roles, list):
            raise InvalidToken("malformed claims")
        return (Identity(kind="person", subject=claims["sub"], roles=tuple(str(r) for r in roles)),
                float(claims["exp"]))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; '' when the header is malformed."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""
    return token.strip()
