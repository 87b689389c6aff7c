"""Use cases of ops (merchants and their keys) and of merchants (goods)."""
from __future__ import annotations

import uuid
from datetime import datetime

from shanxing_common.db import Database

from ..adapters import ledger, repository
from ..adapters.secret_box import SecretBox
from ..adapters.sql import utcnow
from ..domain import merchant_keys
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.goods import stock_change
from .pagination import decode_cursor, encode_cursor

ACTIVE, SUSPENDED = "active", "suspended"


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
    active = key["status"] == "active" and key["merchant_status"] == ACTIVE
    return {"key_id": key["key_id"], "merchant_id": key["merchant_id"],
            "secret": box.open(key["secret_ciphertext"]), "status": "active" if active else "revoked",
            "key_status": key["status"], "merchant_status": key["merchant_status"]}


def _time_cursor(cursor: str | None):
    raw = decode_cursor(cursor)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw[0]), str(raw[1])
    except (TypeError, ValueError, IndexError, KeyError):
        raise InvalidInput("not a cursor this list gave out", field="cursor") from None


def _page(rows: list[dict], limit: int) -> dict:
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor([page[-1]["created_at"].isoformat(), page[-1]["id"]]) if more else None
    return {"items": page, "next": next_cursor}


def _merchant_or_404(s, merchant_id: str, *, lock: bool = False) -> dict:
    merchant = repository.merchant(s, merchant_id, lock=lock)
    if merchant is None:
        raise NotFound("no such merchant")
    return merchant


def list_merchants(db: Database, *, cursor: str | None, limit: int) -> dict:
    after = _time_cursor(cursor)
    with db.read() as s:
        return _page(repository.list_merchants(s, after=after, limit=limit + 1), limit)


def merchant_detail(db: Database, merchant_id: str) -> dict:
    """The merchant with its keys (never their secrets) and its points balance."""
    with db.read() as s:
        merchant = _merchant_or_404(s, merchant_id)
        merchant["keys"] = repository.keys_of(s, merchant_id)
        account = ledger.find_account(s, ledger.MERCHANT, merchant_id)
    merchant["balance"] = account.balance if account else 0
    return merchant


def set_status(db: Database, merchant_id: str, to_status: str) -> dict:
    """suspend: active → suspended (its keys stop verifying at once); resume: the way back."""
    from_status = ACTIVE if to_status == SUSPENDED else SUSPENDED
    with db.transaction() as s:
        merchant = _merchant_or_404(s, merchant_id)
        if not repository.set_merchant_status(s, merchant_id, from_status=from_status, to_status=to_status):
            raise Conflict(f"this merchant is {merchant['status']}, not {from_status}", field="status")
    return merchant_detail(db, merchant_id)


def issue_key(db: Database, box: SecretBox, merchant_id: str) -> dict:
    """A new active key (the secret shown once); 409 while two keys are active."""
    now = utcnow()
    key_id, key_secret = merchant_keys.new_key_id(), merchant_keys.new_key_secret()
    with db.transaction() as s:
        _merchant_or_404(s, merchant_id, lock=True)  # two issuers of one merchant take turns
        active = repository.active_key_count(s, merchant_id)
        if not merchant_keys.may_issue_another(active):
            raise Conflict(f"this merchant already has {active} active keys; revoke one first "
                           f"(at most {merchant_keys.MAX_ACTIVE_KEYS})", field="keys")
        repository.insert_merchant_key(s, dict(key_id=key_id, merchant_id=merchant_id,
                                               secret_ciphertext=box.seal(key_secret), status="active",
                                               created_at=now))
    return {"key_id": key_id, "key_secret": key_secret, "merchant_id": merchant_id, "status": "active",
            "created_at": now, "revoked_at": None}


def revoke_key(db: Database, merchant_id: str, key_id: str) -> dict:
    now = utcnow()
    with db.transaction() as s:
        _merchant_or_404(s, merchant_id)
        key = repository.key_of_merchant(s, merchant_id, key_id)
        if key is None:
            raise NotFound("this merchant has no such key", field="key_id")
        if not repository.revoke_key(s, merchant_id, key_id, now):
            raise Conflict("this key is already revoked", field="key_id")
    return {"key_id": key_id, "merchant_id": merchant_id, "status": "revoked", "revoked_at": now}


def add_store(db: Database, merchant_id: str, *, name: str, address: str) -> dict:
    store = dict(id=str(uuid.uuid4()), merchant_id=merchant_id, name=name, address=address,
                 created_at=utcnow())
    with db.transaction() as s:
        _merchant_or_404(s, merchant_id)
        repository.insert_store(s, store)
    return store


def list_stores(db: Database, merchant_id: str, *, cursor: str | None, limit: int) -> dict:
    after = _time_cursor(cursor)
    with db.read() as s:
        _merchant_or_404(s, merchant_id)
        return _page(repository.list_stores(s, merchant_id, after=after, limit=limit + 1), limit)


def add_good(db: Database, merchant_id: str, *, sku: str, name: str, points: int, stock: int,
             active: bool = True, daily_limit_per_volunteer: int | None = None) -> dict:
    good = dict(id=str(uuid.uuid4()), merchant_id=merchant_id, sku=sku, name=name, points=points,
                stock=stock, active=active, daily_limit_per_volunteer=daily_limit_per_volunteer,
                created_at=utcnow(), updated_at=None)
    with db.transaction() as s:
        if not repository.insert_good(s, good):
            raise Conflict(f"this merchant already has a good with sku {sku}", field="sku")
    return good


def update_good(db: Database, merchant_id: str, sku: str, changes: dict) -> dict:
    """PATCH a good: name, points, active, daily_limit_per_volunteer, and stock set or adjusted."""
    stock = stock_change(stock=changes.pop("stock", None), stock_delta=changes.pop("stock_delta", None))
    values = {k: v for k, v in changes.items()
              if k in ("name", "points", "active", "daily_limit_per_volunteer")}
    with db.transaction() as s:
        updated = repository.update_good(s, merchant_id, sku, values, stock)
        if updated is None:
            current = repository.good_by_sku(s, merchant_id, sku)
            if current is None:
                raise NotFound(f"this merchant has no good with sku {sku}", field="sku")
            raise Conflict(f"the stock of sku {sku} is {current['stock']}; it cannot go below 0",
                           field="stock_delta")
    return updated


def list_goods(db: Database, merchant_id: str, *, cursor: str | None, limit: int) -> dict:
    after_sku = decode_cursor(cursor)
    if after_sku is not None and not isinstance(after_sku, str):
        raise InvalidInput("not a cursor this list gave out", field="cursor")
    with db.read() as s:
        rows = repository.list_goods(s, merchant_id, after_sku=after_sku, limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    return {"items": page, "next": encode_cursor(page[-1]["sku"]) if more else None}
