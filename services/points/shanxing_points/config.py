"""Settings of the points service, from the environment (overridable per app for tests)."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shanxing_common.config import ConfigError, env, env_bool, env_int, secret

DEFAULT_POINTS_PER_HOUR = 10
DEFAULT_REDEMPTION_CODE_TTL = 300
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class PointsConfig:
    points_per_hour: int
    redemption_code_ttl: int
    secret_key: str

    @classmethod
    def from_env(cls, **overrides) -> "PointsConfig":
        values = dict(overrides)
        if "points_per_hour" not in values:
            values["points_per_hour"] = env_int("SHANXING_POINTS_PER_HOUR", DEFAULT_POINTS_PER_HOUR)
        if "redemption_code_ttl" not in values:
            values["redemption_code_ttl"] = env_int("SHANXING_REDEMPTION_CODE_TTL",
                                                    DEFAULT_REDEMPTION_CODE_TTL)
        if "secret_key" not in values:
            values["secret_key"] = secret("points-secret.key", "SHANXING_POINTS_SECRET_KEY")
        config = cls(**values)
        if config.points_per_hour < 0:
            raise ConfigError("SHANXING_POINTS_PER_HOUR must not be negative")
        if config.redemption_code_ttl < 1:
            raise ConfigError("SHANXING_REDEMPTION_CODE_TTL must be at least 1 second")
        return config


def points_per_hour() -> int:
    """Read at each event, so the worker (which has no app) uses the current setting."""
    rate = env_int("SHANXING_POINTS_PER_HOUR", DEFAULT_POINTS_PER_HOUR)
    if rate < 0:
        raise ConfigError("SHANXING_POINTS_PER_HOUR must not be negative")
    return rate


def verified_hours_only() -> bool:
    """SHANXING_POINTS_VERIFIED_HOURS_ONLY: when on, hours confirmed with verified=false earn nothing."""
    return env_bool("SHANXING_POINTS_VERIFIED_HOURS_ONLY", False)


def calendar_timezone() -> ZoneInfo:
    """SHANXING_TIMEZONE: the zone of calendar dates (daily caps, settlement periods)."""
    name = env("SHANXING_TIMEZONE", DEFAULT_TIMEZONE) or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"SHANXING_TIMEZONE {name!r} is not a known time zone") from exc


def expiry_days() -> int | None:
    """SHANXING_POINTS_EXPIRY_DAYS: days a credit stays spendable; unset (or empty) = points never
    expire. Read at each use, like the rate, so the worker and the app agree."""
    raw = env("SHANXING_POINTS_EXPIRY_DAYS", None)
    if raw is None or not str(raw).strip():
        return None
    try:
        days = int(raw)
    except ValueError:
        raise ConfigError("SHANXING_POINTS_EXPIRY_DAYS must be a whole number of days") from None
    if not 1 <= days <= 36500:
        raise ConfigError("SHANXING_POINTS_EXPIRY_DAYS must be 1 to 36500 days")
    return days


def staff_login_throttle():
    """SHANXING_STAFF_LOGIN_MAX_FAILURES (5) failed sign-ins of one staff account within
    SHANXING_STAFF_LOGIN_WINDOW_SECONDS (900) lock it until the window closes."""
    from shanxing_common.login_throttle import ThrottlePolicy

    policy = ThrottlePolicy(max_failures=env_int("SHANXING_STAFF_LOGIN_MAX_FAILURES", 5),
                            window_seconds=env_int("SHANXING_STAFF_LOGIN_WINDOW_SECONDS", 900))
    if policy.max_failures < 1 or policy.window_seconds < 1:
        raise ConfigError("SHANXING_STAFF_LOGIN_MAX_FAILURES and SHANXING_STAFF_LOGIN_WINDOW_SECONDS "
                          "must be positive")
    return policy


DEFAULT_HOLD_TTL_SECONDS = 900


def hold_ttl_seconds() -> int:
    """SHANXING_POINTS_HOLD_TTL_SECONDS: how long a pending two-phase redemption keeps the points
    and stock before the worker voids it (default 15 minutes; 60 s to 1 day)."""
    ttl = env_int("SHANXING_POINTS_HOLD_TTL_SECONDS", DEFAULT_HOLD_TTL_SECONDS)
    if not 60 <= ttl <= 86400:
        raise ConfigError("SHANXING_POINTS_HOLD_TTL_SECONDS must be 60 to 86400 seconds")
    return ttl


def redeem_in_database() -> bool:
    """SHANXING_POINTS_REDEEM_IN_DATABASE (on): on PostgreSQL, a redemption's happy path runs as one
    server-side function call (decision 0022); off runs every redemption statement by statement."""
    return env_bool("SHANXING_POINTS_REDEEM_IN_DATABASE", True)
