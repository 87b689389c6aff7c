import time

import jwt
import pytest

from .conftest import JWT_SECRET, bearer, closed_port_url

VOLUNTEER = ("13812345678", "correct horse battery", "vol-1", ["volunteer"])
OPS = ("19900000000", "shanxing-ops-dev", "ops-1", ["volunteer", "ops"])


@pytest.fixture
def accounts(upstreams):
    for phone, password, subject, roles in (VOLUNTEER, OPS):
        upstreams["registry"].state.accounts[phone] = (password, subject, roles)
    return upstreams


def login(client, phone, password):
    return client.post("/api/v1/auth/token", json={"phone": phone, "password": password})


def test_a_password_buys_a_token(client, accounts):
    response = login(client, VOLUNTEER[0], VOLUNTEER[1])
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = jwt.decode(body["access_token"], JWT_SECRET, algorithms=["HS256"], issuer="shanxing")
    assert claims["sub"] == "vol-1" and claims["roles"] == ["volunteer"]
    assert claims["exp"] - claims["iat"] == 3600

    verify_call = accounts["registry"].state.requests_to("/internal/auth/verify")[-1]
    assert verify_call["claims"]["kind"] == "service" and verify_call["claims"]["sub"] == "gateway"
    assert verify_call["headers"]["X-Request-Id"] == response.headers["X-Request-Id"]


def test_the_token_then_opens_protected_routes(client, accounts):
    token = login(client, OPS[0], OPS[1]).get_json()["access_token"]
    response = client.get("/api/v1/volunteers/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    claims = accounts["registry"].state.received[-1]["claims"]
    assert (claims["kind"], claims["sub"], claims["roles"]) == ("person", "ops-1", ["volunteer", "ops"])


@pytest.mark.parametrize("body, fields", [
    ({}, {"phone", "password"}),
    ({"phone": "13812345678"}, {"password"}),
    ({"phone": "12345", "password": "whatever1"}, {"phone"}),
    ({"phone": 13812345678, "password": "whatever1"}, {"phone"}),
    ({"phone": "13812345678", "password": ""}, {"password"}),
])
def test_a_bad_body_is_400_naming_the_fields(client, accounts, body, fields):
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(response.get_json()["errors"]) == fields
    assert not accounts["registry"].state.received


def test_wrong_credentials_are_401(client, accounts):
    response = login(client, VOLUNTEER[0], "wrong password")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "WWW-Authenticate" in response.headers
    assert "access_token" not in response.get_json()


def test_throttling_is_passed_through_with_retry_after(client, accounts):
    accounts["registry"].state.throttled.add(VOLUNTEER[0])
    response = login(client, VOLUNTEER[0], VOLUNTEER[1])
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "42"
    assert response.headers["Content-Type"] == "application/problem+json"


def test_registry_down_is_502(make_gateway, upstreams):
    app = make_gateway(peers={"registry": closed_port_url(), "activities": upstreams["activities"].url,
                              "points": upstreams["points"].url})
    response = login(app.test_client(), VOLUNTEER[0], VOLUNTEER[1])
    assert response.status_code == 502
    assert response.get_json()["service"] == "registry"


@pytest.mark.parametrize("authorization", [
    None, "Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz",
    "Bearer " + jwt.encode({"sub": "vol-1", "roles": ["ops"], "iat": 1, "exp": 4_000_000_000, "iss": "shanxing"},
                           "someone-elses-secret-0123456789abcdef", algorithm="HS256"),
])
def test_protected_routes_need_a_valid_token(client, upstreams, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/api/v1/points/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert not upstreams["points"].state.received


def test_an_expired_token_is_401(client, app, upstreams):
    people = app.extensions["shanxing"].extra["gateway"].people
    expired = people.issue("vol-1", [], now=time.time() - people.ttl_seconds - 1).access_token
    response = client.get("/api/v1/points/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/v1/volunteers"),
    ("GET", "/api/v1/certificates/CERT-2026-0001"),
    ("GET", "/api/v1/activities"),
    ("GET", "/api/v1/activities/act-1"),
    ("GET", "/api/v1/leaderboards?period=week&scope=volunteer"),
])
def test_public_routes_work_without_a_token_and_forward_one_when_given(client, app, upstreams, method, path):
    assert client.open(path, method=method, json={} if method == "POST" else None).status_code == 200
    service = "registry" if "volunteers" in path or "certificates" in path else "activities"
    assert upstreams[service].state.received[-1]["claims"] is None

    client.open(path, method=method, headers=bearer(app, "vol-7"), json={} if method == "POST" else None)
    assert upstreams[service].state.received[-1]["claims"]["sub"] == "vol-7"

    response = client.open(path, method=method, headers={"Authorization": "Bearer broken"})
    assert response.status_code == 401


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/activities/act-1/signups"),
    ("POST", "/api/v1/activities"),
    ("GET", "/api/v1/volunteers/me"),
    ("POST", "/api/v1/activities/act-1/signups"),
])
def test_near_public_routes_still_need_a_token(client, method, path):
    assert client.open(path, method=method).status_code == 401


def test_creating_a_merchant_needs_the_ops_role(client, app, upstreams):
    response = client.post("/api/v1/merchants", json={"name": "美德超市", "address": "x"},
                           headers=bearer(app, "vol-1", ["volunteer"]))
    assert response.status_code == 403
    assert not upstreams["points"].state.received
    response = client.post("/api/v1/merchants", json={"name": "美德超市", "address": "x"},
                           headers=bearer(app, "ops-1", ["ops"]))
    assert response.status_code == 200
    assert upstreams["points"].state.received[-1]["claims"]["roles"] == ["ops"]


def test_a_person_token_never_reaches_merchant_routes(client, app, upstreams):
    response = client.get("/api/v1/merchant/goods", headers=bearer(app, "ops-1", ["ops"]))
    assert response.status_code == 401
    assert "merchant signature" in response.get_json()["detail"]
    assert not upstreams["points"].state.received
