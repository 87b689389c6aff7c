"""The catch-all for /api: authenticate, authorize coarsely, forward to the owning service."""
from __future__ import annotations

from flask import Blueprint, Flask, g, request

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
        raise Problem(404, f"no route for {path}")
    gw = gateway()
    target = path_with_query(request.environ)
    identity = authenticate(gw, request, path, target)
    return forward(gw, service, request, target, identity, g.request_id)


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
