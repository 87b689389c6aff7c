import os
import time

import click

from shanxing_common.cli import make_cli

cli = make_cli(service="gateway", package="shanxing_gateway")

# The gateway mostly waits on the services: gthread workers keep serving while a request waits.
DEFAULT_GATEWAY_THREADS = "16"
_shared_serve = cli.commands["serve"]


@cli.command(name="serve", help="Serve the gateway with gunicorn: WEB_CONCURRENCY worker processes "
                                "(default 2), each with SHANXING_GATEWAY_THREADS threads "
                                f"(else WEB_THREADS, else {DEFAULT_GATEWAY_THREADS}; gthread workers).")
@click.option("--port", type=int, default=None)
@click.pass_context
def serve(ctx, port):
    threads = os.environ.get("SHANXING_GATEWAY_THREADS") or os.environ.get("WEB_THREADS") or DEFAULT_GATEWAY_THREADS
    os.environ["WEB_THREADS"] = threads  # read by the shared serve command
    ctx.invoke(_shared_serve, port=port)


@cli.command(name="purge-nonces", help="Forget merchant nonces past the replay window and old rate windows.")
def purge_nonces():
    from shanxing_common.config import Settings
    from shanxing_common.db import Database

    from .auth.merchants import ReplayGuard
    from .config import GatewayConfig
    from .ratelimit import RateWindows

    settings = Settings.from_env("gateway")
    db = Database(settings.database_url)
    now = time.time()
    nonces, merchant_windows = ReplayGuard(db, GatewayConfig.from_env().merchant_rate_per_second).purge(now)
    people_windows = RateWindows(db).purge(now)
    click.echo(f"gateway: purged {nonces} nonce(s) and {merchant_windows + people_windows} rate window(s)")
