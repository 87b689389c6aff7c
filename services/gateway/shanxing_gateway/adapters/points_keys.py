"""Merchant key secrets, read from points (which owns merchants and their keys)."""
from __future__ import annotations

from urllib.parse import quote

from shanxing_common import internal_auth

from ..auth.merchants import MerchantKey
from .upstream import UpstreamUnavailable, Upstreams


def service_token(internal_key: str, request_id: str | None = None) -> str:
    """The gateway calling a service on its own behalf."""
    return internal_auth.mint(internal_key, kind="service", subject="gateway", request_id=request_id)


def fetch_merchant_key(upstreams: Upstreams, internal_key: str, key_id: str) -> MerchantKey | None:
    """GET {points}/internal/merchant-keys/<key_id>: the key, or None when points does not know it."""
    response = upstreams.request(
        "points", "GET", f"/internal/merchant-keys/{quote(key_id, safe='')}",
        headers={internal_auth.HEADER: service_token(internal_key), "Accept": "application/json"})
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise UpstreamUnavailable("points", f"points answered {response.status_code} for a merchant key")
    try:
        body = response.json()
        return MerchantKey(key_id=str(body["key_id"]), merchant_id=str(body["merchant_id"]),
                           secret=str(body["secret"]), status=str(body["status"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise UpstreamUnavailable("points", "points sent a malformed merchant key") from exc
