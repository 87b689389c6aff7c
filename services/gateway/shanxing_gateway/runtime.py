"""The gateway's per-process parts, built once by create_app and found through the app context."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from shanxing_common import internal_auth
from shanxing_common.config import Settings
from shanxing_common.db import Database
from shanxing_common.web import context

from .adapters.upstream import UpstreamUnavailable, Upstreams
from .auth import Identity
from .auth.merchants import MerchantKey, MerchantKeyCache, ReplayGuard
from .auth.people import PeopleTokens
from .config import GatewayConfig

SERVICE_SUBJECT = "gateway"


@dataclass
class Gateway:
    settings: Settings
    config: GatewayConfig
    upstreams: Upstreams
    people: PeopleTokens
    merchant_keys: MerchantKeyCache
    replay_guard: ReplayGuard

    @classmethod
    def build(cls, settings: Settings, config: GatewayConfig, db: Database) -> "Gateway":
        upstreams = Upstreams(settings.peers, connect_timeout=config.connect_timeout_seconds,
                              read_timeout=config.read_timeout_seconds, pool_size=config.pool_size)
        gateway = cls(settings=settings, config=config, upstreams=upstreams,
                      people=PeopleTokens(config.jwt_secret, config.token_ttl_seconds),
                      merchant_keys=None,  # type: ignore[arg-type] - set just below
                      replay_guard=ReplayGuard(db, config.merchant_rate_per_second))
        gateway.merchant_keys = MerchantKeyCache(gateway.fetch_merchant_key, config.merchant_key_cache_seconds)
        return gateway

    def service_token(self, request_id: str | None = None) -> str:
        return internal_auth.mint(self.settings.internal_key, kind="service", subject=SERVICE_SUBJECT,
                                  request_id=request_id)

    def internal_token(self, identity: Identity, request_id: str | None) -> str | None:
        """The identity the services will trust; None for anonymous callers (no header at all)."""
        if identity.kind == "anonymous":
            return None
        return internal_auth.mint(self.settings.internal_key, kind=identity.kind, subject=identity.subject,
                                  roles=identity.roles, merchant_id=identity.merchant_id,
                                  request_id=request_id)

    def fetch_merchant_key(self, key_id: str) -> MerchantKey | None:
        response = self.upstreams.request(
            "points", "GET", f"/internal/merchant-keys/{quote(key_id, safe='')}",
            headers={internal_auth.HEADER: self.service_token(), "Accept": "application/json"})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise UpstreamUnavailable("points", f"points answered {response.status_code} for a merchant key")
        try:
            body = response.json()
            return MerchantKey(key_id=str(body["key_id"]), merchant_id=str(body["merchant_id"]),
                               secret=str(body["secret"]), status=str(body["status"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise UpstreamUnavailable("points", "points sent a malformed merchant key") from exc


def gateway() -> Gateway:
    return context().extra["gateway"]
