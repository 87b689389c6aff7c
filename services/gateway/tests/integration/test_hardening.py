"""Body size, JSON bodies, methods, OPTIONS and CORS at the entrance."""
import threading

import pytest
import requests
from werkzeug.serving import make_server

from .conftest import add_merchant_key, bearer, signed

ORIGIN = "https://app.example.org"


def api_requests(upstreams, service="registry"):
    return [r for r in upstreams[service].state.received if r["path"].startswith("/api/")]


@pytest.fixture
def serve():
    """serve(app) → base URL of the app on a real socket (for chunked bodies)."""
    servers = []

    def start(app):
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# --- body size ---------------------------------------------------------------------------------

def test_a_body_over_one_mebibyte_is_413_and_not_forwarded(client, app, upstreams):
    body = b'{"text": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post("/api/v1/organizations", data=body,
                           headers={**bearer(app), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "1048576 bytes" in response.get_json()["detail"]
    assert api_requests(upstreams) == []


def test_a_body_of_exactly_the_limit_passes(make_gateway, upstreams):
    app = make_gateway(max_body_bytes=64)
    body = b'{"note": "' + b"y" * 52 + b'"}'
    assert len(body) == 64
    response = app.test_client().post("/api/v1/organizations", data=body,
                                      headers={**bearer(app), "Content-Type": "application/json"})
    assert response.status_code == 200
    assert api_requests(upstreams)[-1]["body"] == body.decode()


def test_the_login_body_is_limited_too(make_gateway, upstreams):
    client = make_gateway(max_body_bytes=64).test_client()
    response = client.post("/api/v1/auth/token", json={"phone": "13812345678", "password": "p" * 100})
    assert response.status_code == 413
    assert upstreams["registry"].state.received == []


def test_a_chunked_body_over_the_limit_is_413(make_gateway, upstreams, serve):
    app = make_gateway(max_body_bytes=1000)
    base = serve(app)

    def chunks():
        for _ in range(40):
            yield b"z" * 100

    response = requests.post(base + "/api/v1/organizations", data=chunks(), timeout=10,
                             headers={**bearer(app), "Content-Type": "application/octet-stream"})
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert api_requests(upstreams) == []


def test_a_chunked_body_within_the_limit_is_forwarded_whole(make_gateway, upstreams, serve):
    app = make_gateway(max_body_bytes=1000)
    base = serve(app)
    response = requests.post(base + "/api/v1/organizations", data=iter([b"a" * 500, b"b" * 500]), timeout=10,
                             headers={**bearer(app), "Content-Type": "application/octet-stream"})
    assert response.status_code == 200
    assert api_requests(upstreams)[-1]["body"] == "a" * 500 + "b" * 500


# --- JSON bodies -------------------------------------------------------------------------------

@pytest.mark.parametrize("body, message", [
    (b"[]", "must be a JSON object"),
    (b'["name"]', "must be a JSON object"),
    (b'"text"', "must be a JSON object"),
    (b"42", "must be a JSON object"),
    (b"null", "must be a JSON object"),
    (b'{"name": ', "not valid JSON"),
    (b"\xff\xfe{", "not valid JSON"),
    (b"[" * 100_000, "not valid JSON"),
])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_json_bodies_that_are_not_objects_are_400(client, app, upstreams, method, body, message):
    response = client.open("/api/v1/organizations/o1", method=method, data=body,
                           headers={**bearer(app), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["errors"] == {"body": [message]}
    assert api_requests(upstreams) == []


@pytest.mark.parametrize("method, body, content_type", [
    ("POST", b'{"name": "x"}', "application/json"),
    ("POST", b'{"name": "x"}', "application/merge-patch+json"),
    ("POST", b"", "application/json"),  # no body: the service decides
    ("PUT", b"[1, 2]", "application/json"),  # only POST and PATCH are checked
    ("POST", b"[1, 2]", "text/plain"),  # not declared JSON: the service decides
    ("DELETE", b"", None),
])
def test_other_bodies_are_left_to_the_service(client, app, upstreams, method, body, content_type):
    headers = {**bearer(app), **({"Content-Type": content_type} if content_type else {})}
    response = client.open("/api/v1/organizations/o1", method=method, data=body, headers=headers)
    assert response.status_code == 200
    assert api_requests(upstreams)[-1]["body"] == body.decode()


def test_a_signed_merchant_body_is_checked_after_the_signature(client, upstreams):
    key = add_merchant_key(upstreams)
    target, body = "/api/v1/merchant/goods", b"[]"
    unsigned = client.post(target, data=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    response = client.post(target, data=body, headers={**signed(key, "POST", target, body),
                                                       "Content-Type": "application/json"})
    assert response.status_code == 400
    assert api_requests(upstreams, "points") == []


# --- methods and OPTIONS -----------------------------------------------------------------------

def allow(response) -> set[str]:
    return {m.strip() for m in response.headers["Allow"].split(",")}


def test_an_unknown_method_is_405_with_allow(client, app, upstreams):
    response = client.open("/api/v1/points/me", method="TRACE", headers=bearer(app))
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Allow"] == "GET, HEAD, POST, PUT, PATCH, DELETE"
    assert api_requests(upstreams, "points") == []


@pytest.mark.parametrize("method, path, allowed", [
    ("POST", "/healthz", {"GET", "HEAD"}),
    ("DELETE", "/openapi.json", {"GET", "HEAD"}),
    ("GET", "/api/v1/auth/token", {"POST"}),
    ("PUT", "/api/v1/auth/token", {"POST"}),
])
def test_the_gateways_own_routes_answer_405_with_allow(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
    assert allow(response) == allowed


def test_a_services_405_comes_back_with_its_allow(client, app):
    response = client.post("/api/v1/points/me?respond=405", headers=bearer(app))
    assert response.status_code == 405
    assert allow(response) == {"GET", "HEAD"}  # no OPTIONS while CORS is off


def test_options_is_405_while_cors_is_off(client, upstreams):
    for path in ("/api/v1/activities", "/api/v1/auth/token", "/healthz"):
        response = client.open(path, method="OPTIONS", headers={"Origin": ORIGIN,
                                                                 "Access-Control-Request-Method": "GET"})
        assert response.status_code == 405, path
        assert "OPTIONS" not in allow(response)
        assert "Access-Control-Allow-Origin" not in response.headers
    assert api_requests(upstreams, "activities") == []


# --- CORS --------------------------------------------------------------------------------------

@pytest.fixture
def cors_client(make_gateway):
    return make_gateway(cors_origins=(ORIGIN, "http://localhost:5173")).test_client()


def test_a_preflight_from_an_allowed_origin_is_answered_by_the_gateway(cors_client, upstreams):
    response = cors_client.open("/api/v1/points/me", method="OPTIONS", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.headers["Vary"]
    assert {"GET", "POST", "PATCH", "DELETE"} <= {m.strip() for m in
                                                 response.headers["Access-Control-Allow-Methods"].split(",")}
    allowed_headers = response.headers["Access-Control-Allow-Headers"]
    assert "Authorization" in allowed_headers and "Idempotency-Key" in allowed_headers
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "OPTIONS" in allow(response)
    assert api_requests(upstreams, "points") == []  # no credentials needed, nothing forwarded


def test_a_preflight_from_another_origin_gets_no_cors_headers(cors_client):
    response = cors_client.open("/api/v1/points/me", method="OPTIONS",
                                headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_answers_to_an_allowed_origin_carry_cors_headers(cors_client, app, make_gateway):
    response = cors_client.get("/api/v1/activities", headers={"Origin": "http://localhost:5173"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "X-Request-Id" in response.headers["Access-Control-Expose-Headers"]
    refused = cors_client.get("/api/v1/points/me", headers={"Origin": ORIGIN})  # errors too
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == ORIGIN
    other = cors_client.get("/api/v1/activities", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_an_unknown_path_stays_404_for_options(cors_client):
    for path in ("/nowhere", "/api/v1/nowhere"):
        assert cors_client.open(path, method="OPTIONS", headers={"Origin": ORIGIN}).status_code == 404, path


def test_a_preflight_for_login_lists_only_post(cors_client):
    response = cors_client.open("/api/v1/auth/token", method="OPTIONS", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    assert allow(response) == {"POST", "OPTIONS"}
