"""Helpers for the services' test suites (fresh databases, callers, event delivery)."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text

from . import internal_auth
from .config import Settings, normalise_database_url
from .db import make_engine
from .messaging.envelope import new_event
from .migrations import upgrade

TEST_INTERNAL_KEY = "test-internal-key-0123456789abcdef0123456789"


class FakeClock:
    """A clock tests move by hand instead of sleeping: ``clock()`` or ``clock.now()``."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment

    __call__ = now

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.moment += timedelta(**delta)


def database_url_for_tests(service: str, tmp_path: Path) -> str:
    """PostgreSQL when DATABASE_URL is set (``{service}`` expands), else a fresh SQLite file."""
    url = os.environ.get(f"SHANXING_{service.upper()}_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url.replace("{service}", service))
    return f"sqlite:///{tmp_path / (service + '.db')}"


# SQLite templates migrated once per test process, then copied for each test.
_templates: dict[tuple[str, str], str] = {}


def fresh_database(service: str, package: str, tmp_path: Path) -> str:
    """An empty database migrated to head (on SQLite a copy of a file migrated once per process)."""
    url = database_url_for_tests(service, tmp_path)
    if url.startswith("postgresql"):
        _fresh_postgres(package, url)
    else:
        _fresh_sqlite(package, url)
    return url


def _fresh_sqlite(package: str, url: str) -> None:
    import shutil
    import tempfile

    template = _templates.get((package, "sqlite"))
    if template is None:
        template = str(Path(tempfile.mkdtemp(prefix="shanxing-template-")) / "template.db")
        upgrade(package, f"sqlite:///{template}")  # disposes its engines: the WAL is checkpointed
        _templates[(package, "sqlite")] = template
    shutil.copyfile(template, url[len("sqlite:///"):])


def _fresh_postgres(package: str, url: str) -> None:
    # Measured: CREATE DATABASE … TEMPLATE is no faster than a fresh schema plus migrations here.
    ensure_postgres_database(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(package, url)


def ensure_postgres_database(url: str, *, recreate: bool = False) -> None:
    """Create the database named in ``url`` if it is missing (or drop and create it)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": target.database}).first()
            if exists and recreate:
                conn.execute(text(f'DROP DATABASE "{target.database}" WITH (FORCE)'))
                exists = None
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def test_settings(service: str, package: str, tmp_path: Path, **overrides) -> Settings:
    os.environ.setdefault("SHANXING_ENV", "dev")
    values = dict(database_url=fresh_database(service, package, tmp_path),
                  broker_url=os.environ.get("BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'bus.db'}",
                  internal_key=TEST_INTERNAL_KEY, data_dir=tmp_path, dev=True,
                  # never reach a dev server that happens to run on the default ports
                  peers={s: "http://127.0.0.1:9" for s in ("gateway", "registry", "activities", "points")
                         if s != service})
    values.update(overrides)
    return Settings.from_env(service, **values)


def headers_for(kind: str = "person", subject: str | None = None, roles=(), merchant_id=None,
                key: str = TEST_INTERNAL_KEY, ttl: int = 3600, credentials_version: int | None = None) -> dict:
    """The header the gateway would add for this caller (valid an hour, so module-level headers
    outlive a slow test run; the gateway's own tokens live 60 s)."""
    return {internal_auth.HEADER: internal_auth.mint(key, kind=kind, subject=subject, roles=roles,
                                                     merchant_id=merchant_id, ttl=ttl,
                                                     credentials_version=credentials_version)}


def deliver(app, type_: str, data: dict, *, producer: str | None = None, event_id: str | None = None) -> str:
    """Hand an event to the app's inbox as the broker would; returns the outcome."""
    ctx = app.extensions["shanxing"]
    event = new_event(type_, data, producer=producer or type_.split(".", 1)[0], event_id=event_id)
    return ctx.inbox.process(event.as_dict())


def outbox_events(app, type_: str | None = None) -> list[dict]:
    """Events the app has written to its outbox (oldest first)."""
    import json

    from sqlalchemy import select

    from .messaging.outbox import tables

    t = tables().outbox
    q = select(t.c.envelope).order_by(t.c.id)
    if type_:
        q = q.where(t.c.type == type_)
    with app.extensions["shanxing"].db.read() as s:
        return [json.loads(row) for row in s.execute(q).scalars()]


def run_together(count: int, work):
    """Call ``work(i)`` for i in range(count) on as many threads, released at once; their results."""
    import threading

    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        barrier.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
