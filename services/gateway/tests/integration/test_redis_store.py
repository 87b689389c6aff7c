"""Merchant nonces and rate counters in Redis (SHANXING_GATEWAY_REDIS_URL), against a real Redis:
skipped when none answers, failed under CI=true (conftest.reachable_redis_url)."""
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from shanxing_gateway.adapters.redis_store import RedisStore
from shanxing_gateway.auth.merchants import (NONCE_RETENTION_SECONDS, MerchantAuthError, MerchantRateLimited,
                                             RedisReplayGuard)
from shanxing_gateway.ratelimit import RETENTION_SECONDS, RateLimited, RateLimiter, RedisRateWindows

from .conftest import add_merchant_key, bearer, closed_port_url, forget_keys, reachable_redis_url, signed

GOODS = "/api/v1/merchant/goods"


def client_of(store: RedisStore) -> redis.Redis:
    return redis.Redis.from_url(store.url, socket_timeout=2)


def test_a_replayed_nonce_is_refused_and_another_keys_same_nonce_is_not(redis_store):
    guard = RedisReplayGuard(redis_store, rate_per_second=50)
    now = time.time()
    guard.admit("mk_a", "till-1-nonce-1", now)
    with pytest.raises(MerchantAuthError) as refused:
        guard.admit("mk_a", "till-1-nonce-1", now + 30)
    assert refused.value.header == "X-Shanxing-Nonce"
    guard.admit("mk_b", "till-1-nonce-1", now)
    guard.admit("mk_a", "till-1-nonce-2", now)


def test_key_ids_and_nonces_cannot_be_written_into_each_others_keys(redis_store):
    guard = RedisReplayGuard(redis_store, rate_per_second=50)
    now = time.time()
    guard.admit("mk_a", "b:c", now)
    guard.admit("mk_a:b", "c", now)  # "mk_a" + "b:c" and "mk_a:b" + "c" are two different nonces
    guard.admit("mk_a:1", "c", now)
    assert redis_store.nonce_key("mk_a", "b:c") != redis_store.nonce_key("mk_a:b", "c")


def test_the_rate_is_exact_at_the_boundary_and_a_refused_request_keeps_its_nonce(redis_store):
    guard = RedisReplayGuard(redis_store, rate_per_second=3)
    second = float(int(time.time()))
    for n in range(3):
        guard.admit("mk_rate", f"n-{n}", second + 0.1 * n)
    with pytest.raises(MerchantRateLimited) as limited:
        guard.admit("mk_rate", "n-limited", second + 0.9)
    assert limited.value.retry_after == 1
    assert not client_of(redis_store).exists(redis_store.nonce_key("mk_rate", "n-limited"))
    guard.admit("mk_other", "n-other", second + 0.9)  # each key has its own allowance
    guard.admit("mk_rate", "n-limited", second + 1.2)  # the next second: its nonce was not spent
    with pytest.raises(MerchantAuthError):
        guard.admit("mk_rate", "n-limited", second + 1.3)


def test_many_threads_with_one_nonce_admit_exactly_one_and_the_rate_counts_exactly(redis_store):
    guard = RedisReplayGuard(redis_store, rate_per_second=10)
    now = time.time()

    def attempt(nonce):
        try:
            guard.admit("mk_race", nonce, now)
            return "admitted"
        except MerchantAuthError:
            return "replay"
        except MerchantRateLimited:
            return "limited"

    with ThreadPoolExecutor(max_workers=16) as pool:
        same = list(pool.map(attempt, ["same-nonce"] * 32))
        distinct = list(pool.map(attempt, [f"nonce-{n}" for n in range(30)]))
    assert same.count("admitted") == 1 and same.count("replay") == 31
    assert distinct.count("admitted") == 9 and distinct.count("limited") == 21  # 10 a second in all


def test_every_key_expires(redis_store):
    guard = RedisReplayGuard(redis_store, rate_per_second=50)
    now = time.time()
    guard.admit("mk_ttl", "n-1", now)
    RedisRateWindows(redis_store).count("person", "alice", int(now // 60) * 60, now)
    client = client_of(redis_store)
    keys = {key.decode(): client.ttl(key) for key in client.scan_iter(match=redis_store.prefix + "*")}
    assert len(keys) == 3, keys
    for key, ttl in keys.items():
        assert ttl > 0, key  # -1 would be a key kept for ever
    assert NONCE_RETENTION_SECONDS - 5 <= keys[redis_store.nonce_key("mk_ttl", "n-1")] <= NONCE_RETENTION_SECONDS
    assert keys[f"{redis_store.prefix}merchant-rate:{int(now)}:mk_ttl"] <= RedisReplayGuard.RATE_WINDOW_SECONDS
    assert keys[f"{redis_store.prefix}rate:person:{int(now // 60) * 60}:alice"] <= RETENTION_SECONDS


def test_people_limits_count_on_redis(redis_store):
    limiter = RateLimiter(RedisRateWindows(redis_store), "address", 2, 60, "requests from this address")
    now = time.time()
    limiter.hit("203.0.113.7", now)
    limiter.hit("203.0.113.7", now)
    with pytest.raises(RateLimited):
        limiter.hit("203.0.113.7", now)
    limiter.hit("203.0.113.8", now)


def test_a_forked_process_makes_its_own_client(redis_store):
    windows = RedisRateWindows(redis_store)
    windows.count("person", "parent", 0, 0.0)
    pid = os.fork()
    if pid == 0:  # the child: a pooled connection of the parent's must not be shared
        ok = False
        try:
            ok = windows.count("person", "child", 0, 0.0) == 1 and redis_store._pid == os.getpid()
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert windows.count("person", "parent", 0, 0.0) == 2  # the parent's client still works


@pytest.fixture
def redis_down(make_gateway):
    """A gateway whose Redis is a closed port (nothing to skip: no Redis is needed for this)."""
    return make_gateway(redis_url=closed_port_url().replace("http://", "redis://") + "/0",
                        address_rate_per_minute=5, redis_timeout_seconds=0.2)


def assert_unavailable(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["status"] == 503


def test_without_redis_signed_and_counted_requests_are_503_and_never_forwarded(redis_down, upstreams):
    client = redis_down.test_client()
    key = add_merchant_key(upstreams)
    assert_unavailable(client.get(GOODS, headers=signed(key, "GET", GOODS)))
    assert_unavailable(client.get("/api/v1/points/me", headers=bearer(redis_down)))  # the person limit
    assert_unavailable(client.post("/api/v1/auth/token", json={"phone": "13812345678", "password": "x"}))
    forwarded = [r["path"] for d in upstreams.values() for r in d.state.received if r["path"].startswith("/api/")]
    assert forwarded == []
    assert not upstreams["registry"].state.requests_to("/internal/auth/verify")
    assert client.get("/api/v1/activities").status_code == 200  # anonymous reads need no counter


def test_readiness_names_redis_when_it_does_not_answer(redis_down):
    response = redis_down.test_client().get("/readyz")
    assert response.status_code == 503
    assert set(response.get_json()["problems"]) == {"redis"}


def test_ready_and_admitting_with_redis_answering(make_gateway, upstreams):
    url = reachable_redis_url()
    app = make_gateway(redis_url=url)
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200
        key = add_merchant_key(upstreams)
        headers = signed(key, "GET", GOODS)
        assert client.get(GOODS, headers=headers).status_code == 200
        assert client.get(GOODS, headers=headers).status_code == 401
    finally:
        forget_keys(url, app.extensions["shanxing"].extra["gateway"].config.redis_prefix)
