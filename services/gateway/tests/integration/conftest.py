import socket
import time
import uuid

import pytest

from shanxing_common.testing import test_settings
from shanxing_gateway import create_app
from shanxing_gateway.auth import merchants
from shanxing_gateway.config import GatewayConfig

from .upstream_double import UpstreamDouble

JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789"
SERVICES = ("registry", "activities", "points")


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
                  merchant_rate_per_second=50)
    values.update(overrides)
    return GatewayConfig(**values)


@pytest.fixture
def make_gateway(tmp_path, upstreams):
    """make_gateway(peers=..., **config) → a gateway app; the database is migrated once per test."""
    settings_holder = {}

    def make(peers: dict | None = None, **config):
        if "settings" not in settings_holder:
            settings_holder["settings"] = test_settings("gateway", "shanxing_gateway", tmp_path)
        settings = settings_holder["settings"]
        settings.peers = peers or {name: double.url for name, double in upstreams.items()}
        app = create_app(settings, gateway_config(**config))
        app.config["TESTING"] = True
        return app

    yield make


@pytest.fixture
def app(make_gateway):
    return make_gateway()


@pytest.fixture
def client(app):
    return app.test_client()


def bearer(app, subject="volunteer-1", roles=()) -> dict:
    issued = app.extensions["shanxing"].extra["gateway"].people.issue(subject, roles)
    return {"Authorization": f"Bearer {issued.access_token}"}


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
