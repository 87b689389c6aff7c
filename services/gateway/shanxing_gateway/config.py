"""The gateway's own settings (environment variables only), beside the shared Settings."""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from redis.connection import parse_url

from shanxing_common.config import ConfigError, env, env_int, is_dev, secret

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_BODY_BYTES = 1024 * 1024
DEFAULT_REDIS_PREFIX = "shanxing:gateway:"


def env_float(name: str, default: float) -> float:
    raw = env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def env_switch(name: str, default: bool) -> bool:
    """on/off (also true/false, yes/no, 1/0); anything else is a configuration error."""
    raw = env(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise ConfigError(f"{name} must be on or off, got {raw!r}")


def env_list(name: str) -> tuple[str, ...]:
    raw = env(name) or ""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def parse_networks(name: str, items: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ConfigError(f"{name}: {item!r} is not an address or CIDR block") from exc
    return tuple(networks)


def redis_url_from_env() -> str | None:
    """SHANXING_GATEWAY_REDIS_URL, else REDIS_URL; None keeps nonces and counters in the database."""
    url = env("SHANXING_GATEWAY_REDIS_URL") or env("REDIS_URL")
    if url is None:
        return None
    try:
        parse_url(url)
    except ValueError as exc:
        raise ConfigError(f"SHANXING_GATEWAY_REDIS_URL (or REDIS_URL) is not a Redis URL: {exc}") from exc
    return url


def normalise_origin(origin: str) -> str:
    """Origins compare as scheme://host[:port], lower case, without a trailing slash."""
    return origin.strip().rstrip("/").lower()


@dataclass(frozen=True)
class GatewayConfig:
    jwt_secret: str
    token_ttl_seconds: int = 3600
    staff_token_ttl_seconds: int = 900
    connect_timeout_seconds: float = 2.0
    read_timeout_seconds: float = 15.0
    ready_timeout_seconds: float = 3.0
    merchant_key_cache_seconds: float = 30.0
    merchant_rate_per_second: int = 50
    pool_size: int = 20
    # Requests per minute from one address to the registration and login routes (0: no limit).
    address_rate_per_minute: int = 300
    address_rate_limit: bool = True
    # Authenticated requests per minute of one person (0: no limit).
    person_rate_per_minute: int = 600
    # Proxies whose X-Forwarded-For the gateway believes (a load balancer, an ingress).
    trusted_proxies: tuple[IPNetwork, ...] = ()
    # Browser origins allowed by CORS; empty: no CORS and no OPTIONS.
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = MAX_BODY_BYTES
    # Merchant nonces and rate counters in Redis instead of the database (docs/decisions/0021).
    redis_url: str | None = None
    redis_prefix: str = DEFAULT_REDIS_PREFIX  # namespaces the keys: deployments can share a Redis
    redis_timeout_seconds: float = 0.5  # connect and read; a slow Redis refuses requests (503) fast

    @property
    def cors_enabled(self) -> bool:
        return bool(self.cors_origins)

    @classmethod
    def from_env(cls) -> "GatewayConfig":
        config = cls(
            jwt_secret=secret("jwt.key", "SHANXING_JWT_SECRET"),
            token_ttl_seconds=env_int("SHANXING_TOKEN_TTL", 3600),
            staff_token_ttl_seconds=env_int("SHANXING_STAFF_TOKEN_TTL", 900),
            connect_timeout_seconds=env_float("SHANXING_UPSTREAM_CONNECT_TIMEOUT", 2.0),
            read_timeout_seconds=env_float("SHANXING_UPSTREAM_READ_TIMEOUT", 15.0),
            ready_timeout_seconds=env_float("SHANXING_READY_TIMEOUT", 3.0),
            merchant_key_cache_seconds=env_float("SHANXING_MERCHANT_KEY_CACHE_SECONDS", 30.0),
            merchant_rate_per_second=env_int("SHANXING_MERCHANT_RATE_PER_SECOND", 50),
            pool_size=env_int("SHANXING_UPSTREAM_POOL_SIZE", 20),
            address_rate_per_minute=env_int("SHANXING_ADDRESS_RATE_PER_MINUTE", 300),
            # Off in dev mode (one laptop is every "address"), on in production.
            address_rate_limit=env_switch("SHANXING_ADDRESS_RATE_LIMIT", not is_dev()),
            person_rate_per_minute=env_int("SHANXING_PERSON_RATE_PER_MINUTE", 600),
            trusted_proxies=parse_networks("SHANXING_TRUSTED_PROXIES", env_list("SHANXING_TRUSTED_PROXIES")),
            cors_origins=tuple(normalise_origin(o) for o in env_list("SHANXING_CORS_ORIGINS")),
            max_body_bytes=env_int("SHANXING_MAX_BODY_BYTES", MAX_BODY_BYTES),
            redis_url=redis_url_from_env(),
            redis_prefix=env("SHANXING_GATEWAY_REDIS_PREFIX", DEFAULT_REDIS_PREFIX),
            redis_timeout_seconds=env_float("SHANXING_GATEWAY_REDIS_TIMEOUT", 0.5),
        )
        if config.token_ttl_seconds <= 0:
            raise ConfigError("SHANXING_TOKEN_TTL must be positive")
        if config.staff_token_ttl_seconds <= 0:
            raise ConfigError("SHANXING_STAFF_TOKEN_TTL must be positive")
        if config.merchant_rate_per_second <= 0:
            raise ConfigError("SHANXING_MERCHANT_RATE_PER_SECOND must be positive")
        for name, value in (("SHANXING_ADDRESS_RATE_PER_MINUTE", config.address_rate_per_minute),
                            ("SHANXING_PERSON_RATE_PER_MINUTE", config.person_rate_per_minute)):
            if value < 0:
                raise ConfigError(f"{name} must be 0 (no limit) or positive")
        if config.max_body_bytes <= 0:
            raise ConfigError("SHANXING_MAX_BODY_BYTES must be positive")
        if not 0 < config.redis_timeout_seconds < math.inf:  # also refuses nan
            raise ConfigError("SHANXING_GATEWAY_REDIS_TIMEOUT must be a positive number of seconds")
        if not config.redis_prefix.strip() or any(c.isspace() for c in config.redis_prefix):
            raise ConfigError("SHANXING_GATEWAY_REDIS_PREFIX must be a word without spaces, e.g. shanxing:gateway:")
        return config
