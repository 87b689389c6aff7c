"""shanxing-registry: the shared ops commands plus staff accounts and ID-key rotation."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from shanxing_common.cli import make_cli
from shanxing_common.config import Settings, is_dev
from shanxing_common.db import Database
from shanxing_common.messaging.worker import Job

from .domain.identity import InvalidValue, normalise_mobile
from .service.event_handlers import HANDLERS

SERVICE = "registry"
MIN_PASSWORD, MAX_PASSWORD = 8, 128

REVIEW_ESCALATION_EVERY_SECONDS = 60


def jobs(settings: Settings, db: Database) -> list[Job]:
    from .config import review_due_hours
    from .runtime import utc_now
    from .service.organizations import escalate_overdue_reviews

    due_hours = review_due_hours()
    return [Job("review-escalation", REVIEW_ESCALATION_EVERY_SECONDS,
                lambda: escalate_overdue_reviews(db, utc_now(), due_hours))]


cli = make_cli(service=SERVICE, package="shanxing_registry", handlers=HANDLERS, jobs=jobs)


def _database() -> Database:
    return Database(Settings.from_env(SERVICE).database_url)


@cli.command(name="ensure-dev-ops",
             help="Dev mode only: make sure the ops account 19900000000 / shanxing-ops-dev exists.")
def ensure_dev_ops():
    from .service.staff import DEV_OPS_PHONE, StaffAccountError, ensure_dev_ops as ensure

    if not is_dev():
        raise click.ClickException("ensure-dev-ops runs only with SHANXING_ENV=dev; "
                                   "in production use `shanxing-registry create-ops --phone ...`")
    db = _database()
    try:
        account_id, created = ensure(db)
    except StaffAccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.dispose()
    click.echo(f"registry: dev ops account {DEV_OPS_PHONE} {'created' if created else 'present'} ({account_id})")


@cli.command(name="create-ops", help="Create a staff account with the ops role (password prompted).")
@click.option("--phone", required=True, help="11-digit mainland mobile number to sign in with")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
def create_ops(phone, password_stdin):
    from .service.staff import StaffAccountError, create_ops as create

    try:
        phone = normalise_mobile(phone)
    except InvalidValue as exc:
        raise click.BadParameter(str(exc), param_hint="--phone") from exc
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise click.ClickException(f"the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    db = _database()
    try:
        account_id = create(db, phone, password)
    except StaffAccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.dispose()
    click.echo(f"registry: ops account {phone} created ({account_id})")


@cli.command(name="reencrypt-id-numbers",
             help="Re-encrypt ID numbers made with SHANXING_REGISTRY_ID_KEY_OLD under the current key.")
def reencrypt_id_numbers():
    from .config import RegistryConfig
    from .runtime import Registry
    from .service.volunteers import reencrypt_id_numbers as reencrypt

    db = _database()
    try:
        changed = reencrypt(db, Registry.from_config(RegistryConfig.from_env()))
    finally:
        db.dispose()
    click.echo(f"registry: {changed} ID number(s) re-encrypted under the current key")


@cli.command(name="import-volunteers",
             help="Import volunteers from a CSV file (name,id_number,phone,region_code[,skills,preferences]); "
                  "re-running the same file continues after its last committed batch.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="write rejected rows (line, reasons, values) to this CSV")
@click.option("--batch", "batch_size", type=click.IntRange(1, 100_000), default=5000, show_default=True,
              help="rows per transaction")
@click.option("--workers", type=click.IntRange(0, 32), default=None,
              help="processes that prepare rows while batches are written (0: none; default: up to 2, "
                   "none for a file of one batch)")
def import_volunteers(file, report_path, batch_size, workers):
    from .config import RegistryConfig
    from .runtime import Registry
    from .service.bulk_import import ImportFileError, count_data_rows, import_volunteers as run_import

    db = _database()
    started = time.perf_counter()
    try:
        with click.progressbar(length=count_data_rows(file), label="importing volunteers",
                               file=sys.stderr) as bar:
            result = run_import(db, Registry.from_config(RegistryConfig.from_env()), file,
                                report_path=report_path, batch_size=batch_size, workers=workers,
                                progress=bar.update)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.dispose()
    elapsed = time.perf_counter() - started
    if result.already_complete:
        click.echo(f"registry: this file was already imported ({result.imported} imported, "
                   f"{result.rejected} rejected); nothing to do")
        return
    resumed = f", resumed after line {result.resumed_after_line}" if result.resumed_after_line else ""
    click.echo(f"registry: {result.imported} volunteer(s) imported, {result.rejected} rejected{resumed} "
               f"in {elapsed:.1f} s" + (f"; rejected rows in {report_path}" if report_path else ""))
