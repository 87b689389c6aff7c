"""The gateway forwards to real HTTP servers standing in for the services."""
import pytest

from shanxing_common import internal_auth
from shanxing_common.testing import TEST_INTERNAL_KEY

from .conftest import bearer, closed_port_url


def last(upstreams, service):
    return upstreams[service].state.received[-1]


@pytest.mark.parametrize("path, service", [
    ("/api/v1/volunteers/me", "registry"),
    ("/api/v1/volunteers/me/recommendations", "activities"),
    ("/api/v1/organizations", "registry"),
    ("/api/v1/statistics/overview", "activities"),
    ("/api/v1/points/me", "points"),
])
def test_requests_reach_the_service_owning_the_prefix(client, app, upstreams, path, service):
    response = client.get(path, headers=bearer(app))
    assert response.status_code == 200
    assert response.get_json()["service"] == service
    assert last(upstreams, service)["path"] == path


def test_method_target_body_and_chosen_headers_are_forwarded(client, app, upstreams):
    body = '{"name": "青年志愿者协会", "kind": "regional"}'.encode()
    response = client.post("/api/v1/organizations?dry_run=1&tag=%E5%A4%A7", data=body,
                           headers={**bearer(app), "Content-Type": "application/json; charset=utf-8",
                                    "Idempotency-Key": "idem-1", "Accept": "application/json",
                                    "Cookie": "session=secret", "X-Custom": "nope"})
    assert response.status_code == 200
    seen = last(upstreams, "registry")
    assert (seen["method"], seen["target"]) == ("POST", "/api/v1/organizations?dry_run=1&tag=%E5%A4%A7")
    assert seen["body"] == body.decode()
    headers = seen["headers"]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Idempotency-Key"] == "idem-1"
    assert headers["Accept"] == "application/json"
    for private in ("Authorization", "Cookie", "X-Custom"):
        assert private not in headers
    assert headers["X-Forwarded-For"] == "127.0.0.1"


def test_a_request_id_is_made_forwarded_and_returned(client, app, upstreams):
    response = client.get("/api/v1/points/me", headers=bearer(app))
    request_id = response.headers["X-Request-Id"]
    assert request_id and last(upstreams, "points")["headers"]["X-Request-Id"] == request_id

    response = client.get("/api/v1/points/me", headers={**bearer(app), "X-Request-Id": "req-abc"})
    assert response.headers["X-Request-Id"] == "req-abc"
    assert last(upstreams, "points")["headers"]["X-Request-Id"] == "req-abc"


def test_the_internal_token_carries_the_person(client, app, upstreams):
    client.get("/api/v1/volunteers/me", headers=bearer(app, "vol-42", ["volunteer", "reviewer"]))
    claims = last(upstreams, "registry")["claims"]
    assert claims["kind"] == "person"
    assert claims["sub"] == "vol-42"
    assert claims["roles"] == ["volunteer", "reviewer"]
    assert claims["aud"] == internal_auth.AUDIENCE
    assert claims["exp"] - claims["iat"] == internal_auth.TTL_SECONDS


def test_anonymous_callers_get_no_internal_token(client, upstreams):
    response = client.get("/api/v1/activities?status=published")
    assert response.status_code == 200
    seen = last(upstreams, "activities")
    assert seen["target"] == "/api/v1/activities?status=published"
    assert internal_auth.HEADER not in seen["headers"]


def test_a_client_cannot_bring_its_own_internal_token(client, upstreams):
    forged = internal_auth.mint(TEST_INTERNAL_KEY, kind="person", subject="ops-1", roles=["ops"])
    response = client.get("/api/v1/activities", headers={internal_auth.HEADER: forged})
    assert response.status_code == 200
    assert internal_auth.HEADER not in last(upstreams, "activities")["headers"]
    response = client.get("/api/v1/points/me", headers={internal_auth.HEADER: forged})
    assert response.status_code == 401


def test_status_body_and_chosen_response_headers_come_back(client, app, upstreams):
    response = client.post("/api/v1/points/redemption-codes?respond=201", headers=bearer(app))
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Location"] == "/api/v1/things/123"  # the service's address stays inside
    assert response.get_json()["service"] == "points"

    response = client.get("/api/v1/points/me?respond=429", headers=bearer(app))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"


def test_unknown_api_paths_are_404_problems(client, app, upstreams):
    for path in ("/api/v1/nothing-here", "/api/v2/volunteers", "/api/v1/volunteersX"):
        response = client.get(path, headers=bearer(app))
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/problem+json"
    assert all(not d.state.received for d in upstreams.values())


def test_internal_paths_are_never_reachable(client, app, upstreams):
    service_token = internal_auth.mint(TEST_INTERNAL_KEY, kind="service", subject="x")
    for path in ("/internal/feed", "/internal/auth/verify", "/internal/merchant-keys/mk_1"):
        response = client.get(path, headers={internal_auth.HEADER: service_token, **bearer(app)})
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/problem+json"
    assert client.post("/internal/auth/verify", json={}).status_code == 404
    assert all(not d.state.received for d in upstreams.values())


def test_dot_segments_are_refused(client, app, upstreams):
    response = client.get("/api/v1/merchant/../points/me", headers=bearer(app))
    assert response.status_code == 400
    assert not upstreams["points"].state.received


def test_a_service_that_is_down_is_a_502_naming_it(make_gateway, upstreams):
    app = make_gateway(peers={"registry": upstreams["registry"].url, "activities": closed_port_url(),
                              "points": upstreams["points"].url})
    response = app.test_client().get("/api/v1/activities")
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["service"] == "activities"
    assert "activities" in response.get_json()["detail"]


def test_a_service_that_does_not_answer_in_time_is_a_504(client, app, upstreams):
    response = client.get("/api/v1/points/me/slow", headers=bearer(app))
    assert response.status_code == 504
    assert response.get_json()["service"] == "points"


def test_connections_are_pooled_per_process(app, client, upstreams):
    gw = app.extensions["shanxing"].extra["gateway"]
    assert gw.upstreams.pool("activities") is gw.upstreams.pool("activities")
    for _ in range(3):
        assert client.get("/api/v1/activities").status_code == 200
    assert gw.upstreams.pool("activities").num_connections == 1


def test_a_service_address_with_a_path_prefix_keeps_it(upstreams):
    from shanxing_gateway.adapters.upstream import Upstreams

    peers = Upstreams({"activities": upstreams["activities"].url + "/"}, connect_timeout=1, read_timeout=5)
    assert peers.request("activities", "GET", "/api/v1/activities").status_code == 200
    prefixed = Upstreams({"activities": upstreams["activities"].url + "/prefix/"}, connect_timeout=1,
                         read_timeout=5)
    prefixed.request("activities", "GET", "/api/v1/activities")
    assert upstreams["activities"].state.received[-1]["path"].startswith("/prefix/api/v1/activities")


def test_cookies_set_by_a_service_are_not_kept(client, app, upstreams):
    first = client.get("/api/v1/activities?set_cookie=1")
    assert "Set-Cookie" not in first.headers  # not passed back either
    client.get("/api/v1/activities")
    assert "Cookie" not in upstreams["activities"].state.received[-1]["headers"]
