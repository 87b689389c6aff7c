"""What registry's use cases need beside the database: its settings, the ID vault and a clock."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from shanxing_common.config import env

from .adapters.id_vault import IdNumberVault
from .config import RegistryConfig


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Registry:
    config: RegistryConfig
    vault: IdNumberVault
    clock: Callable[[], datetime] = utc_now
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(env("SHANXING_TIMEZONE", "Asia/Shanghai")))

    @classmethod
    def from_config(cls, config: RegistryConfig, clock: Callable[[], datetime] | None = None) -> "Registry":
        vault = IdNumberVault(config.id_key, config.id_hash_key, config.old_id_keys)
        return cls(config=config, vault=vault, clock=clock or utc_now)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The calendar day where the service runs (a birth date may not be after it)."""
        return self.now().astimezone(self.timezone).date()


def registry() -> Registry:
    from shanxing_common.web import context

    return context().extra["registry"]
