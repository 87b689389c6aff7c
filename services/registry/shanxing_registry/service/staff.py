"""Staff accounts (ops) for the CLI: the dev account and production ones."""
from __future__ import annotations

import uuid

from shanxing_common.db import Database

from ..adapters import repository as repo
from shanxing_common.passwords import hash_password
from ..runtime import utc_now

DEV_OPS_PHONE = "19900000000"
DEV_OPS_PASSWORD = "shanxing-ops-dev"
OPS_ROLES = ["ops"]


class StaffAccountError(RuntimeError):
    """The account cannot be created as asked (the message says why)."""


def create_ops(db: Database, phone: str, password: str) -> str:
    """A new staff account with the ops role; refuses a phone that is already registered."""
    password_hash = hash_password(password)
    account_id = str(uuid.uuid4())
    with db.transaction() as s:
        if repo.phone_taken(s, phone):
            raise StaffAccountError(f"phone {phone} is already registered")
        repo.insert_account(s, id=account_id, phone=phone, password_hash=password_hash, roles=OPS_ROLES,
                            kind="staff", created_at=utc_now())
    return account_id


def ensure_dev_ops(db: Database) -> tuple[str, bool]:
    """(account id, created?) of the dev ops account; an existing one is kept as it is."""
    with db.read() as s:
        existing = repo.account_by_phone(s, DEV_OPS_PHONE)
    if existing is None:
        try:
            return create_ops(db, DEV_OPS_PHONE, DEV_OPS_PASSWORD), True
        except StaffAccountError:  # another process created it a moment ago
            with db.read() as s:
                existing = repo.account_by_phone(s, DEV_OPS_PHONE)
    if existing.kind != "staff":
        raise StaffAccountError(f"phone {DEV_OPS_PHONE} belongs to a volunteer, not to a staff account")
    if "ops" not in existing.roles:
        with db.transaction() as s:
            repo.set_roles(s, existing.id, sorted(set(existing.roles) | {"ops"}))
    return existing.id, False
