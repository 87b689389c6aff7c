"""Queries for merchants, goods, redemption codes, redemptions and idempotency keys."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .ledger import MERCHANT, VOLUNTEER
from .models import (accounts, goods, hour_credits, idempotency_keys, merchant_keys, merchants,
                     redemption_codes, redemption_items, redemptions, refunds, settlements, stores)
from .sql import Prepared, as_utc, insert_if_absent, utcnow


def _row(row) -> dict | None:
    if row is None:
        return None
    data = dict(row._mapping)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = as_utc(value)
    return data


# --- hours records -----------------------------------------------------------------------------

def record_hour_credit(session: Session, record_id: str, volunteer_id: str, hours: str, points: int, *,
                       category: str | None = None, served_on=None, rule_version: int | None = None,
                       not_earned: int = 0, not_earned_reason: str | None = None,
                       organization_id: str | None = None, organizer_factor: str | None = None) -> bool:
    """True when this record is seen for the first time (a revocation may have come first)."""
    return insert_if_absent(session, hour_credits, dict(
        record_id=record_id, volunteer_id=volunteer_id, hours=hours, points=points, status="credited",
        created_at=utcnow(), category=category, served_on=served_on, rule_version=rule_version,
        not_earned=not_earned, not_earned_reason=not_earned_reason, organization_id=organization_id,
        organizer_factor=organizer_factor))


def hour_credit_exists(session: Session, record_id: str) -> bool:
    return session.execute(select(hour_credits.c.record_id)
                           .where(hour_credits.c.record_id == record_id)).first() is not None


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


def merchant(session: Session, merchant_id: str, *, lock: bool = False) -> dict | None:
    """The merchant; ``lock`` holds its row until commit (serialises key issuance per merchant)."""
    query = select(merchants).where(merchants.c.id == merchant_id)
    if lock:
        query = query.with_for_update()
    return _row(session.execute(query).first())


_MERCHANT_STATUS_AND_ACCOUNT = Prepared(
    select(merchants.c.status, accounts.c.id.label("account_id"))
    .select_from(merchants.outerjoin(accounts, and_(accounts.c.kind == MERCHANT,
                                                    accounts.c.owner_id == merchants.c.id)))
    .where(merchants.c.id == bindparam("merchant_id")))


def merchant_status_and_account(session: Session, merchant_id: str) -> dict | None:
    """The merchant's status and its account id (None until opened) in one query (redemptions)."""
    return _MERCHANT_STATUS_AND_ACCOUNT.first(session, {"merchant_id": merchant_id})


def list_merchants(session: Session, *, after: tuple[datetime, str] | None, limit: int) -> list[dict]:
    query = select(merchants).order_by(merchants.c.created_at, merchants.c.id).limit(limit)
    if after is not None:
        created_at, mid = after
        query = query.where(or_(merchants.c.created_at > created_at,
                                and_(merchants.c.created_at == created_at, merchants.c.id > mid)))
    return [_row(r) for r in session.execute(query)]


def set_merchant_status(session: Session, merchant_id: str, *, from_status: str, to_status: str) -> bool:
    result = session.execute(update(merchants).where(merchants.c.id == merchant_id,
                                                     merchants.c.status == from_status)
                             .values(status=to_status))
    return result.rowcount == 1


def keys_of(session: Session, merchant_id: str) -> list[dict]:
    """The merchant's keys without their secrets, oldest first."""
    return [_row(r) for r in session.execute(
        select(merchant_keys.c.key_id, merchant_keys.c.status, merchant_keys.c.created_at,
               merchant_keys.c.revoked_at)
        .where(merchant_keys.c.merchant_id == merchant_id)
        .order_by(merchant_keys.c.created_at, merchant_keys.c.key_id))]


def active_key_count(session: Session, merchant_id: str) -> int:
    return session.execute(select(func.count()).select_from(merchant_keys)
                           .where(merchant_keys.c.merchant_id == merchant_id,
                                  merchant_keys.c.status == "active")).scalar_one()


def revoke_key(session: Session, merchant_id: str, key_id: str, now: datetime) -> bool:
    """active → revoked once."""
    result = session.execute(update(merchant_keys).where(merchant_keys.c.key_id == key_id,
                                                         merchant_keys.c.merchant_id == merchant_id,
                                                         merchant_keys.c.status == "active")
                             .values(status="revoked", revoked_at=now))
    return result.rowcount == 1


def key_of_merchant(session: Session, merchant_id: str, key_id: str) -> dict | None:
    return _row(session.execute(select(merchant_keys.c.key_id, merchant_keys.c.status)
                                .where(merchant_keys.c.key_id == key_id,
                                       merchant_keys.c.merchant_id == merchant_id)).first())


# --- stores ------------------------------------------------------------------------------------

def insert_store(session: Session, store: dict) -> None:
    session.execute(insert(stores).values(**store))


def store_of_merchant(session: Session, merchant_id: str, store_id: str) -> bool:
    return session.execute(select(stores.c.id).where(stores.c.id == store_id,
                                                     stores.c.merchant_id == merchant_id)).first() is not None


def list_stores(session: Session, merchant_id: str, *, after: tuple[datetime, str] | None,
                limit: int) -> list[dict]:
    query = (select(stores).where(stores.c.merchant_id == merchant_id)
             .order_by(stores.c.created_at, stores.c.id).limit(limit))
    if after is not None:
        created_at, sid = after
        query = query.where(or_(stores.c.created_at > created_at,
                                and_(stores.c.created_at == created_at, stores.c.id > sid)))
    return [_row(r) for r in session.execute(query)]


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


def update_good(session: Session, merchant_id: str, sku: str, values: dict,
                stock: tuple[str, int] | None) -> dict | None:
    """Apply a PATCH in one conditional UPDATE; None when the sku is unknown or the stock would
    go below zero (the caller tells which)."""
    stmt = update(goods).where(goods.c.merchant_id == merchant_id, goods.c.sku == sku)
    values = dict(values, updated_at=utcnow())
    if stock is not None:
        how, amount = stock
        if how == "set":
            values["stock"] = amount
        else:
            values["stock"] = goods.c.stock + amount
            if amount < 0:
                stmt = stmt.where(goods.c.stock >= -amount)
    return _row(session.execute(stmt.values(**values).returning(*goods.c)).first())


def redeemed_in_window(session: Session, volunteer_id: str, good_id: str, start: datetime,
                       end: datetime) -> int:
    """Units of a good the volunteer redeemed in [start, end), net of refunds, plus the units
    waiting in their pending holds placed then."""
    from .holds import held_units

    return held_units(session, volunteer_id, good_id, start, end) + int(session.execute(
        select(func.coalesce(func.sum(redemption_items.c.quantity - redemption_items.c.refunded_quantity), 0))
        .join(redemptions, redemptions.c.id == redemption_items.c.redemption_id)
        .where(redemptions.c.volunteer_id == volunteer_id, redemption_items.c.good_id == good_id,
               redemptions.c.created_at >= start, redemptions.c.created_at < end)).scalar_one())


_TAKE_STOCK_BY_SKU = Prepared(
    update(goods).where(goods.c.merchant_id == bindparam("b_merchant_id"), goods.c.sku == bindparam("b_sku"),
                        goods.c.active.is_(True), goods.c.stock >= bindparam("b_quantity"))
    .values(stock=goods.c.stock - bindparam("b_quantity"))
    .returning(goods.c.id, goods.c.sku, goods.c.name, goods.c.points, goods.c.daily_limit_per_volunteer))


def take_stock_by_sku(session: Session, merchant_id: str, sku: str, quantity: int) -> dict | None:
    """Take ``quantity`` units of the merchant's active good ``sku`` and return the good, in one
    conditional UPDATE (which locks the row); None when the sku is unknown, inactive or short of
    stock (the caller asks good_by_sku which)."""
    return _TAKE_STOCK_BY_SKU.first(session, {"b_merchant_id": merchant_id, "b_sku": sku, "b_quantity": quantity})


def return_stock(session: Session, good_id: str, quantity: int) -> None:
    session.execute(update(goods).where(goods.c.id == good_id).values(stock=goods.c.stock + quantity))


# --- redemption codes --------------------------------------------------------------------------

def insert_code(session: Session, code: dict) -> bool:
    """False on the (astronomically unlikely) clash with a stored hash."""
    return insert_if_absent(session, redemption_codes, code)


def _of_code_volunteer(column):
    return (select(column).where(accounts.c.kind == VOLUNTEER,
                                 accounts.c.owner_id == redemption_codes.c.volunteer_id).scalar_subquery())


_NOW = bindparam("now", type_=redemption_codes.c.used_at.type)
_CLAIM_CODE = Prepared(
    update(redemption_codes)
    .where(redemption_codes.c.code_hash == bindparam("b_code_hash"), redemption_codes.c.used_at.is_(None),
           redemption_codes.c.expires_at > _NOW)
    .values(used_at=_NOW)
    .returning(redemption_codes.c.id, redemption_codes.c.volunteer_id,
               _of_code_volunteer(accounts.c.id).label("account_id"),
               _of_code_volunteer(accounts.c.display_name).label("display_name")))


def claim_code(session: Session, code_hash: str, now: datetime) -> dict | None:
    """Mark an unused, unexpired code used; exactly one concurrent claimer gets the row. Returns
    the code's id and volunteer with the volunteer's account id and display name (None when the
    account is not open yet), read in the same statement."""
    return _CLAIM_CODE.first(session, {"b_code_hash": code_hash, "now": now})


def code_by_hash(session: Session, code_hash: str) -> dict | None:
    return _row(session.execute(select(redemption_codes)
                                .where(redemption_codes.c.code_hash == code_hash)).first())


# --- redemptions -------------------------------------------------------------------------------

_INSERT_REDEMPTION = Prepared(insert(redemptions), column_keys=[
    "id", "merchant_id", "volunteer_id", "code_id", "points", "status", "created_at", "refunded_at",
    "store_id", "made_by"])
_INSERT_REDEMPTION_ITEM = Prepared(insert(redemption_items), column_keys=[
    "redemption_id", "good_id", "sku", "name", "quantity", "unit_points", "points"])


def insert_redemption(session: Session, redemption: dict, items: list[dict]) -> None:
    _INSERT_REDEMPTION.rows(session, redemption)
    _INSERT_REDEMPTION_ITEM.execute_many(session, items)


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


def take_refund_quantity(session: Session, redemption_id: str, good_id: str, quantity: int) -> bool:
    """Count ``quantity`` units of a line as refunded, unless fewer are left (a concurrent refund)."""
    result = session.execute(update(redemption_items)
                             .where(redemption_items.c.redemption_id == redemption_id,
                                    redemption_items.c.good_id == good_id,
                                    redemption_items.c.quantity - redemption_items.c.refunded_quantity >= quantity)
                             .values(refunded_quantity=redemption_items.c.refunded_quantity + quantity))
    return result.rowcount == 1


def add_refunded_points(session: Session, redemption_id: str, merchant_id: str, points: int,
                        now: datetime) -> dict | None:
    """Add to refunded_points (never beyond points); the status becomes refunded when all is back."""
    fully = redemptions.c.refunded_points + points >= redemptions.c.points
    return _row(session.execute(
        update(redemptions)
        .where(redemptions.c.id == redemption_id, redemptions.c.merchant_id == merchant_id,
               redemptions.c.status == "completed", redemptions.c.settlement_id.is_(None),
               redemptions.c.refunded_points + points <= redemptions.c.points)
        .values(refunded_points=redemptions.c.refunded_points + points,
                status=case((fully, "refunded"), else_=redemptions.c.status),
                refunded_at=case((fully, now), else_=redemptions.c.refunded_at))
        .returning(*redemptions.c)).first())


def claim_refund(session: Session, refund: dict) -> bool:
    """Insert the refund; False when this merchant's Idempotency-Key already names one (a
    concurrent request with the same key waits for the other transaction, then sees it)."""
    return insert_if_absent(session, refunds, dict(refund, items=json.dumps(refund["items"], ensure_ascii=False)))


def refund_by_key(session: Session, merchant_id: str, key: str) -> dict | None:
    row = _row(session.execute(select(refunds).where(refunds.c.merchant_id == merchant_id,
                                                     refunds.c.idempotency_key == key)).first())
    if row:
        row["items"] = json.loads(row["items"])
    return row


def refunds_of(session: Session, redemption_ids: list[str]) -> dict[str, list[dict]]:
    by_redemption: dict[str, list[dict]] = {rid: [] for rid in redemption_ids}
    if not redemption_ids:
        return by_redemption
    for row in session.execute(select(refunds).where(refunds.c.redemption_id.in_(redemption_ids))
                               .order_by(refunds.c.created_at, refunds.c.id)):
        data = _row(row)
        data["items"] = json.loads(data["items"])
        by_redemption[row.redemption_id].append(data)
    return by_redemption


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


_STORE_IDEMPOTENT_RESPONSE = Prepared(
    update(idempotency_keys).where(idempotency_keys.c.merchant_id == bindparam("b_merchant_id"),
                                   idempotency_keys.c.key == bindparam("b_idempotency_key"))
    .values(status_code=bindparam("b_status_code"), response=bindparam("b_response")))


def store_idempotent_response(session: Session, merchant_id: str, key: str, status_code: int,
                              body: dict) -> None:
    _STORE_IDEMPOTENT_RESPONSE.rows(session, {
        "b_merchant_id": merchant_id, "b_idempotency_key": key, "b_status_code": status_code,
        "b_response": json.dumps(body, ensure_ascii=False)})


# --- settlements -------------------------------------------------------------------------------

def redemptions_in_window(session: Session, merchant_id: str, start: datetime, end: datetime,
                          *, settlement_id: str | None = None) -> list[dict]:
    """The merchant's redemptions created in [start, end) (or those of one statement)."""
    query = select(redemptions).where(redemptions.c.merchant_id == merchant_id)
    if settlement_id is not None:
        query = query.where(redemptions.c.settlement_id == settlement_id)
    else:
        query = query.where(redemptions.c.created_at >= start, redemptions.c.created_at < end)
    return [_row(r) for r in session.execute(query.order_by(redemptions.c.created_at, redemptions.c.id))]


def overlapping_settlements(session: Session, merchant_id: str, first, last) -> list[dict]:
    rows = session.execute(select(settlements).where(settlements.c.merchant_id == merchant_id,
                                                     settlements.c.period_start <= last,
                                                     settlements.c.period_end >= first)
                           .order_by(settlements.c.period_start))
    result = []
    for row in rows:
        data = _row(row)
        data["items"] = json.loads(data["items"])
        result.append(data)
    return result


def insert_settlement(session: Session, settlement: dict) -> None:
    session.execute(insert(settlements).values(**dict(settlement, items=json.dumps(settlement["items"],
                                                                                    ensure_ascii=False))))


def mark_settled(session: Session, merchant_id: str, settlement_id: str, start: datetime, end: datetime) -> int:
    """Tag the period's redemptions with the statement (locks them against concurrent refunds)."""
    return session.execute(update(redemptions).where(redemptions.c.merchant_id == merchant_id,
                                                     redemptions.c.created_at >= start,
                                                     redemptions.c.created_at < end,
                                                     redemptions.c.settlement_id.is_(None))
                           .values(settlement_id=settlement_id)).rowcount
