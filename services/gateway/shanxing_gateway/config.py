"""The gateway's own settings (environment variables only), beside the shared Settings."""
from __future__ import annotations

from dataclasses import dataclass

from shanxing_common.config import ConfigError, env, env_int, secret


def env_float(name: str, default: float) -> float:
    raw = env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class GatewayConfig:
    jwt_secret: str
    token_ttl_seconds: int = 3600
    connect_timeout_seconds: float = 2.0
    read_timeout_seconds: float = 15.0
    ready_timeout_seconds: float = 3.0
    merchant_key_cache_seconds: float = 30.0
    merchant_rate_per_second: int = 50
    pool_size: int = 20

    @classmethod
    def from_env(cls) -> "GatewayConfig":
        config = cls(
            jwt_secret=secret("jwt.key", "SHANXING_JWT_SECRET"),
            token_ttl_seconds=env_int("SHANXING_TOKEN_TTL", 3600),
            connect_timeout_seconds=env_float("SHANXING_UPSTREAM_CONNECT_TIMEOUT", 2.0),
            read_timeout_seconds=env_float("SHANXING_UPSTREAM_READ_TIMEOUT", 15.0),
            ready_timeout_seconds=env_float("SHANXING_READY_TIMEOUT", 3.0),
            merchant_key_cache_seconds=env_float("SHANXING_MERCHANT_KEY_CACHE_SECONDS", 30.0),
            merchant_rate_per_second=env_int("SHANXING_MERCHANT_RATE_PER_SECOND", 50),
            pool_size=env_int("SHANXING_UPSTREAM_POOL_SIZE", 20),
        )
        if config.token_ttl_seconds <= 0:
            raise ConfigError("SHANXING_TOKEN_TTL must be positive")
        if config.merchant_rate_per_second <= 0:
            raise ConfigError("SHANXING_MERCHANT_RATE_PER_SECOND must be positive")
        return config
