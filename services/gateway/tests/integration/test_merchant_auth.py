import json
import threading
import time
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from shanxing_gateway.adapters.models import merchant_nonces
from shanxing_gateway.auth import guard
from shanxing_gateway.auth.merchants import ReplayGuard

from .conftest import add_merchant_key, bearer, signed

GOODS = "/api/v1/merchant/goods"


@pytest.fixture
def key(upstreams):
    return add_merchant_key(upstreams, merchant_id="merchant-7")


def test_a_signed_request_reaches_points_as_the_merchant(client, upstreams, key):
    target = GOODS + "?limit=5&sku=RICE%205KG"
    response = client.get(target, headers=signed(key, "GET", target))
    assert response.status_code == 200, response.get_json()
    seen = upstreams["points"].state.received[-1]
    assert seen["target"] == target
    claims = seen["claims"]
    assert (claims["kind"], claims["merchant_id"], claims["sub"]) == ("merchant", "merchant-7", key["key_id"])
    for header in ("X-Shanxing-Key", "X-Shanxing-Signature"):
        assert header not in seen["headers"]


def test_the_key_is_fetched_from_points_with_a_service_token(client, upstreams, key):
    client.get(GOODS, headers=signed(key, "GET", GOODS))
    fetch = upstreams["points"].state.requests_to(f"/internal/merchant-keys/{key['key_id']}")
    assert len(fetch) == 1
    assert fetch[0]["claims"]["kind"] == "service"


def test_a_signed_body_is_forwarded_as_signed(client, upstreams, key):
    body = json.dumps({"code": "83920175", "items": [{"sku": "RICE-5KG", "quantity": 1}]}).encode()
    target = "/api/v1/merchant/redemptions"
    response = client.post(target, data=body, headers={
        **signed(key, "POST", target, body), "Content-Type": "application/json", "Idempotency-Key": "till-1-0001"})
    assert response.status_code == 200
    seen = upstreams["points"].state.received[-1]
    assert seen["body"] == body.decode() and seen["headers"]["Idempotency-Key"] == "till-1-0001"


@pytest.mark.parametrize("tamper", ["secret", "body", "path", "query", "method"])
def test_a_wrong_signature_is_401(client, upstreams, key, tamper):
    body = b'{"sku":"RICE-5KG","name":"rice","points":50,"stock":10}'
    target = GOODS + "?source=till"
    headers = signed(key, "POST", target, body, secret="wrong" if tamper == "secret" else None)
    sent_target = {"path": "/api/v1/merchant/goods/x?source=till", "query": GOODS + "?source=app"}.get(tamper, target)
    sent_body = body.replace(b"50", b"5") if tamper == "body" else body
    method = "PUT" if tamper == "method" else "POST"
    response = client.open(sent_target, method=method, data=sent_body, headers=headers)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "X-Shanxing-Signature" in response.get_json()["errors"]
    assert "WWW-Authenticate" in response.headers
    assert len(upstreams["points"].state.received) == 1  # only the key lookup


@pytest.mark.parametrize("missing", ["X-Shanxing-Key", "X-Shanxing-Timestamp", "X-Shanxing-Nonce",
                                     "X-Shanxing-Signature"])
def test_a_missing_header_is_401_naming_it(client, key, missing):
    headers = signed(key, "GET", GOODS)
    del headers[missing]
    response = client.get(GOODS, headers=headers)
    assert response.status_code == 401
    assert missing in response.get_json()["detail"]
    assert missing in response.get_json()["errors"]


def test_no_credentials_at_all_names_the_key_header(client):
    response = client.get(GOODS)
    assert response.status_code == 401
    assert "X-Shanxing-Key" in response.get_json()["detail"]


@pytest.mark.parametrize("skew", [-301, 301])
def test_old_or_future_timestamps_are_401(client, key, skew):
    response = client.get(GOODS, headers=signed(key, "GET", GOODS, timestamp=int(time.time()) + skew))
    assert response.status_code == 401
    assert "X-Shanxing-Timestamp" in response.get_json()["errors"]


def test_unknown_and_revoked_keys_are_401(client, upstreams):
    ghost = {"key_id": "mk_ghost", "secret": "x" * 64}
    assert client.get(GOODS, headers=signed(ghost, "GET", GOODS)).status_code == 401
    revoked = add_merchant_key(upstreams, status="revoked")
    response = client.get(GOODS, headers=signed(revoked, "GET", GOODS))
    assert response.status_code == 401
    assert "not active" in response.get_json()["detail"]


def test_a_replayed_nonce_is_401(client, upstreams, key):
    headers = signed(key, "GET", GOODS, nonce="till-1-nonce-1")
    assert client.get(GOODS, headers=headers).status_code == 200
    response = client.get(GOODS, headers=headers)
    assert response.status_code == 401
    assert "X-Shanxing-Nonce" in response.get_json()["errors"]
    # a fresh nonce with the same key is fine; the same nonce with another key too
    assert client.get(GOODS, headers=signed(key, "GET", GOODS, nonce="till-1-nonce-2")).status_code == 200
    other = add_merchant_key(upstreams)
    assert client.get(GOODS, headers=signed(other, "GET", GOODS, nonce="till-1-nonce-1")).status_code == 200


def test_nonces_are_shared_by_every_gateway_process(make_gateway, key):
    first, second = make_gateway(), make_gateway()  # two apps on one database, like two workers
    headers = signed(key, "GET", GOODS)
    assert first.test_client().get(GOODS, headers=headers).status_code == 200
    assert second.test_client().get(GOODS, headers=headers).status_code == 401


def test_a_bad_signature_does_not_spend_the_nonce(client, key):
    headers = signed(key, "GET", GOODS, nonce="n-keep")
    forged = {**headers, "X-Shanxing-Signature": "0" * 64}
    assert client.get(GOODS, headers=forged).status_code == 401
    assert client.get(GOODS, headers=headers).status_code == 200


def test_a_merchant_key_reaches_nothing_but_merchant_routes(client, upstreams, key):
    for method, path in (("GET", "/api/v1/points/me"), ("POST", "/api/v1/merchants"),
                         ("GET", "/api/v1/activities")):
        response = client.open(path, method=method, headers=signed(key, method, path))
        assert response.status_code == 403, path
    assert not [r for r in upstreams["points"].state.received if r["path"].startswith("/api/")]


def test_a_merchant_key_on_other_routes_still_has_to_be_valid(client, key, app):
    headers = {**signed(key, "GET", "/api/v1/points/me", secret="wrong"), **bearer(app)}
    assert client.get("/api/v1/points/me", headers=headers).status_code == 401


def test_requests_over_the_per_second_rate_are_429(make_gateway, key, monkeypatch):
    client = make_gateway(merchant_rate_per_second=3).test_client()
    now = int(time.time())
    monkeypatch.setattr(guard, "time", SimpleNamespace(time=lambda: now + 0.5))
    for _ in range(3):
        assert client.get(GOODS, headers=signed(key, "GET", GOODS, timestamp=now)).status_code == 200
    limited = signed(key, "GET", GOODS, timestamp=now)
    response = client.get(GOODS, headers=limited)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.headers["Content-Type"] == "application/problem+json"

    # the next window admits again, and the limited request's nonce was not spent
    monkeypatch.setattr(guard, "time", SimpleNamespace(time=lambda: now + 1.5))
    assert client.get(GOODS, headers=limited).status_code == 200


def test_the_replay_guard_purges_old_nonces(app, key):
    db = app.extensions["shanxing"].db
    replay_guard = ReplayGuard(db, rate_per_second=50)
    now = time.time()
    replay_guard.admit("mk_a", "old", now - 700)
    replay_guard.admit("mk_a", "recent", now - 100)
    replay_guard.purge(now)
    with db.read() as session:
        left = session.execute(select(merchant_nonces.c.nonce)).scalars().all()
        assert left == ["recent"]
        assert session.execute(select(func.count()).select_from(merchant_nonces)).scalar() == 1


def test_a_revoked_key_stops_working_once_the_cache_expires(make_gateway, upstreams, key):
    client = make_gateway(merchant_key_cache_seconds=0).test_client()
    assert client.get(GOODS, headers=signed(key, "GET", GOODS)).status_code == 200
    upstreams["points"].state.merchant_keys[key["key_id"]]["status"] = "revoked"
    assert client.get(GOODS, headers=signed(key, "GET", GOODS)).status_code == 401


@pytest.fixture
def served_gateway(app):
    """The gateway on a real socket, so the target comes from the server's RAW_URI."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_signing_over_real_http_with_an_encoded_query(served_gateway, upstreams, key):
    target = GOODS + "?name=%E5%A4%A7%E7%B1%B3&limit=5"
    body = b""
    response = requests.get(served_gateway + target, headers=signed(key, "GET", target, body), timeout=10)
    assert response.status_code == 200, response.text
    assert upstreams["points"].state.received[-1]["target"] == target
    assert response.headers["X-Request-Id"]


def test_concurrent_uses_of_one_nonce_admit_exactly_one(store):
    from concurrent.futures import ThreadPoolExecutor

    from shanxing_gateway.auth.merchants import MerchantAuthError

    replay_guard = store.replay_guard(1000)
    now = time.time()

    def attempt(_):
        try:
            replay_guard.admit("mk_race", "same-nonce", now)
            return "admitted"
        except MerchantAuthError:
            return "replay"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    assert sorted(outcomes) == ["admitted"] + ["replay"] * 7


def test_a_merchant_key_that_cannot_be_fetched_is_a_502_naming_points(make_gateway, upstreams, key):
    from .conftest import closed_port_url

    app = make_gateway(peers={"registry": upstreams["registry"].url, "activities": upstreams["activities"].url,
                              "points": closed_port_url()})
    response = app.test_client().get(GOODS, headers=signed(key, "GET", GOODS))
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["service"] == "points"


def test_leased_slots_keep_the_rate_across_processes_and_a_replay_gives_its_slot_back(app):
    from shanxing_gateway.auth.merchants import MerchantAuthError, MerchantRateLimited

    db = app.extensions["shanxing"].db
    processes = [ReplayGuard(db, rate_per_second=12, lease=5) for _ in range(2)]  # two gateways
    now = float(int(time.time()))
    admitted = refused = 0
    for n in range(40):
        try:
            processes[n % 2].admit("mk_lease", f"nonce-{n}", now)
            admitted += 1
        except MerchantRateLimited:
            refused += 1
    assert admitted == 12 and refused == 28
    with db.read() as session:  # refused requests spent no nonce
        assert session.execute(select(func.count()).select_from(merchant_nonces)
                               .where(merchant_nonces.c.key_id == "mk_lease")).scalar() == 12

    guard_ = ReplayGuard(db, rate_per_second=2, lease=2)
    guard_.admit("mk_back", "first", now)
    with pytest.raises(MerchantAuthError):
        guard_.admit("mk_back", "first", now)  # a replay: its slot goes back
    guard_.admit("mk_back", "second", now)
    with pytest.raises(MerchantRateLimited):
        guard_.admit("mk_back", "third", now)
