"""Who is calling this request, and may they reach this route at all (answers 401/403/429)."""
from __future__ import annotations

import time

from flask import Request

from shanxing_common.problems import Problem

from ..access import is_public, needs_merchant_signature, required_role
from ..ratelimit import RateLimited
from ..runtime import Gateway
from . import ANONYMOUS, Identity
from .merchants import (MerchantAuthError, MerchantRateLimited, has_signature_headers,
                        merchant_identity, read_signature_headers, verify_signed_request)
from .people import InvalidToken, bearer_token
from .staff import authenticate_staff, refuse_staff_token

BEARER_CHALLENGE = 'Bearer realm="shanxing"'
MERCHANT_CHALLENGE = 'Shanxing-HMAC-SHA256 realm="shanxing merchant routes"'


def unauthorized(detail: str, *, challenge: str = BEARER_CHALLENGE, **extra) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": challenge}, **extra)


def authenticate(gw: Gateway, request: Request, path: str, path_with_query: str) -> Identity:
    if has_signature_headers(request.headers):
        identity = authenticate_merchant(gw, request, path_with_query)
        if not needs_merchant_signature(path):
            raise Problem(403, "a merchant key reaches only /api/v1/merchant/* routes")
        return identity
    if needs_merchant_signature(path):
        if request.headers.get("Authorization"):  # the POS page: a staff token instead of a signature
            staff = authenticate_staff(gw, request.headers["Authorization"])
            limit_person(gw, staff)  # counted per staff member, like a person
            return staff
        return authenticate_merchant(gw, request, path_with_query)  # names the missing header

    person = authenticate_person(gw, request.headers.get("Authorization"))
    if person is None:
        if is_public(request.method, path):
            return ANONYMOUS
        raise unauthorized("this route needs Authorization: Bearer <token>")
    limit_person(gw, person)
    role = required_role(request.method, path)
    if role and role not in person.roles:
        raise Problem(403, f"this route needs the {role} role")
    return person


def authenticate_person(gw: Gateway, authorization: str | None) -> Identity | None:
    token = bearer_token(authorization)
    if token is None:
        return None
    if not token:
        raise unauthorized("Authorization must be 'Bearer <token>'",
                           challenge=BEARER_CHALLENGE + ', error="invalid_request"')
    try:
        return gw.people.verify(token)
    except InvalidToken as exc:
        refuse_staff_token(gw, authorization)
        raise unauthorized(f"the access token is not valid: {exc}",
                           challenge=BEARER_CHALLENGE + ', error="invalid_token"') from exc


def limit_person(gw: Gateway, person: Identity) -> None:
    """Count the request against the person's allowance (every worker and gateway counts together)."""
    try:
        gw.person_limit.hit(person.subject, time.time())
    except RateLimited as exc:
        raise Problem(429, exc.detail, headers={"Retry-After": str(exc.retry_after)}) from exc


def authenticate_merchant(gw: Gateway, request: Request, path_with_query: str) -> Identity:
    now = time.time()
    try:
        parts = read_signature_headers(request.headers, now)
        key = gw.merchant_keys.get(parts.key_id)
        verify_signed_request(method=request.method, path_with_query=path_with_query,
                              headers=request.headers, body=request.get_data(cache=True), key=key, now=now)
        gw.replay_guard.admit(parts.key_id, parts.nonce, now)
    except MerchantAuthError as exc:
        extra = {"errors": {exc.header: [exc.detail]}} if exc.header else {}
        raise unauthorized(exc.detail, challenge=MERCHANT_CHALLENGE, **extra) from exc
    except MerchantRateLimited as exc:
        raise Problem(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from exc
    return merchant_identity(key)

