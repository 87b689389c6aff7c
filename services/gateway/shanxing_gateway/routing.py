"""Which service answers which public path: a table of prefixes, the longest prefix wins.

A prefix matches whole path segments only: "/api/v1/merchant" covers "/api/v1/merchant/goods"
but not "/api/v1/merchants".
"""
from __future__ import annotations

ROUTES: dict[str, str] = {
    "/api/v1/volunteers": "registry",
    "/api/v1/organizations": "registry",
    "/api/v1/teams": "registry",
    "/api/v1/certificates": "registry",
    "/api/v1/activities": "activities",
    "/api/v1/leaderboards": "activities",
    "/api/v1/volunteers/me/recommendations": "activities",
    "/api/v1/demands": "activities",
    "/api/v1/projects": "activities",
    "/api/v1/reviews": "activities",
    "/api/v1/statistics": "activities",
    "/api/v1/points": "points",
    "/api/v1/merchants": "points",
    "/api/v1/merchant": "points",
}

# Longest first, so the first match is the most specific one.
_BY_LENGTH = sorted(ROUTES.items(), key=lambda item: len(item[0]), reverse=True)

MERCHANT_PREFIX = "/api/v1/merchant"
INTERNAL_PREFIX = "/internal"


def under(path: str, prefix: str) -> bool:
    """Is ``path`` the prefix itself or below it (segment-wise)?"""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def service_for(path: str) -> str | None:
    """The service that serves ``path``, or None (never for /internal paths)."""
    if under(path, INTERNAL_PREFIX):
        return None
    for prefix, service in _BY_LENGTH:
        if under(path, prefix):
            return service
    return None


def is_merchant_route(path: str) -> bool:
    return under(path, MERCHANT_PREFIX)
