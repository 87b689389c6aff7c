"""Coarse authorization: which routes are public and which need a role (pure rules).

Services still decide everything finer (who may approve what); the gateway only keeps callers
away from routes they can never use.
"""
from __future__ import annotations

import re

from .routing import is_merchant_route

_SEGMENT = r"[^/]+"

# (methods, path pattern) reachable without a token. A valid token sent anyway is forwarded.
PUBLIC_ROUTES: tuple[tuple[frozenset[str], re.Pattern], ...] = tuple(
    (frozenset(methods), re.compile(pattern)) for methods, pattern in (
        ({"POST"}, r"/api/v1/volunteers"),
        ({"POST"}, r"/api/v1/volunteers/activate"),  # first password of an imported volunteer
        ({"GET", "HEAD"}, r"/api/v1/certificates/.+"),
        ({"GET", "HEAD"}, r"/api/v1/activities"),
        ({"GET", "HEAD"}, rf"/api/v1/activities/{_SEGMENT}"),
        ({"GET", "HEAD"}, r"/api/v1/leaderboards"),
        ({"GET", "HEAD"}, r"/api/v1/projects"),  # the published project library
        ({"GET", "HEAD"}, rf"/api/v1/projects/{_SEGMENT}"),
        ({"GET", "HEAD"}, r"/api/v1/demands/evaluations"),  # residents' ratings of organizations
    )
)

# (method, exact path) → role a person needs.
ROLE_REQUIRED: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/merchants"): "ops",
}


def is_public(method: str, path: str) -> bool:
    return any(method in methods and pattern.fullmatch(path) for methods, pattern in PUBLIC_ROUTES)


def required_role(method: str, path: str) -> str | None:
    return ROLE_REQUIRED.get((method, path.rstrip("/") or "/"))


def needs_merchant_signature(path: str) -> bool:
    return is_merchant_route(path)
