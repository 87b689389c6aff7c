"""Merchant staff: sign-in through points, staff tokens on the merchant routes and nowhere else."""
import time

import pytest

from .conftest import add_merchant_key, bearer, signed

STAFF = {"staff_id": "staff-1", "merchant_id": "merchant-1", "store_id": "store-1", "role": "cashier",
         "login": "xiaoli", "name": "小李"}


@pytest.fixture
def staff_accounts(upstreams):
    upstreams["points"].state.staff[("merchant-1", "xiaoli")] = ("till-pass-123", STAFF)
    return upstreams


def sign_in(client, merchant_id="merchant-1", login="xiaoli", password="till-pass-123"):
    return client.post("/api/v1/merchant/staff/token",
                       json={"merchant_id": merchant_id, "login": login, "password": password})


def staff_bearer(client) -> dict:
    response = sign_in(client)
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def test_a_staff_password_buys_a_short_lived_staff_token(client, staff_accounts):
    response = sign_in(client)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["staff"] == {"id": "staff-1", "merchant_id": "merchant-1", "store_id": "store-1",
                             "login": "xiaoli", "name": "小李", "role": "cashier"}
    call = staff_accounts["points"].state.requests_to("/internal/merchant-staff/verify")[-1]
    assert call["claims"]["kind"] == "service"
    assert call["headers"]["X-Request-Id"] == response.headers["X-Request-Id"]


def test_wrong_credentials_throttling_and_bad_bodies_come_back_as_problems(client, staff_accounts):
    wrong = sign_in(client, password="nope-nope")
    assert wrong.status_code == 401 and wrong.mimetype == "application/problem+json"
    assert "staff" in wrong.headers["WWW-Authenticate"]
    staff_accounts["points"].state.throttled_staff.add("xiaoli")
    throttled = sign_in(client)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "42"
    bad = client.post("/api/v1/merchant/staff/token", json={"login": "xiaoli"})
    assert bad.status_code == 400 and {"merchant_id", "password"} <= set(bad.get_json()["errors"])


def test_the_staff_token_opens_the_merchant_routes_as_the_merchant_with_the_staff_id(client, staff_accounts):
    headers = staff_bearer(client)
    response = client.post("/api/v1/merchant/redemptions", headers=headers | {"Idempotency-Key": "k-1"},
                           json={"code": "123456789012", "items": [{"sku": "rice", "quantity": 1}]})
    assert response.status_code == 200, response.get_json()
    forwarded = staff_accounts["points"].state.received[-1]
    claims = forwarded["claims"]
    assert (claims["kind"], claims["sub"], claims["merchant_id"], claims["roles"]) == (
        "merchant", "staff:staff-1", "merchant-1", ["merchant_staff", "cashier"])
    assert claims["cv"] == 0  # the account's credentials version at sign-in (points checks it)
    assert "Authorization" not in forwarded["headers"]
    assert forwarded["headers"]["Idempotency-Key"] == "k-1"


def test_the_credentials_version_points_gave_at_sign_in_travels_with_every_request(client, staff_accounts):
    staff_accounts["points"].state.staff[("merchant-1", "xiaoli")] = (
        "till-pass-123", STAFF | {"credentials_version": 3})
    client.get("/api/v1/merchant/goods", headers=staff_bearer(client))
    assert staff_accounts["points"].state.received[-1]["claims"]["cv"] == 3


def test_a_staff_token_reaches_nothing_but_the_merchant_routes(client, staff_accounts):
    headers = staff_bearer(client)
    before = len(staff_accounts["points"].state.received)
    for method, path in [("GET", "/api/v1/points/me"), ("GET", "/api/v1/volunteers/me"),
                         ("POST", "/api/v1/merchants"), ("GET", "/api/v1/activities")]:
        response = client.open(path, method=method, headers=headers, json={} if method == "POST" else None)
        assert response.status_code == 403, (path, response.get_json())
        assert "staff token" in response.get_json()["detail"]
    assert len(staff_accounts["points"].state.received) == before


def test_a_person_token_never_reaches_the_merchant_routes(app, client, upstreams):
    for roles in ((), ("ops",)):
        response = client.get("/api/v1/merchant/goods", headers=bearer(app, roles=roles))
        assert response.status_code == 401 and "person" in response.get_json()["detail"]
    assert not upstreams["points"].state.requests_to("/api/v1/merchant/goods")


def test_forged_expired_or_malformed_staff_tokens_are_refused(app, client, staff_accounts):
    tokens = app.extensions["shanxing"].extra["gateway"].staff
    expired = tokens.issue(staff_id="staff-1", merchant_id="merchant-1", store_id="store-1", staff_role="manager",
                           now=time.time() - 3600).access_token
    for authorization in (f"Bearer {expired}", "Bearer not-a-token", "Bearer", "Basic eGlhb2xpOnRpbGw="):
        response = client.get("/api/v1/merchant/goods", headers={"Authorization": authorization})
        assert response.status_code == 401, authorization
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="shanxing merchant staff"')
    assert not staff_accounts["points"].state.requests_to("/api/v1/merchant/goods")


def test_a_signature_still_works_and_wins_over_a_bearer_header(client, upstreams):
    key = add_merchant_key(upstreams)
    headers = signed(key, "GET", "/api/v1/merchant/goods") | {"Authorization": "Bearer whatever"}
    response = client.get("/api/v1/merchant/goods", headers=headers)
    assert response.status_code == 200
    claims = upstreams["points"].state.received[-1]["claims"]
    assert (claims["kind"], claims["sub"]) == ("merchant", key["key_id"])


def test_staff_requests_count_against_a_per_staff_limit(make_gateway, staff_accounts):
    client = make_gateway(person_rate_per_minute=3).test_client()
    headers = staff_bearer(client)
    statuses = [client.get("/api/v1/merchant/goods", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
