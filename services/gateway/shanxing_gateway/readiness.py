"""Readiness: the gateway is ready when each service answers 200 on its /readyz (and its Redis
answers, when nonces and counters are kept there)."""
from __future__ import annotations

from typing import Callable

from .adapters.upstream import UpstreamError
from .config import GatewayConfig
from .runtime import gateway

SERVICES = ("registry", "activities", "points")


def service_check(service: str) -> Callable[[], None]:
    def check() -> None:  # runs inside the /readyz request, where gateway() is available
        gw = gateway()
        try:
            response = gw.upstreams.request(service, "GET", "/readyz", headers={"Accept": "application/json"},
                                            read_timeout=gw.config.ready_timeout_seconds)
        except UpstreamError as exc:
            raise RuntimeError(exc.detail) from exc
        if response.status_code != 200:
            raise RuntimeError(f"{service} answered {response.status_code} on /readyz")

    check.__name__ = service  # the shared /readyz names a failed check by its function name
    return check


def redis() -> None:
    """Without Redis no signed or rate-limited request is admitted, so the gateway is not ready."""
    gateway().redis.ping()


def checks(config: GatewayConfig) -> list[Callable[[], None]]:
    services = [service_check(service) for service in SERVICES]
    return services + [redis] if config.redis_url else services
