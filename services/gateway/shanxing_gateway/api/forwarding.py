"""The catch-all for /api: authenticate, authorize coarsely, forward to the owning service."""
from __future__ import annotations

import json

from flask import Blueprint, Flask, Request, current_app, g, request

from shanxing_common import internal_auth
from shanxing_common.problems import Problem

from ..auth.guard import authenticate
from ..proxy import forward, has_dot_segments, path_with_query
from ..routing import INTERNAL_PREFIX, service_for, under
from ..runtime import gateway

FORWARDED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]

forwarding = Blueprint("forwarding", __name__)


@forwarding.route("/api/<path:_rest>", methods=FORWARDED_METHODS)
def forward_api(_rest: str):
    path = request.path
    if has_dot_segments(path):
        raise Problem(400, "the path may not contain '.' or '..' segments")
    service = service_for(path)
    if service is None:
        methods = own_route_methods(path)
        if methods:  # e.g. GET /api/v1/auth/token: the path is the gateway's own, the method is not
            raise Problem(405, f"{request.method} is not allowed here", headers={"Allow": ", ".join(methods)})
        raise Problem(404, f"no route for {path}")
    g.upstream_service = service
    gw = gateway()
    target = path_with_query(request.environ)
    identity = authenticate(gw, request, path, target)
    g.caller_kind = identity.kind
    require_json_object(request)
    return forward(gw, service, request, target, identity, g.request_id)


# Bodies the gateway looks into: the services expect an object from these methods.
JSON_OBJECT_METHODS = frozenset({"POST", "PATCH"})


def require_json_object(request: Request) -> None:
    """A JSON body on POST/PATCH must be one JSON object; everything else is left to the service."""
    if request.method not in JSON_OBJECT_METHODS or not request.is_json:
        return
    body = request.get_data(cache=True)
    if not body.strip():
        return
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise Problem(400, "the body is not valid JSON", errors={"body": ["not valid JSON"]}) from None
    if not isinstance(document, dict):
        raise Problem(400, "the JSON body must be an object", errors={"body": ["must be a JSON object"]})


def own_route_methods(path: str) -> list[str]:
    """Methods of the gateway's own /api routes at exactly this path (none: not one of them)."""
    methods: set[str] = set()
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint != "forwarding.forward_api" and not rule.arguments and rule.rule == path:
            methods |= rule.methods or set()
    return sorted(methods - {"OPTIONS"})


class DropInternalToken:
    """WSGI middleware: a client may not present an internal token; the gateway mints its own."""

    ENVIRON_KEY = "HTTP_" + internal_auth.HEADER.upper().replace("-", "_")

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ.pop(self.ENVIRON_KEY, None)
        return self.wsgi_app(environ, start_response)


def register(app: Flask) -> None:
    app.register_blueprint(forwarding)
    app.wsgi_app = DropInternalToken(app.wsgi_app)

    @app.before_request
    def _internal_paths_are_not_public():
        # The gateway's own /internal routes (the shared event feed) are not part of the entrance.
        if under(request.path, INTERNAL_PREFIX):
            raise Problem(404, "not found")
