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


def _positive_int(settings: Settings, key: str, env_name: str, default: int) -> int:
    """A whole-number setting ≥ 1: from the test/app overrides (settings.extra), else the environment."""
    raw = settings.extra.get(key) or env(env_name)
    try:
        value = int(raw) if raw is not None else default
    except ValueError as exc:
        raise ConfigError(f"{env_name} must be an integer, got {raw!r}") from exc
    if value < 1:
        raise ConfigError(f"{env_name} must be at least 1")
    return value


def review_due_hours(settings: Settings) -> int:
    """SHANXING_REVIEW_DUE_HOURS (default 48): how long a review level has before it escalates."""
    from .domain.review import DEFAULT_REVIEW_DUE_HOURS

    return _positive_int(settings, "review_due_hours", "SHANXING_REVIEW_DUE_HOURS", DEFAULT_REVIEW_DUE_HOURS)


def checkin_radius_meters(settings: Settings) -> int:
    """SHANXING_CHECKIN_RADIUS_METERS (default 500): how far from the activity a check-in may be."""
    from .domain.checkin import DEFAULT_RADIUS_METERS

    return _positive_int(settings, "checkin_radius_meters", "SHANXING_CHECKIN_RADIUS_METERS",
                         DEFAULT_RADIUS_METERS)


def nearby_meters(settings: Settings) -> int:
    """SHANXING_NEARBY_METERS (default 1200): recommendations within it score highest."""
    from .domain.recommendation import DEFAULT_NEARBY_METERS

    return _positive_int(settings, "nearby_meters", "SHANXING_NEARBY_METERS", DEFAULT_NEARBY_METERS)
