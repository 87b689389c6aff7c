"""The gateway's per-process parts, built once by create_app and found through the app context."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from shanxing_common import internal_auth
from shanxing_common.config import Settings
from shanxing_common.db import Database
from shanxing_common.web import context

from .adapters.points_keys import fetch_merchant_key, service_token
from .adapters.redis_store import RedisStore
from .adapters.upstream import Upstreams
from .auth import Identity
from .auth.merchants import MerchantKeyCache, RedisReplayGuard, ReplayGuard
from .auth.people import PeopleTokens
from .auth.staff import StaffTokens
from .config import GatewayConfig
from .ratelimit import RateLimiter, RateWindows, RedisRateWindows


@dataclass
class Gateway:
    settings: Settings
    config: GatewayConfig
    upstreams: Upstreams
    people: PeopleTokens
    staff: StaffTokens
    merchant_keys: MerchantKeyCache
    replay_guard: ReplayGuard | RedisReplayGuard
    rate_windows: RateWindows | RedisRateWindows
    address_limit: RateLimiter  # registration and login, per client address
    person_limit: RateLimiter  # every request with a person's token, per person
    tokens: internal_auth.TokenMinter
    redis: RedisStore | None  # where nonces and counters are when configured (else the database)

    @classmethod
    def build(cls, settings: Settings, config: GatewayConfig, db: Database) -> "Gateway":
        upstreams = Upstreams(settings.peers, connect_timeout=config.connect_timeout_seconds,
                              read_timeout=config.read_timeout_seconds, pool_size=config.pool_size)
        redis = (RedisStore(config.redis_url, config.redis_prefix, config.redis_timeout_seconds)
                 if config.redis_url else None)
        return cls(settings=settings, config=config, upstreams=upstreams,
                   people=PeopleTokens(config.jwt_secret, config.token_ttl_seconds),
                   staff=StaffTokens(config.jwt_secret, config.staff_token_ttl_seconds),
                   merchant_keys=MerchantKeyCache(partial(fetch_merchant_key, upstreams, settings.internal_key),
                                                  config.merchant_key_cache_seconds),
                   replay_guard=cls._replay_guard(config, db, redis),
                   tokens=internal_auth.TokenMinter(settings.internal_key), redis=redis,
                   **cls._people_limits(config, RedisRateWindows(redis) if redis else RateWindows(db)))

    @staticmethod
    def _replay_guard(config: GatewayConfig, db: Database, redis: RedisStore | None):
        rate = config.merchant_rate_per_second
        if redis:  # exact counting in the same round trip as the nonce: no leases needed
            return RedisReplayGuard(redis, rate)
        return ReplayGuard(db, rate, lease=merchant_lease(rate))

    @staticmethod
    def _people_limits(config: GatewayConfig, windows: RateWindows | RedisRateWindows) -> dict:
        address_rate = config.address_rate_per_minute if config.address_rate_limit else 0
        return {"rate_windows": windows,
                "address_limit": RateLimiter(windows, "address", address_rate, 60,
                                             "registration and login requests from this address"),
                "person_limit": RateLimiter(windows, "person", config.person_rate_per_minute, 60,
                                            "requests of this person",
                                            lease=person_lease(config.person_rate_per_minute))}

    def service_token(self, request_id: str | None = None) -> str:
        return service_token(self.settings.internal_key, request_id)

    def internal_token(self, identity: Identity) -> str | None:
        """The identity the services will trust; None for anonymous callers (no header at all)."""
        if identity.kind == "anonymous":
            return None
        return self.tokens.token(kind=identity.kind, subject=identity.subject, roles=identity.roles,
                                 merchant_id=identity.merchant_id,
                                 credentials_version=identity.credentials_version)


def person_lease(rate_per_minute: int) -> int:
    """Slots a process takes at once for a person: up to 10, and exact counting for small limits."""
    return max(1, min(10, rate_per_minute // 60))


def merchant_lease(rate_per_second: int) -> int:
    """Slots a process takes at once for a merchant key: up to 10, exact counting below 20/s."""
    return max(1, min(10, rate_per_second // 10))


def gateway() -> Gateway:
    return context().extra["gateway"]
