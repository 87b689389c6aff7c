"""One structured log line per request, without query values."""
import pytest
from structlog.testing import capture_logs

from .conftest import add_merchant_key, bearer, signed


def access_lines(logs):
    return [line for line in logs if line.get("event") == "request" and "duration_ms" in line]


@pytest.fixture
def logged():
    with capture_logs() as logs:
        yield logs


def test_a_forwarded_request_is_logged_once_with_its_caller_and_service(client, app, logged):
    response = client.get("/api/v1/points/me/entries?limit=5&cursor=secret-cursor&limit=6",
                          headers={**bearer(app, "vol-9"), "X-Request-Id": "req-log-1"})
    assert response.status_code == 200
    (line,) = access_lines(logged)
    assert line["log_level"] == "info"
    assert {k: line[k] for k in ("method", "path", "query_keys", "status", "request_id", "caller", "upstream")} == {
        "method": "GET", "path": "/api/v1/points/me/entries", "query_keys": ["cursor", "limit"],
        "status": 200, "request_id": "req-log-1", "caller": "person", "upstream": "points"}
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "secret-cursor" not in repr(line) and "vol-9" not in repr(line)


def test_refusals_and_the_gateways_own_routes_are_logged(client, upstreams, logged):
    client.get("/api/v1/points/me")
    client.get("/healthz")
    client.post("/api/v1/auth/token", json={"phone": "13812345678", "password": "nope"})
    client.get("/api/v1/nowhere?code=123456")
    lines = access_lines(logged)
    summary = [(line["path"], line["status"], line["caller"], line["upstream"]) for line in lines]
    assert summary == [("/api/v1/points/me", 401, "anonymous", "points"),
                       ("/healthz", 200, "anonymous", None),
                       ("/api/v1/auth/token", 401, "anonymous", "registry"),
                       ("/api/v1/nowhere", 404, "anonymous", None)]
    assert "123456" not in repr(lines)
    assert all(line["request_id"] for line in lines)


def test_a_redemption_code_in_the_path_is_not_logged(client, app, logged):
    client.get("/api/v1/points/redemption-codes/123456789012/qr.svg", headers=bearer(app, "vol-9"))
    (line,) = access_lines(logged)
    assert line["path"] == "/api/v1/points/redemption-codes/…/qr.svg"
    assert "123456789012" not in repr(line)


def test_merchant_requests_are_logged_as_merchant(client, upstreams, logged):
    key = add_merchant_key(upstreams)
    target = "/api/v1/merchant/goods"
    client.get(target, headers=signed(key, "GET", target))
    (line,) = access_lines(logged)
    assert (line["caller"], line["upstream"], line["status"]) == ("merchant", "points", 200)


def test_the_line_is_json_on_stderr_once_logging_is_configured(app, capfd):
    import logging

    import structlog

    from shanxing_common import logs

    root = logging.getLogger()
    saved_handlers, saved_level, saved_flag = root.handlers[:], root.level, logs._configured
    saved_structlog = structlog.get_config()
    logs._configured = False
    try:
        logs.configure("gateway")
        app.test_client().get("/healthz?probe=k8s")
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        logs._configured = saved_flag
        structlog.configure(**saved_structlog)
        structlog.contextvars.clear_contextvars()
    import json

    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if '"duration_ms"' in line]
    assert len(lines) == 1
    assert lines[0]["path"] == "/healthz" and lines[0]["query_keys"] == ["probe"]
    assert lines[0]["service"] == "gateway" and lines[0]["upstream"] is None and lines[0]["status"] == 200 and lines[0]["event"] == "request"
