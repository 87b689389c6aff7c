"""Per-address limits on registration and login, per-person limits on everything authenticated."""
import ipaddress
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from shanxing_gateway import edge
from shanxing_gateway.adapters.models import rate_windows
from shanxing_gateway.auth import guard
from shanxing_gateway.ratelimit import RateLimited, RateLimiter, RateWindows

from .conftest import add_merchant_key, bearer, signed

LOGIN = {"phone": "13812345678", "password": "wrong password"}
REGISTRATION = {"name": "张三"}
LOCALHOST = ipaddress.ip_network("127.0.0.0/8")


@pytest.fixture
def frozen_clock(monkeypatch):
    """Both limits read the clock through their module's ``time``; pin it mid-minute."""
    now = {"t": (int(time.time()) // 60) * 60 + 30.0}

    def set_time(value):
        now["t"] = value
        clock = SimpleNamespace(time=lambda: now["t"])
        monkeypatch.setattr(edge, "time", clock)
        monkeypatch.setattr(guard, "time", clock)

    set_time(now["t"])
    return SimpleNamespace(now=lambda: now["t"], set=set_time)


def verify_calls(upstreams):
    return len(upstreams["registry"].state.requests_to("/internal/auth/verify"))


def test_logins_from_one_address_are_limited_per_minute(make_gateway, upstreams, frozen_clock):
    client = make_gateway(address_rate_per_minute=3).test_client()
    for _ in range(3):
        assert client.post("/api/v1/auth/token", json=LOGIN).status_code == 401
    response = client.post("/api/v1/auth/token", json=LOGIN)
    assert response.status_code == 429
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["status"] == 429
    assert verify_calls(upstreams) == 3  # the refused one never reached registry

    frozen_clock.set(frozen_clock.now() + 30)  # the next minute
    assert client.post("/api/v1/auth/token", json=LOGIN).status_code == 401


def test_registrations_count_against_the_same_address_allowance(make_gateway, upstreams, frozen_clock):
    client = make_gateway(address_rate_per_minute=2).test_client()
    assert client.post("/api/v1/volunteers", json=REGISTRATION).status_code == 200
    assert client.post("/api/v1/auth/token", json=LOGIN).status_code == 401
    for path in ("/api/v1/volunteers", "/api/v1/volunteers/", "/api/v1/auth/token"):
        assert client.post(path, json=REGISTRATION).status_code == 429, path
    # other routes from the same address are not part of this allowance
    assert client.get("/api/v1/activities").status_code == 200


def test_the_address_limit_can_be_switched_off(make_gateway, frozen_clock):
    client = make_gateway(address_rate_per_minute=1, address_rate_limit=False).test_client()
    for _ in range(3):
        assert client.post("/api/v1/auth/token", json=LOGIN).status_code == 401


def test_every_gateway_process_counts_together(make_gateway, frozen_clock):
    first = make_gateway(address_rate_per_minute=2).test_client()
    second = make_gateway(address_rate_per_minute=2).test_client()
    assert first.post("/api/v1/auth/token", json=LOGIN).status_code == 401
    assert second.post("/api/v1/auth/token", json=LOGIN).status_code == 401
    assert first.post("/api/v1/auth/token", json=LOGIN).status_code == 429
    assert second.post("/api/v1/auth/token", json=LOGIN).status_code == 429


def test_x_forwarded_for_is_ignored_from_untrusted_peers(make_gateway, upstreams, frozen_clock):
    client = make_gateway(address_rate_per_minute=1).test_client()
    assert client.post("/api/v1/auth/token", json=LOGIN,
                       headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 401
    assert client.post("/api/v1/auth/token", json=LOGIN,
                       headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429
    seen = upstreams["registry"].state.requests_to("/internal/auth/verify")[-1]
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"


def test_behind_a_trusted_proxy_each_client_address_has_its_own_allowance(make_gateway, upstreams, frozen_clock):
    client = make_gateway(address_rate_per_minute=1, trusted_proxies=(LOCALHOST,)).test_client()
    school, station = {"X-Forwarded-For": "203.0.113.1"}, {"X-Forwarded-For": "9.9.9.9, 203.0.113.2"}
    assert client.post("/api/v1/auth/token", json=LOGIN, headers=school).status_code == 401
    assert client.post("/api/v1/auth/token", json=LOGIN, headers=station).status_code == 401
    assert client.post("/api/v1/auth/token", json=LOGIN, headers=school).status_code == 429
    seen = upstreams["registry"].state.requests_to("/internal/auth/verify")[-1]
    assert seen["headers"]["X-Forwarded-For"] == "203.0.113.2"  # the services see the client too

    client.post("/api/v1/volunteers", json=REGISTRATION, headers={"X-Forwarded-For": "198.51.100.4"})
    assert upstreams["registry"].state.received[-1]["headers"]["X-Forwarded-For"] == "198.51.100.4"


def test_a_person_is_limited_across_routes_and_services(make_gateway, upstreams, frozen_clock):
    app = make_gateway(person_rate_per_minute=3)
    client, alice, bob = app.test_client(), bearer(app, "alice"), bearer(app, "bob")
    for path in ("/api/v1/volunteers/me", "/api/v1/points/me", "/api/v1/activities"):
        assert client.get(path, headers=alice).status_code == 200
    response = client.get("/api/v1/points/me", headers=alice)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Content-Type"] == "application/problem+json"
    assert len(upstreams["points"].state.requests_to("/api/v1/points/me")) == 1
    assert client.get("/api/v1/points/me", headers=bob).status_code == 200
    assert client.get("/api/v1/activities").status_code == 200  # anonymous: not a person's allowance

    frozen_clock.set(frozen_clock.now() + 31)
    assert client.get("/api/v1/points/me", headers=alice).status_code == 200


def test_invalid_tokens_and_merchants_do_not_use_a_persons_allowance(make_gateway, upstreams, frozen_clock):
    app = make_gateway(person_rate_per_minute=1, merchant_rate_per_second=10)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/points/me", headers={"Authorization": "Bearer forged"}).status_code == 401
    key = add_merchant_key(upstreams)
    goods = "/api/v1/merchant/goods"
    for _ in range(3):
        assert client.get(goods, headers=signed(key, "GET", goods)).status_code == 200
    assert client.get("/api/v1/points/me", headers=bearer(app)).status_code == 200


def test_concurrent_requests_are_counted_exactly(store):
    limiter = RateLimiter(store.windows(), "person", 5, 60, "requests")
    now = time.time()

    def attempt(_):
        try:
            limiter.hit("racer", now)
            return "admitted"
        except RateLimited:
            return "limited"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(12)))
    assert outcomes.count("admitted") == 5 and outcomes.count("limited") == 7


def test_finished_windows_are_purged_now_and_then(app):
    db = app.extensions["shanxing"].db
    windows = RateWindows(db)
    now = 1_800_000_030.0
    windows.count("person", "old", 1_800_000_030 - 600, now - 600)
    windows.count("person", "recent", 1_800_000_000, now)  # a minute later: the old row goes
    with db.read() as session:
        assert session.execute(select(rate_windows.c.subject)).scalars().all() == ["recent"]
    assert windows.purge(now + 600) == 1  # what `shanxing-gateway purge-nonces` does


def test_with_the_default_limit_a_process_takes_person_slots_ten_at_a_time(app, client, frozen_clock):
    alice = bearer(app, "alice")
    for _ in range(11):
        assert client.get("/api/v1/points/me", headers=alice).status_code == 200
    gw = app.extensions["shanxing"].extra["gateway"]  # the database's or Redis's counter: adding 0 reads it
    counted = gw.rate_windows.count("person", "alice", gw.person_limit.window.start(frozen_clock.now()),
                                    frozen_clock.now(), amount=0)
    assert counted == 20  # two writes for eleven requests
