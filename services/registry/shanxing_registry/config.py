"""Registry's own settings, from environment variables only (see README)."""
from __future__ import annotations

from dataclasses import dataclass, field

from shanxing_common.config import ConfigError, env, env_int, secret

from .domain.hours import DEFAULT_STAR_THRESHOLDS_HOURS
from shanxing_common.login_throttle import ThrottlePolicy
from .domain.organizations import DEFAULT_REVIEW_DUE_HOURS
from .domain.teams import DEFAULT_TEAM_STAR_THRESHOLDS_HOURS

MIN_SECRET_LENGTH = 32


def _checked_secret(file_name: str, env_name: str) -> str:
    value = secret(file_name, env_name)  # dev mode: generated once into $SHANXING_DATA_DIR/secrets
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{env_name} must be at least {MIN_SECRET_LENGTH} characters")
    return value


def _thresholds(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = env(name)
    if raw is None:
        return default
    try:
        values = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigError(f"{name} must be comma-separated integers, got {raw!r}") from exc
    if not values or list(values) != sorted(set(values)) or values[0] <= 0:
        raise ConfigError(f"{name} must be positive and strictly ascending")
    return values


def star_thresholds_hours() -> tuple[int, ...]:
    return _thresholds("SHANXING_STAR_THRESHOLDS_HOURS", DEFAULT_STAR_THRESHOLDS_HOURS)


def team_star_thresholds_hours() -> tuple[int, ...]:
    return _thresholds("SHANXING_TEAM_STAR_THRESHOLDS_HOURS", DEFAULT_TEAM_STAR_THRESHOLDS_HOURS)


def review_due_hours() -> int:
    """SHANXING_REVIEW_DUE_HOURS: how long each review level has (the worker needs no other setting)."""
    hours = env_int("SHANXING_REVIEW_DUE_HOURS", DEFAULT_REVIEW_DUE_HOURS)
    if hours < 1:
        raise ConfigError("SHANXING_REVIEW_DUE_HOURS must be positive")
    return hours


@dataclass(frozen=True)
class RegistryConfig:
    id_key: str
    id_hash_key: str
    old_id_keys: tuple[str, ...] = ()
    cert_key: str = ""  # HMAC key of certificate verification codes
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    review_due_hours: int = DEFAULT_REVIEW_DUE_HOURS  # per review level of an organization application

    @classmethod
    def from_env(cls) -> "RegistryConfig":
        old = env("SHANXING_REGISTRY_ID_KEY_OLD")
        throttle = ThrottlePolicy(max_failures=env_int("SHANXING_LOGIN_MAX_FAILURES", 5),
                                  window_seconds=env_int("SHANXING_LOGIN_WINDOW_SECONDS", 900))
        if throttle.max_failures < 1 or throttle.window_seconds < 1:
            raise ConfigError("SHANXING_LOGIN_MAX_FAILURES and SHANXING_LOGIN_WINDOW_SECONDS must be positive")
        star_thresholds_hours()  # fail at start-up, not in the first hours event
        team_star_thresholds_hours()
        return cls(id_key=_checked_secret("registry-id.key", "SHANXING_REGISTRY_ID_KEY"),
                   id_hash_key=_checked_secret("registry-id-hash.key", "SHANXING_REGISTRY_ID_HASH_KEY"),
                   old_id_keys=tuple(k.strip() for k in old.split(",") if k.strip()) if old else (),
                   cert_key=_checked_secret("registry-cert.key", "SHANXING_REGISTRY_CERT_KEY"),
                   throttle=throttle, review_due_hours=review_due_hours())
