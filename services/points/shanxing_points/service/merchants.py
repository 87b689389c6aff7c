"""Use cases of ops (merchants and their keys) and of merchants (goods)."""
from __future__ import annotations

import uuid

from shanxing_common.db import Database

from ..adapters import ledger, repository
from ..adapters.secret_box import SecretBox
from ..adapters.sql import utcnow
from ..domain import merchant_keys
from ..domain.errors import Conflict, InvalidInput
from .pagination import decode_cursor, encode_cursor


def create_merchant(db: Database, box: SecretBox, *, name: str, address: str) -> dict:
    """A merchant with its ledger account and one active signing key (the secret shown once)."""
    now = utcnow()
    merchant_id = str(uuid.uuid4())
    key_id, key_secret = merchant_keys.new_key_id(), merchant_keys.new_key_secret()
    with db.transaction() as s:
        repository.insert_merchant(s, dict(id=merchant_id, name=name, address=address, status="active",
                                           created_at=now))
        repository.insert_merchant_key(s, dict(key_id=key_id, merchant_id=merchant_id,
                                               secret_ciphertext=box.seal(key_secret), status="active",
                                               created_at=now))
        ledger.ensure_account(s, ledger.MERCHANT, merchant_id, name)
    return {"id": merchant_id, "name": name, "address": address, "status": "active",
            "key_id": key_id, "key_secret": key_secret, "created_at": now}


def key_for_gateway(db: Database, box: SecretBox, key_id: str) -> dict | None:
    """The key and its secret for signature checks; only an active key of an active merchant is
    reported active."""
    with db.read() as s:
        key = repository.merchant_key(s, key_id)
    if key is None:
        return None
    active = key["status"] == "active" and key["merchant_status"] == "active"
    return {"key_id": key["key_id"], "merchant_id": key["merchant_id"],
            "secret": box.open(key["secret_ciphertext"]), "status": "active" if active else "revoked"}


def add_good(db: Database, merchant_id: str, *, sku: str, name: str, points: int, stock: int) -> dict:
    good = dict(id=str(uuid.uuid4()), merchant_id=merchant_id, sku=sku, name=name, points=points,
                stock=stock, created_at=utcnow())
    with db.transaction() as s:
        if not repository.insert_good(s, good):
            raise Conflict(f"this merchant already has a good with sku {sku}", field="sku")
    return good


def list_goods(db: Database, merchant_id: str, *, cursor: str | None, limit: int) -> dict:
    after_sku = decode_cursor(cursor)
    if after_sku is not None and not isinstance(after_sku, str):
        raise InvalidInput("not a cursor this list gave out", field="cursor")
    with db.read() as s:
        rows = repository.list_goods(s, merchant_id, after_sku=after_sku, limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    return {"items": page, "next": encode_cursor(page[-1]["sku"]) if more else None}
