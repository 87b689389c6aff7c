import os
import re
import socket
import time
import uuid
from types import SimpleNamespace

import pytest
import redis

from shanxing_common.testing import test_settings
from shanxing_gateway import create_app
from shanxing_gateway.adapters.redis_store import RedisStore
from shanxing_gateway.auth import merchants
from shanxing_gateway.config import GatewayConfig, redis_url_from_env
from shanxing_gateway.ratelimit import RateWindows, RedisRateWindows

from .upstream_double import UpstreamDouble

JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789"
SERVICES = ("registry", "activities", "points")
# With SHANXING_GATEWAY_REDIS_URL set, every test app keeps its nonces and counters in that Redis.
GATEWAY_REDIS_URL = redis_url_from_env()
# The Redis of the store's own tests when the gateway's is not configured (this machine's, and CI's).
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def doubles():
    started = {name: UpstreamDouble(name) for name in SERVICES}
    yield started
    for double in started.values():
        double.stop()


@pytest.fixture
def upstreams(doubles):
    for double in doubles.values():
        double.state.reset()
    return doubles


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def gateway_config(**overrides) -> GatewayConfig:
    values = dict(jwt_secret=JWT_SECRET, token_ttl_seconds=3600, connect_timeout_seconds=1.0,
                  read_timeout_seconds=0.5, ready_timeout_seconds=1.0, merchant_key_cache_seconds=30,
                  merchant_rate_per_second=50, redis_url=GATEWAY_REDIS_URL)
    values.update(overrides)
    return GatewayConfig(**values)


def redis_prefix() -> str:
    """A prefix of one test's own, so tests never see each other's nonces or counters."""
    return f"shanxing:test:{uuid.uuid4().hex}:"


def forget_keys(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))  # a test leaves a few at most
        if keys:
            client.delete(*keys)
    except redis.ConnectionError:  # nothing was written to a Redis that does not answer
        pass
    finally:
        client.close()


def reachable_redis_url() -> str:
    """The gateway's Redis (else this machine's) when it answers; otherwise skip, or fail under
    CI=true: CI has Redis, so a store test that cannot run there is a failure."""
    url = GATEWAY_REDIS_URL or LOCAL_REDIS_URL
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        missing = f"no Redis answers at {url}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the Redis store tests: {missing}")
        pytest.skip(missing)
    return url


@pytest.fixture
def redis_store():
    """A RedisStore on a reachable Redis under a prefix of its own, its keys deleted afterwards."""
    url = reachable_redis_url()
    store = RedisStore(url, redis_prefix(), timeout_seconds=2.0)
    yield store
    forget_keys(url, store.prefix)


@pytest.fixture(params=["database", "redis"])
def store(request, app):
    """Either store of nonces and counters: ``replay_guard(rate)``, ``windows()``."""
    if request.param == "database":
        db = app.extensions["shanxing"].db
        return SimpleNamespace(replay_guard=lambda rate: merchants.ReplayGuard(db, rate),
                               windows=lambda: RateWindows(db))
    on_redis = request.getfixturevalue("redis_store")
    return SimpleNamespace(replay_guard=lambda rate: merchants.RedisReplayGuard(on_redis, rate),
                           windows=lambda: RedisRateWindows(on_redis))


@pytest.fixture
def make_gateway(tmp_path, upstreams):
    """make_gateway(peers=..., **config) → a gateway app; the database is migrated once per test,
    and with Redis configured the test's apps share a prefix of their own (like one deployment)."""
    settings_holder = {}
    prefix = redis_prefix()

    def make(peers: dict | None = None, **config):
        if "settings" not in settings_holder:
            settings_holder["settings"] = test_settings("gateway", "shanxing_gateway", tmp_path)
        settings = settings_holder["settings"]
        settings.peers = peers or {name: double.url for name, double in upstreams.items()}
        app = create_app(settings, gateway_config(**{"redis_prefix": prefix, **config}))
        app.config["TESTING"] = True
        return app

    yield make
    if GATEWAY_REDIS_URL:
        forget_keys(GATEWAY_REDIS_URL, prefix)


@pytest.fixture
def app(make_gateway):
    return make_gateway()


@pytest.fixture
def client(app):
    return app.test_client()


def bearer(app, subject="volunteer-1", roles=()) -> dict:
    issued = app.extensions["shanxing"].extra["gateway"].people.issue(subject, roles)
    return {"Authorization": f"Bearer {issued.access_token}"}


def served_page(client, path: str, assets: dict[str, str]) -> tuple[str, str]:
    """One of the gateway's own pages and its assets (path → type): each served with the page's
    security headers, every URL the page names one of those assets (no CDN, no other origin), nothing
    inline. (page's policy, all the text)."""
    page = client.get(path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and 'name="viewport"' in html
    policy = page.headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'self';", "style-src 'self';", "connect-src 'self';",
                      "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in policy
    assert "unsafe-" not in policy
    locked_down = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                   "Cache-Control": "no-cache"}
    assert {name: page.headers.get(name) for name in locked_down} == locked_down
    everything = html
    for asset, mimetype in assets.items():
        answer = client.get(asset)
        assert answer.status_code == 200 and answer.mimetype == mimetype, asset
        assert answer.headers["Content-Security-Policy"] == policy
        assert {name: answer.headers.get(name) for name in locked_down} == locked_down
        everything += answer.get_data(as_text=True)
    assert sorted(re.findall(r'(?:src|href)="([^"]*)"', html)) == sorted(assets)
    assert "http://" not in everything and "https://" not in everything and "//cdn" not in everything
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    return policy, everything


def add_merchant_key(upstreams, *, key_id=None, merchant_id="merchant-1", status="active") -> dict:
    key = {"key_id": key_id or f"mk_{uuid.uuid4().hex[:12]}", "merchant_id": merchant_id,
           "secret": uuid.uuid4().hex + uuid.uuid4().hex, "status": status}
    upstreams["points"].state.merchant_keys[key["key_id"]] = key
    return key


def signed(key: dict, method: str, target: str, body: bytes = b"", *, timestamp=None, nonce=None,
           secret=None) -> dict:
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or uuid.uuid4().hex
    signature = merchants.sign(secret or key["secret"], method, target, timestamp, nonce, body)
    return {"X-Shanxing-Key": key["key_id"], "X-Shanxing-Timestamp": timestamp,
            "X-Shanxing-Nonce": nonce, "X-Shanxing-Signature": signature}
