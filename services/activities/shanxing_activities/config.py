"""Settings of this service beyond the shared ones."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shanxing_common.config import ConfigError, Settings, env

DEFAULT_TIMEZONE = "Asia/Shanghai"


def local_timezone(settings: Settings) -> ZoneInfo:
    """SHANXING_TIMEZONE (or settings.extra["timezone"]): the zone of calendar days and periods."""
    name = settings.extra.get("timezone") or env("SHANXING_TIMEZONE", DEFAULT_TIMEZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"SHANXING_TIMEZONE: unknown time zone {name!r}") from exc
