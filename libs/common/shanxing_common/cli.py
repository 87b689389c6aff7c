"""The ops commands every service has: serve, worker, migrate, dead-letters."""
from __future__ import annotations

import os
import sys
from typing import Callable

import click

from .config import Settings
from .db import Database
from .messaging.consumer import FeedFollower, Inbox
from .messaging.worker import Job, Worker
from .migrations import upgrade


def make_cli(*, service: str, package: str, handlers: dict | None = None,
             jobs: Callable[[Settings, Database], list[Job]] | None = None) -> click.Group:
    @click.group(help=f"Shanxing {service} service: ops commands.")
    def cli():
        from .logs import configure

        configure(service)

    @cli.command(help="Apply database migrations (alembic upgrade head).")
    def migrate():
        settings = Settings.from_env(service)
        upgrade(package, settings.database_url)
        click.echo(f"{service}: database at head")

    @cli.command(help="Run the outbox relay, the event consumer, the feed follower and scheduled jobs.")
    def worker():
        settings = Settings.from_env(service)
        db = Database(settings.database_url)
        inbox = follower = None
        if handlers:
            inbox = Inbox(service, db, handlers, settings.max_delivery_attempts)
            follower = FeedFollower(inbox, settings.internal_key, settings.peers)
        Worker(service=service, db=db, broker_url=settings.broker_url, inbox=inbox, follower=follower,
               jobs=jobs(settings, db) if jobs else [], relay_poll_seconds=settings.relay_poll_seconds,
               feed_poll_seconds=settings.feed_poll_seconds).run()

    @cli.command(help="Serve the HTTP API with gunicorn (WEB_CONCURRENCY workers, default 2; WEB_THREADS threads each, default 1).")
    @click.option("--port", type=int, default=None)
    def serve(port):
        settings = Settings.from_env(service)
        bind = f"{os.environ.get('SHANXING_BIND_HOST', '127.0.0.1')}:{port or settings.port}"
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # one metrics dir per service, fresh
            import shutil

            metrics_dir = settings.data_dir / "prometheus" / service
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        args = ["gunicorn", "--bind", bind, "--workers", os.environ.get("WEB_CONCURRENCY", "2"),
                # WEB_THREADS > 1 selects gthread workers (good for I/O-bound processes: the gateway)
                "--threads", os.environ.get("WEB_THREADS", "1"),
                "--config", "python:shanxing_common.gunicorn_conf", "--name", f"shanxing-{service}",
                f"{package}:create_app()"]
        os.execvp(sys.executable, [sys.executable, "-m", *args])

    @cli.group(name="dead-letters", help="Events parked after repeated handler failures.")
    def dead_letters():
        pass

    @dead_letters.command(name="list")
    def dl_list():
        from sqlalchemy import select

        from .messaging.outbox import tables

        settings = Settings.from_env(service)
        t = tables().delivery_failures
        with Database(settings.database_url).read() as s:
            rows = s.execute(select(t.c.event_id, t.c.type, t.c.attempts, t.c.last_error)
                             .where(t.c.dead == 1)).all()
        for row in rows:
            click.echo(f"{row.event_id}\t{row.type}\tattempts={row.attempts}\t{row.last_error}")
        click.echo(f"{len(rows)} dead letter(s)")

    @dead_letters.command(name="replay")
    @click.argument("event_id", required=False)
    def dl_replay(event_id):
        settings = Settings.from_env(service)
        inbox = Inbox(service, Database(settings.database_url), handlers or {},
                      settings.max_delivery_attempts)
        for eid, outcome in inbox.replay_dead(event_id):
            click.echo(f"{eid}\t{outcome}")

    return cli
