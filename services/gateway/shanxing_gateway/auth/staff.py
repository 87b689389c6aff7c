"""Merchant staff: the POS page's sign-in token, and accepting it on the merchant routes.

A browser cannot hold a merchant key secret, so staff sign in with a login and password that points
checks (POST /internal/merchant-staff/verify); the gateway then mints a short-lived HS256 token of
its own kind. It is signed with a key derived from the JWT secret and carries its own audience, so
a staff token never passes as a person's token nor the other way round. On /api/v1/merchant/* it
stands in for the HMAC signature: the services receive the merchant's identity with subject
``staff:<staff_id>`` and roles ``merchant_staff`` + the staff role, and points enforces the role.
"""
from __future__ import annotations

import hashlib
import hmac
import time

import jwt
from shanxing_common.problems import Problem

from . import Identity
from .people import ALGORITHM, ISSUER, InvalidToken, IssuedToken, bearer_token

AUDIENCE = "shanxing-merchant-staff"
STAFF_ROLE = "merchant_staff"  # the token's role, beside the staff member's own (cashier | manager)
SUBJECT_PREFIX = "staff:"
CHALLENGE = 'Bearer realm="shanxing merchant staff"'
_KEY_PURPOSE = b"shanxing merchant staff tokens v1"


class StaffTokens:
    def __init__(self, jwt_secret: str, ttl_seconds: int):
        if not jwt_secret:
            raise ValueError("a JWT secret is required")
        self._key = hmac.new(jwt_secret.encode(), _KEY_PURPOSE, hashlib.sha256).hexdigest()
        self.ttl_seconds = ttl_seconds

    def issue(self, *, staff_id: str, merchant_id: str, store_id: str, staff_role: str,
              credentials_version: int = 0, now: float | None = None) -> IssuedToken:
        issued_at = int(now if now is not None else time.time())
        claims = {"sub": staff_id, "role": STAFF_ROLE, "staff_role": staff_role, "merchant_id": merchant_id,
                  "store_id": store_id, "cv": credentials_version, "iat": issued_at,
                  "exp": issued_at + self.ttl_seconds, "iss": ISSUER, "aud": AUDIENCE}
        return IssuedToken(jwt.encode(claims, self._key, algorithm=ALGORITHM), self.ttl_seconds)

    def verify(self, token: str, *, now: float | None = None) -> Identity:
        options = {"require": ["sub", "iat", "exp", "iss", "aud"]}
        if now is not None:  # tests check expiry against a given clock
            options["verify_exp"] = False
        try:
            claims = jwt.decode(token, self._key, algorithms=[ALGORITHM], issuer=ISSUER, audience=AUDIENCE,
                                options=options)
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if now is not None and int(claims["exp"]) <= now:
            raise InvalidToken("Signature has expired")
        fields = (claims.get("sub"), claims.get("merchant_id"), claims.get("staff_role"))
        if claims.get("role") != STAFF_ROLE or not all(isinstance(f, str) and f for f in fields):
            raise InvalidToken("malformed claims")
        version = claims.get("cv", 0)  # tokens issued before versions existed: version 0
        if not isinstance(version, int) or isinstance(version, bool):
            raise InvalidToken("malformed claims")
        return Identity(kind="merchant", subject=SUBJECT_PREFIX + claims["sub"],
                        roles=(STAFF_ROLE, claims["staff_role"]), merchant_id=claims["merchant_id"],
                        credentials_version=version)

    def is_staff_token(self, token: str) -> bool:
        try:
            self.verify(token)
            return True
        except InvalidToken:
            return False


def authenticate_staff(gw, authorization: str) -> Identity:
    """A bearer token on a merchant route: only a valid staff token opens it (401 otherwise)."""
    token = bearer_token(authorization)
    if not token:
        raise Problem(401, "Authorization must be 'Bearer <staff token>'",
                      headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_request"'})
    try:
        return gw.staff.verify(token)
    except InvalidToken as exc:
        try:
            gw.people.verify(token)
        except InvalidToken:
            raise Problem(401, f"the staff token is not valid: {exc}",
                          headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'}) from exc
        raise Problem(401, "these routes need a merchant signature or a staff token, not a person's token",
                      headers={"WWW-Authenticate": CHALLENGE}) from exc


def refuse_staff_token(gw, authorization: str | None) -> None:
    """A staff token anywhere but the merchant routes: 403 rather than a puzzling 'invalid token'."""
    token = bearer_token(authorization)
    if token and gw.staff.is_staff_token(token):
        raise Problem(403, "a staff token reaches only /api/v1/merchant/* routes")
