"""A small real HTTP server standing in for registry / activities / points in gateway tests.

It records every request it receives (method, raw target, headers, body, internal-token claims)
and echoes them back, so tests can check what the gateway forwarded. It is a test double for the
upstream only; the end-to-end suite runs the real services.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import jwt
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shanxing_common import internal_auth
from shanxing_common.testing import TEST_INTERNAL_KEY


@dataclass
class UpstreamState:
    ready: bool = True
    openapi: dict | None = None
    # registry: phone -> (password, subject, roles); phones answered 429
    accounts: dict = field(default_factory=dict)
    throttled: set = field(default_factory=set)
    # points: key_id -> {key_id, merchant_id, secret, status}
    merchant_keys: dict = field(default_factory=dict)
    # points: (merchant_id, login) -> (password, verified answer); logins answered 429
    staff: dict = field(default_factory=dict)
    throttled_staff: set = field(default_factory=set)
    received: list = field(default_factory=list)

    def reset(self):
        self.__init__()

    def requests_to(self, path: str) -> list[dict]:
        return [r for r in self.received if r["path"] == path]


def claims_of(token: str | None) -> dict | None:
    if not token:
        return None
    return jwt.decode(token, TEST_INTERNAL_KEY, algorithms=["HS256"], audience=internal_auth.AUDIENCE)


def _json(body, status=200, headers=None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers or {}, mimetype="application/json")


class UpstreamDouble:
    def __init__(self, name: str):
        self.name = name
        self.state = UpstreamState()
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def wsgi(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        token = request.headers.get(internal_auth.HEADER)
        record = {"method": request.method, "path": request.path,
                  "target": environ.get("RAW_URI") or environ.get("REQUEST_URI"),
                  "headers": dict(request.headers), "body": body.decode("utf-8", "replace"),
                  "claims": claims_of(token)}
        self.state.received.append(record)
        return self.respond(request, record)(environ, start_response)

    def respond(self, request: Request, record: dict) -> Response:
        state = self.state
        if request.path == "/readyz":
            return _json({"status": "ready"}) if state.ready else _json({"status": "unavailable"}, 503)
        if request.path == "/openapi.json":
            return _json(state.openapi) if state.openapi is not None else _json({}, 404)
        if request.path.startswith("/internal/"):
            if (record["claims"] or {}).get("kind") != "service":
                return _json({"detail": "service callers only"}, 401)
        if request.path == "/internal/auth/verify":
            credentials = json.loads(record["body"])
            if credentials["phone"] in state.throttled:
                return _json({"type": "about:blank", "title": "Too Many Requests", "status": 429,
                              "detail": "too many failed attempts"}, 429, {"Retry-After": "42"})
            account = state.accounts.get(credentials["phone"])
            if account is None or account[0] != credentials["password"]:
                return _json({"type": "about:blank", "title": "Unauthorized", "status": 401,
                              "detail": "wrong phone or password"}, 401)
            return _json({"subject": account[1], "roles": list(account[2]), "display_name": "张*明"})
        if request.path == "/internal/merchant-staff/verify":
            credentials = json.loads(record["body"])
            if credentials["login"] in state.throttled_staff:
                return _json({"type": "about:blank", "title": "Too Many Requests", "status": 429,
                              "detail": "too many failed attempts"}, 429, {"Retry-After": "42"})
            account = state.staff.get((credentials["merchant_id"], credentials["login"]))
            if account is None or account[0] != credentials["password"]:
                return _json({"type": "about:blank", "title": "Unauthorized", "status": 401,
                              "detail": "invalid merchant, login or password"}, 401)
            return _json(account[1])
        if request.path.startswith("/internal/merchant-keys/"):
            key = state.merchant_keys.get(request.path.rsplit("/", 1)[1])
            return _json(key) if key else _json({"detail": "no such key"}, 404)
        if request.path.endswith("/slow"):
            time.sleep(2)
        respond_with = int(request.args.get("respond", "200"))
        headers = {}
        if respond_with == 429:
            headers["Retry-After"] = "7"
        if "set_cookie" in request.args:
            headers["Set-Cookie"] = "session=someone-else; Path=/"
        if respond_with == 405:
            headers["Allow"] = "GET, HEAD, OPTIONS"
        if respond_with == 201:
            headers["Location"] = f"{self.url}/api/v1/things/123"
        echo = {"service": self.name, **{k: record[k] for k in ("method", "path", "target", "body")}}
        return _json(echo, respond_with, headers)
