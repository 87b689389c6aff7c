import ipaddress

import pytest

from shanxing_common.config import ConfigError
from shanxing_gateway.config import GatewayConfig


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("SHANXING_JWT_SECRET", "s" * 40)
    for name in ("SHANXING_ADDRESS_RATE_LIMIT", "SHANXING_TRUSTED_PROXIES", "SHANXING_CORS_ORIGINS",
                 "SHANXING_ADDRESS_RATE_PER_MINUTE", "SHANXING_PERSON_RATE_PER_MINUTE",
                 "SHANXING_GATEWAY_REDIS_URL", "REDIS_URL", "SHANXING_GATEWAY_REDIS_PREFIX",
                 "SHANXING_GATEWAY_REDIS_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_in_production(env):
    env.setenv("SHANXING_ENV", "production")
    config = GatewayConfig.from_env()
    assert config.address_rate_limit and config.address_rate_per_minute == 300
    assert config.person_rate_per_minute == 600
    assert config.trusted_proxies == () and not config.cors_enabled
    assert config.max_body_bytes == 1024 * 1024
    assert config.redis_url is None  # nonces and counters in the database unless Redis is configured


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


def test_redis_settings(env):
    env.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    config = GatewayConfig.from_env()
    assert config.redis_url == "redis://cache.internal:6379/0"
    assert (config.redis_prefix, config.redis_timeout_seconds) == ("shanxing:gateway:", 0.5)
    env.setenv("SHANXING_GATEWAY_REDIS_URL", "rediss://:pw@redis.example.org:6380/2")  # wins over REDIS_URL
    env.setenv("SHANXING_GATEWAY_REDIS_PREFIX", "city-a:gateway:")
    env.setenv("SHANXING_GATEWAY_REDIS_TIMEOUT", "0.25")
    config = GatewayConfig.from_env()
    assert config.redis_url == "rediss://:pw@redis.example.org:6380/2"
    assert (config.redis_prefix, config.redis_timeout_seconds) == ("city-a:gateway:", 0.25)


@pytest.mark.parametrize("name, value", [
    ("SHANXING_TRUSTED_PROXIES", "10.0.0.0/8,nonsense"),
    ("SHANXING_ADDRESS_RATE_LIMIT", "maybe"),
    ("SHANXING_PERSON_RATE_PER_MINUTE", "-1"),
    ("SHANXING_ADDRESS_RATE_PER_MINUTE", "many"),
    ("SHANXING_GATEWAY_REDIS_URL", "http://127.0.0.1:6379/0"),
    ("SHANXING_GATEWAY_REDIS_URL", "redis://127.0.0.1:port/0"),
    ("REDIS_URL", "127.0.0.1:6379"),
    ("SHANXING_GATEWAY_REDIS_TIMEOUT", "0"),
    ("SHANXING_GATEWAY_REDIS_TIMEOUT", "soon"),
    ("SHANXING_GATEWAY_REDIS_TIMEOUT", "nan"),
    ("SHANXING_GATEWAY_REDIS_PREFIX", "two words"),
])
def test_bad_values_stop_the_process(env, name, value):
    env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        GatewayConfig.from_env()
