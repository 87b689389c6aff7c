import ipaddress

import pytest

from shanxing_common.config import ConfigError
from shanxing_gateway.config import GatewayConfig


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("SHANXING_JWT_SECRET", "s" * 40)
    for name in ("SHANXING_ADDRESS_RATE_LIMIT", "SHANXING_TRUSTED_PROXIES", "SHANXING_CORS_ORIGINS",
                 "SHANXING_ADDRESS_RATE_PER_MINUTE", "SHANXING_PERSON_RATE_PER_MINUTE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_in_production(env):
    env.setenv("SHANXING_ENV", "production")
    config = GatewayConfig.from_env()
    assert config.address_rate_limit and config.address_rate_per_minute == 300
    assert config.person_rate_per_minute == 600
    assert config.trusted_proxies == () and not config.cors_enabled
    assert config.max_body_bytes == 1024 * 1024


def test_the_address_limit_is_off_in_dev_unless_switched_on(env):
    env.setenv("SHANXING_ENV", "dev")
    assert not GatewayConfig.from_env().address_rate_limit
    env.setenv("SHANXING_ADDRESS_RATE_LIMIT", "on")
    assert GatewayConfig.from_env().address_rate_limit
    env.setenv("SHANXING_ENV", "production")
    env.setenv("SHANXING_ADDRESS_RATE_LIMIT", "off")
    assert not GatewayConfig.from_env().address_rate_limit


def test_lists_are_parsed(env):
    env.setenv("SHANXING_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7 ,fd00::/8")
    env.setenv("SHANXING_CORS_ORIGINS", "https://App.Example.org/, http://localhost:5173")
    config = GatewayConfig.from_env()
    assert config.trusted_proxies == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("192.168.1.7/32"),
                                      ipaddress.ip_network("fd00::/8"))
    assert config.cors_origins == ("https://app.example.org", "http://localhost:5173")


@pytest.mark.parametrize("name, value", [
    ("SHANXING_TRUSTED_PROXIES", "10.0.0.0/8,nonsense"),
    ("SHANXING_ADDRESS_RATE_LIMIT", "maybe"),
    ("SHANXING_PERSON_RATE_PER_MINUTE", "-1"),
    ("SHANXING_ADDRESS_RATE_PER_MINUTE", "many"),
])
def test_bad_values_stop_the_process(env, name, value):
    env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        GatewayConfig.from_env()
