"""Request hardening at the entrance: body size, methods, OPTIONS/CORS, per-address limits.

These run before anything is authenticated or forwarded, so a refused request costs little.
"""
from __future__ import annotations

import time

from flask import Flask, Response, request

from shanxing_common.problems import Problem

from .api.forwarding import own_route_methods
from .config import GatewayConfig, normalise_origin
from .proxy import client_address
from .ratelimit import RateLimited
from .routing import service_for, under
from .runtime import gateway

# Public routes a stranger can hammer: each address gets a generous allowance per minute (many
# people share one address: a community station's NAT, a school).
ADDRESS_LIMITED_ROUTES = frozenset({("POST", "/api/v1/auth/token"), ("POST", "/api/v1/volunteers"),
                                    ("POST", "/api/v1/volunteers/activate"),
                                    ("POST", "/api/v1/merchant/staff/token")})

# What browsers may send and read when CORS is on.
CORS_ALLOWED_HEADERS = ("Authorization", "Content-Type", "Accept", "Accept-Language", "Idempotency-Key",
                        "X-Request-Id", "X-Shanxing-Key", "X-Shanxing-Timestamp", "X-Shanxing-Nonce",
                        "X-Shanxing-Signature")
CORS_EXPOSED_HEADERS = ("X-Request-Id", "Retry-After", "Location", "WWW-Authenticate")
CORS_MAX_AGE_SECONDS = 600


def is_address_limited(method: str, path: str) -> bool:
    return (method, path.rstrip("/") or "/") in ADDRESS_LIMITED_ROUTES


def allowed_methods(app: Flask, cors: bool) -> list[str]:
    """The methods the routing table has for this request's path (OPTIONS only with CORS)."""
    if under(request.path, "/api") and service_for(request.path) is None:
        methods = set(own_route_methods(request.path))  # the /api catch-all forwards nothing here
    else:
        methods = set(app.url_map.bind_to_environ(request.environ).allowed_methods(request.path))
    methods.discard("OPTIONS")
    if cors and methods:
        methods.add("OPTIONS")
    return in_order(methods)


METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def in_order(methods) -> list[str]:
    return sorted(methods, key=lambda m: (METHOD_ORDER.index(m) if m in METHOD_ORDER else len(METHOD_ORDER), m))


def origin_allowed(config: GatewayConfig, origin: str | None) -> bool:
    if not origin or not config.cors_enabled:
        return False
    return "*" in config.cors_origins or normalise_origin(origin) in config.cors_origins


def register(app: Flask, config: GatewayConfig) -> None:
    # Werkzeug stops reading a body without Content-Length (chunked) at MAX_CONTENT_LENGTH and hands
    # over what it read, silently cut short; one byte more tells a body over the limit apart.
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes + 1

    @app.before_request
    def _limit_body():
        length = request.content_length
        if length is None and request.environ.get("wsgi.input_terminated"):
            length = len(request.get_data(cache=True))  # chunked: read it now, within the cap
        if length is not None and length > config.max_body_bytes:
            raise Problem(413, f"the body may be at most {config.max_body_bytes} bytes")

    @app.before_request
    def _options():
        if request.method != "OPTIONS" or request.routing_exception is not None:
            return None
        methods = allowed_methods(app, config.cors_enabled)
        if not methods:
            raise Problem(404, f"no route for {request.path}")
        if not config.cors_enabled:
            raise Problem(405, "OPTIONS is not served", headers={"Allow": ", ".join(methods)})
        return preflight(config, methods)

    @app.before_request
    def _limit_addresses():
        if not is_address_limited(request.method, request.path):
            return
        gw = gateway()
        address = client_address(gw, request)
        if address is None:
            return
        try:
            gw.address_limit.hit(address, time.time())
        except RateLimited as exc:
            raise Problem(429, exc.detail, headers={"Retry-After": str(exc.retry_after)}) from exc

    @app.after_request
    def _cors_and_allow(response: Response) -> Response:
        if "Allow" in response.headers:  # one order everywhere; OPTIONS only when it is served
            methods = {m.strip() for m in response.headers["Allow"].split(",") if m.strip()}
            if not config.cors_enabled:
                methods.discard("OPTIONS")
            response.headers["Allow"] = ", ".join(in_order(methods))
        origin = request.headers.get("Origin")
        if origin_allowed(config, origin):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers.add("Vary", "Origin")
            if request.method != "OPTIONS":
                response.headers["Access-Control-Expose-Headers"] = ", ".join(CORS_EXPOSED_HEADERS)
        return response


def preflight(config: GatewayConfig, methods: list[str]) -> Response:
    """204 for OPTIONS: the methods of the path, and (for an allowed origin) what a browser may send.

    Preflights carry no credentials, so they are answered here and never forwarded."""
    response = Response(status=204)
    response.headers["Allow"] = ", ".join(methods)
    if origin_allowed(config, request.headers.get("Origin")):
        response.headers["Access-Control-Allow-Methods"] = ", ".join(m for m in methods if m != "OPTIONS")
        response.headers["Access-Control-Allow-Headers"] = ", ".join(CORS_ALLOWED_HEADERS)
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE_SECONDS)
    return response
