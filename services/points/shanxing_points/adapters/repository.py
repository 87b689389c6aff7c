"""Queries for merchants, goods, redemption codes, redemptions and idempotency keys."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session

from .models import (goods, hour_credits, idempotency_keys, merchant_keys, merchants,
                     redemption_codes, redemption_items, redemptions)
from .sql import as_utc, insert_if_absent, utcnow


def _row(row) -> dict | None:
    if row is None:
        return None
    data = dict(row._mapping)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = as_utc(value)
    return data


# --- hours records -----------------------------------------------------------------------------

def record_hour_credit(session: Session, record_id: str, volunteer_id: str, hours: str, points: int) -> bool:
    """True when this record is seen for the first time (a revocation may have come first)."""
    return insert_if_absent(session, hour_credits, dict(
        record_id=record_id, volunteer_id=volunteer_id, hours=hours, points=points, status="credited",
        created_at=utcnow()))


def mark_hour_credit_revoked(session: Session, record_id: str) -> dict | None:
    """Flip credited → revoked once; returns the credit, or None when there was nothing to flip."""
    return _row(session.execute(
        update(hour_credits).where(hour_credits.c.record_id == record_id,
                                   hour_credits.c.status == "credited")
        .values(status="revoked", revoked_at=utcnow())
        .returning(hour_credits.c.volunteer_id, hour_credits.c.points)).first())


def record_revocation_tombstone(session: Session, record_id: str, volunteer_id: str, hours: str) -> None:
    """A revocation that arrived before its confirmation: the confirmation must then credit nothing."""
    now = utcnow()
    insert_if_absent(session, hour_credits, dict(
        record_id=record_id, volunteer_id=volunteer_id, hours=hours, points=0, status="revoked",
        created_at=now, revoked_at=now))


# --- merchants ---------------------------------------------------------------------------------

def insert_merchant(session: Session, merchant: dict) -> None:
    session.execute(insert(merchants).values(**merchant))


def insert_merchant_key(session: Session, key: dict) -> None:
    session.execute(insert(merchant_keys).values(**key))


def merchant_key(session: Session, key_id: str) -> dict | None:
    return _row(session.execute(
        select(merchant_keys.c.key_id, merchant_keys.c.merchant_id, merchant_keys.c.secret_ciphertext,
               merchant_keys.c.status, merchants.c.status.label("merchant_status"))
        .join(merchants, merchants.c.id == merchant_keys.c.merchant_id)
        .where(merchant_keys.c.key_id == key_id)).first())


# --- goods -------------------------------------------------------------------------------------

def insert_good(session: Session, good: dict) -> bool:
    """False when the merchant already has this sku."""
    return insert_if_absent(session, goods, good)


def good_by_sku(session: Session, merchant_id: str, sku: str) -> dict | None:
    return _row(session.execute(select(goods).where(goods.c.merchant_id == merchant_id,
                                                    goods.c.sku == sku)).first())


def list_goods(session: Session, merchant_id: str, *, after_sku: str | None, limit: int) -> list[dict]:
    query = select(goods).where(goods.c.merchant_id == merchant_id).order_by(goods.c.sku).limit(limit)
    if after_sku is not None:
        query = query.where(goods.c.sku > after_sku)
    return [_row(r) for r in session.execute(query)]


def take_stock(session: Session, good_id: str, quantity: int) -> bool:
    """Conditional decrement: False when the stock cannot cover the quantity."""
    result = session.execute(update(goods).where(goods.c.id == good_id, goods.c.stock >= quantity)
                             .values(stock=goods.c.stock - quantity))
    return result.rowcount == 1


def return_stock(session: Session, good_id: str, quantity: int) -> None:
    session.execute(update(goods).where(goods.c.id == good_id).values(stock=goods.c.stock + quantity))


# --- redemption codes --------------------------------------------------------------------------

def insert_code(session: Session, code: dict) -> bool:
    """False on the (astronomically unlikely) clash with a stored hash."""
    return insert_if_absent(session, redemption_codes, code)


def claim_code(session: Session, code_hash: str, now: datetime) -> dict | None:
    """Mark an unused, unexpired code used; exactly one concurrent claimer gets the row."""
    return _row(session.execute(
        update(redemption_codes)
        .where(redemption_codes.c.code_hash == code_hash, redemption_codes.c.used_at.is_(None),
               redemption_codes.c.expires_at > now)
        .values(used_at=now)
        .returning(redemption_codes.c.id, redemption_codes.c.volunteer_id)).first())


def code_by_hash(session: Session, code_hash: str) -> dict | None:
    return _row(session.execute(select(redemption_codes)
                                .where(redemption_codes.c.code_hash == code_hash)).first())


# --- redemptions -------------------------------------------------------------------------------

def insert_redemption(session: Session, redemption: dict, items: list[dict]) -> None:
    session.execute(insert(redemptions).values(**redemption))
    session.execute(insert(redemption_items), items)


def redemption_for_merchant(session: Session, redemption_id: str, merchant_id: str) -> dict | None:
    return _row(session.execute(select(redemptions).where(redemptions.c.id == redemption_id,
                                                          redemptions.c.merchant_id == merchant_id)).first())


def items_of(session: Session, redemption_ids: list[str]) -> dict[str, list[dict]]:
    by_redemption: dict[str, list[dict]] = {rid: [] for rid in redemption_ids}
    if not redemption_ids:
        return by_redemption
    rows = session.execute(select(redemption_items)
                           .where(redemption_items.c.redemption_id.in_(redemption_ids))
                           .order_by(redemption_items.c.sku))
    for row in rows:
        by_redemption[row.redemption_id].append(_row(row))
    return by_redemption


def mark_refunded(session: Session, redemption_id: str, merchant_id: str, now: datetime) -> bool:
    """completed → refunded once; a second (or concurrent) refund matches no row."""
    result = session.execute(update(redemptions)
                             .where(redemptions.c.id == redemption_id,
                                    redemptions.c.merchant_id == merchant_id,
                                    redemptions.c.status == "completed")
                             .values(status="refunded", refunded_at=now))
    return result.rowcount == 1


def list_redemptions(session: Session, merchant_id: str, *, before: tuple[datetime, str] | None,
                     limit: int) -> list[dict]:
    query = (select(redemptions).where(redemptions.c.merchant_id == merchant_id)
             .order_by(redemptions.c.created_at.desc(), redemptions.c.id.desc()).limit(limit))
    if before is not None:
        created_at, rid = before
        query = query.where(or_(redemptions.c.created_at < created_at,
                                and_(redemptions.c.created_at == created_at, redemptions.c.id < rid)))
    return [_row(r) for r in session.execute(query)]


# --- idempotency keys --------------------------------------------------------------------------

def claim_idempotency_key(session: Session, merchant_id: str, key: str, request_hash: str) -> bool:
    """Insert the key first: a concurrent request with the same key waits on it, then finds it."""
    return insert_if_absent(session, idempotency_keys, dict(
        merchant_id=merchant_id, key=key, request_hash=request_hash, created_at=utcnow()))


def idempotency_record(session: Session, merchant_id: str, key: str) -> dict | None:
    row = _row(session.execute(select(idempotency_keys).where(idempotency_keys.c.merchant_id == merchant_id,
                                                              idempotency_keys.c.key == key)).first())
    if row and row["response"] is not None:
        row["response"] = json.loads(row["response"])
    return row


def store_idempotent_response(session: Session, merchant_id: str, key: str, status_code: int,
                              body: dict) -> None:
    session.execute(update(idempotency_keys).where(idempotency_keys.c.merchant_id == merchant_id,
                                                   idempotency_keys.c.key == key)
                    .values(status_code=status_code, response=json.dumps(body, ensure_ascii=False)))
