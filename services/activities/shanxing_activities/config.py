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


def review_due_hours(settings: Settings) -> int:
    """SHANXING_REVIEW_DUE_HOURS (default 48): how long a review level has before it escalates."""
    from .domain.review import DEFAULT_REVIEW_DUE_HOURS

    raw = settings.extra.get("review_due_hours") or env("SHANXING_REVIEW_DUE_HOURS")
    try:
        hours = int(raw) if raw is not None else DEFAULT_REVIEW_DUE_HOURS
    except ValueError as exc:
        raise ConfigError(f"SHANXING_REVIEW_DUE_HOURS must be an integer, got {raw!r}") from exc
    if hours < 1:
        raise ConfigError("SHANXING_REVIEW_DUE_HOURS must be at least 1")
    return hours


def checkin_radius_meters(settings: Settings) -> int:
    """SHANXING_CHECKIN_RADIUS_METERS (default 500): how far from the activity a check-in may be."""
    from .domain.checkin import DEFAULT_RADIUS_METERS

    raw = settings.extra.get("checkin_radius_meters") or env("SHANXING_CHECKIN_RADIUS_METERS")
    try:
        meters = int(raw) if raw is not None else DEFAULT_RADIUS_METERS
    except ValueError as exc:
        raise ConfigError(f"SHANXING_CHECKIN_RADIUS_METERS must be an integer, got {raw!r}") from exc
    if meters < 1:
        raise ConfigError("SHANXING_CHECKIN_RADIUS_METERS must be at least 1")
    return meters


def nearby_meters(settings: Settings) -> int:
    """SHANXING_NEARBY_METERS (default 1200): recommendations within it score highest."""
    from .domain.recommendation import DEFAULT_NEARBY_METERS

    raw = settings.extra.get("nearby_meters") or env("SHANXING_NEARBY_METERS")
    try:
        meters = int(raw) if raw is not None else DEFAULT_NEARBY_METERS
    except ValueError as exc:
        raise ConfigError(f"SHANXING_NEARBY_METERS must be an integer, got {raw!r}") from exc
    if meters < 1:
        raise ConfigError("SHANXING_NEARBY_METERS must be at least 1")
    return meters
