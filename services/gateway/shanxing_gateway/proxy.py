"""Forwarding a public request to the service that owns it, and its answer back."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Request, Response, g

from shanxing_common import internal_auth
from shanxing_common.problems import Problem
from shanxing_common.web import REQUEST_ID_HEADER

from . import addresses
from .adapters.upstream import UpstreamTimeout, UpstreamUnavailable
from .auth import Identity
from .runtime import Gateway

# Request headers passed on as they are; everything else (cookies, Authorization, any
# X-Shanxing-Internal-Token a client made up) stays at the gateway.
FORWARDED_REQUEST_HEADERS = ("Content-Type", "Idempotency-Key", "Accept", "Accept-Language")
# Response headers passed back.
# What a service may tell the client beyond the body (never cookies or server internals).
RETURNED_RESPONSE_HEADERS = ("Content-Type", "Retry-After", "Location", "Allow", "Cache-Control",
                             "Content-Disposition", "Idempotent-Replayed", "ETag", "Last-Modified")


def path_with_query(environ: dict) -> str:
    """The target as sent on the request line: what merchants sign and what the service gets."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        if not raw.startswith("/"):  # absolute-form request target (http://host/path?query)
            parts = urlsplit(raw)
            raw = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return _wsgi_text(raw)
    # WSGI hands PATH_INFO over decoded (as latin-1); quote it back the way clients send it.
    path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/:@!$&'()*+,;=-._~")
    query = environ.get("QUERY_STRING", "")
    return path + (f"?{query}" if query else "")


def _wsgi_text(value: str) -> str:
    """WSGI servers hand the raw target over as latin-1 text; clients sign UTF-8 text."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def has_dot_segments(path: str) -> bool:
    return any(segment in (".", "..") for segment in path.split("/"))


def client_address(gw: Gateway, request: Request) -> str | None:
    """The caller's address: the peer, or the first hop trusted proxies vouch for (once per request)."""
    if "client_address" not in g:
        trusted = gw.config.trusted_proxies  # without trusted proxies X-Forwarded-For is never read
        forwarded_for = request.headers.getlist("X-Forwarded-For") if trusted else ()
        g.client_address = addresses.client_address(request.remote_addr, forwarded_for, trusted)
    return g.client_address


def upstream_headers(gw: Gateway, request: Request, identity: Identity, request_id: str) -> dict:
    headers = {name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers}
    headers[REQUEST_ID_HEADER] = request_id
    address = client_address(gw, request)
    if address:
        # The gateway is the public edge: it states the address, it does not relay a client's claim.
        headers["X-Forwarded-For"] = address
    token = gw.internal_token(identity)
    if token:
        headers[internal_auth.HEADER] = token
    return headers


def forward(gw: Gateway, service: str, request: Request, target: str, identity: Identity,
            request_id: str) -> Response:
    body = request.get_data(cache=True)
    try:
        upstream = gw.upstreams.request(service, request.method, target,
                                        headers=upstream_headers(gw, request, identity, request_id),
                                        data=body or None)
    except UpstreamTimeout as exc:
        raise Problem(504, exc.detail, service=exc.service) from exc
    except UpstreamUnavailable as exc:
        raise Problem(502, exc.detail, service=exc.service) from exc
    response = Response(upstream.content, status=upstream.status_code)
    response.headers.remove("Content-Type")
    base = gw.upstreams.base_url(service)
    for name in RETURNED_RESPONSE_HEADERS:
        value = upstream.headers.get(name)
        if value is None:
            continue
        if name == "Location" and value.startswith(base + "/"):
            value = value[len(base):]  # the service's own address is not public
        response.headers[name] = value
    return response
