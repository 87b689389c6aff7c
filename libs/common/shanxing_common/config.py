"""Settings from environment variables only.

Conventions (documented in the README):
- SHANXING_ENV=dev|production (default production; `make run` and tests set dev).
- SHANXING_DATA_DIR (default ./var) holds the embedded default's files.
- SHANXING_GATEWAY_PORT (default 8000); registry, activities and points take the next ports up.
- SHANXING_<SERVICE>_DATABASE_URL, else DATABASE_URL (where ``{service}`` expands to the service
  name), else a SQLite file in the data dir.
- SHANXING_BROKER_URL or BROKER_URL, else kombu's SQLAlchemy transport on a SQLite file.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("gateway", "registry", "activities", "points")
PORT_OFFSETS = {"gateway": 0, "registry": 1, "activities": 2, "points": 3}


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the process must not start."""


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    raw = env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def data_dir() -> Path:
    return Path(env("SHANXING_DATA_DIR", "./var")).resolve()


def is_dev() -> bool:
    return env("SHANXING_ENV", "production") == "dev"


def gateway_port() -> int:
    return env_int("SHANXING_GATEWAY_PORT", 8000)


def service_port(service: str) -> int:
    return env_int(f"SHANXING_{service.upper()}_PORT", gateway_port() + PORT_OFFSETS[service])


def service_url(service: str) -> str:
    return env(f"SHANXING_{service.upper()}_URL", f"http://127.0.0.1:{service_port(service)}").rstrip("/")


def database_url(service: str) -> str:
    url = env(f"SHANXING_{service.upper()}_DATABASE_URL") or env("DATABASE_URL")
    if url:
        return normalise_database_url(url.replace("{service}", service))
    return f"sqlite:///{data_dir() / (service + '.db')}"


def normalise_database_url(url: str) -> str:
    # psycopg 3 is the driver we ship; accept the plain scheme ops usually write.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def broker_url() -> str:
    return env("SHANXING_BROKER_URL") or env("BROKER_URL") or f"sqla+sqlite:///{data_dir() / 'bus.db'}"


def _dev_secret(name: str) -> str:
    """A per-checkout random secret kept in the data dir, created once (race-safe)."""
    path = data_dir() / "secrets" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    for _ in range(100):  # another process may be between create and write
        value = path.read_text().strip()
        if value:
            return value
        import time

        time.sleep(0.01)
    raise ConfigError(f"dev secret {path} is empty")


def secret(name: str, env_name: str) -> str:
    """A secret from the environment; dev mode falls back to a generated one in the data dir."""
    value = env(env_name)
    if value:
        return value
    if is_dev():
        return _dev_secret(name)
    raise ConfigError(f"{env_name} must be set in production")


@dataclass
class Settings:
    service: str
    dev: bool
    data_dir: Path
    database_url: str
    broker_url: str
    internal_key: str
    port: int
    peers: dict[str, str] = field(default_factory=dict)
    feed_poll_seconds: float = 5.0
    relay_poll_seconds: float = 0.2
    max_delivery_attempts: int = 5
    extra: dict = field(default_factory=dict)

    @property
    def embedded_broker(self) -> bool:
        return not self.broker_url.startswith(("amqp://", "amqps://", "pyamqp://"))

    @classmethod
    def from_env(cls, service: str, **overrides) -> "Settings":
        dd = data_dir()
        values = dict(
            service=service,
            dev=is_dev(),
            data_dir=dd,
            database_url=database_url(service),
            broker_url=broker_url(),
            internal_key=secret("internal.key", "SHANXING_INTERNAL_KEY"),
            port=service_port(service),
            peers={s: service_url(s) for s in SERVICES if s != service},
            feed_poll_seconds=float(env("SHANXING_FEED_POLL_SECONDS", "5")),
            relay_poll_seconds=float(env("SHANXING_RELAY_POLL_SECONDS", "0.2")),
            max_delivery_attempts=env_int("SHANXING_MAX_DELIVERY_ATTEMPTS", 5),
        )
        values.update(overrides)
        if values["database_url"].startswith("sqlite:///"):
            Path(values["database_url"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        return cls(**values)
