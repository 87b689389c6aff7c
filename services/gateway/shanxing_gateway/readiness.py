"""Readiness: the gateway is ready when each service answers 200 on its /readyz."""
from __future__ import annotations

from typing import Callable

from .adapters.upstream import UpstreamError
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


def checks() -> list[Callable[[], None]]:
    return [service_check(service) for service in SERVICES]
