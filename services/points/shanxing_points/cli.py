import json
import os
import sys

import click
from shanxing_common.cli import make_cli
from shanxing_common.config import database_url

from shanxing_common.messaging.worker import Job

from .service.event_handlers import HANDLERS

EXPIRY_EVERY_SECONDS = 60
HOLD_EXPIRY_EVERY_SECONDS = 30


def jobs(settings, db):
    """Expire due point lots once a minute (a no-op unless SHANXING_POINTS_EXPIRY_DAYS is set) and
    void expired redemption holds every 30 s."""
    from .adapters.sql import utcnow
    from .service.expiry import expire_due
    from .service.holds import void_expired

    return [Job("points-expiry", EXPIRY_EVERY_SECONDS, lambda: expire_due(db, utcnow())),
            Job("redemption-hold-expiry", HOLD_EXPIRY_EVERY_SECONDS, lambda: void_expired(db))]


cli = make_cli(service="points", package="shanxing_points", handlers=HANDLERS, jobs=jobs)

# A redemption waits on the database (SQLite's write lock, PostgreSQL round trips) and on the
# gateway reading the answer; gthread workers serve other requests meanwhile and keep the
# gateway's connections alive (README "Benchmark: redemption throughput"). On SQLite, whose one
# writer serialises redemptions anyway, 2 threads measured better than 4 (less GIL and lock
# contention); PostgreSQL's round trips want more threads to overlap.
DEFAULT_POINTS_THREADS = "2"
DEFAULT_POINTS_THREADS_POSTGRES = "4"


def default_points_threads() -> str:
    postgres = database_url("points").startswith("postgresql")
    return DEFAULT_POINTS_THREADS_POSTGRES if postgres else DEFAULT_POINTS_THREADS


_shared_serve = cli.commands["serve"]


@cli.command(name="serve", help="Serve the points API with gunicorn: WEB_CONCURRENCY worker processes "
                                "(default 2), each with SHANXING_POINTS_THREADS threads "
                                f"(else WEB_THREADS, else {DEFAULT_POINTS_THREADS} on SQLite and "
                                f"{DEFAULT_POINTS_THREADS_POSTGRES} on PostgreSQL; gthread workers).")
@click.option("--port", type=int, default=None)
@click.pass_context
def serve(ctx, port):
    threads = os.environ.get("SHANXING_POINTS_THREADS") or os.environ.get("WEB_THREADS") or default_points_threads()
    os.environ["WEB_THREADS"] = threads  # read by the shared serve command
    ctx.invoke(_shared_serve, port=port)


@cli.command(help="Check the ledger: balances sum to 0, each balance equals its postings, every "
                  "transfer has two postings that cancel, no volunteer balance is negative, volunteer "
                  "counters agree (balance - debt = earned - redeemed - expired), no account's point lots hold "
                  "more than its balance, every hours record and bonus "
                  "credited once with its points, every redemption debited once, every refund moved "
                  "once and refunds never beyond their redemption. Prints the report as JSON; exits 1 "
                  "when any check fails.")
def reconcile():
    from shanxing_common.config import Settings
    from shanxing_common.db import Database

    from .adapters import ledger

    settings = Settings.from_env("points")
    with Database(settings.database_url).read() as session:
        report = ledger.books_report(session)
    click.echo(json.dumps(report, indent=2))
    if not ledger.books_balanced(report):
        sys.exit(1)
