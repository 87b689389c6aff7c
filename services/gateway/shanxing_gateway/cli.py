import time

import click

from shanxing_common.cli import make_cli

cli = make_cli(service="gateway", package="shanxing_gateway")


@cli.command(name="purge-nonces", help="Forget merchant nonces past the replay window and old rate windows.")
def purge_nonces():
    from shanxing_common.config import Settings
    from shanxing_common.db import Database

    from .auth.merchants import ReplayGuard
    from .config import GatewayConfig

    settings = Settings.from_env("gateway")
    guard = ReplayGuard(Database(settings.database_url), GatewayConfig.from_env().merchant_rate_per_second)
    nonces, windows = guard.purge(time.time())
    click.echo(f"gateway: purged {nonces} nonce(s) and {windows} rate window(s)")
