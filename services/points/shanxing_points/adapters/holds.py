"""Two-phase redemptions in SQL: holds, their items, the status of the pending transfer, and the
checks reconciliation runs on them (README "Holds")."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from .models import accounts, merchants, redemption_hold_items, redemption_holds, redemptions, transfers
from .sql import as_utc

def _row(row) -> dict | None:
    """A row as a dict with its times in UTC (SQLite hands them back naive)."""
    if row is None:
        return None
    return {k: as_utc(v) if isinstance(v, datetime) else v for k, v in row._mapping.items()}


HOLDS_ACCOUNT_ID = "holds"  # created by migration 0009: held points wait here between the phases
PENDING, CAPTURED, VOIDED = "pending", "captured", "voided"
# the status of the hold:<id> transfer for each status of its hold
TRANSFER_STATUS = {PENDING: "pending", CAPTURED: "posted", VOIDED: "voided"}


def hold_transfer_id(hold_id: str) -> str:
    return f"hold:{hold_id}"


def release_transfer_id(hold_id: str) -> str:
    return f"release:{hold_id}"


def insert_hold(session: Session, hold: dict, items: list[dict]) -> None:
    session.execute(insert(redemption_holds).values(**hold))
    session.execute(insert(redemption_hold_items), items)


def set_transfer_status(session: Session, transfer_id: str, status: str) -> None:
    session.execute(update(transfers).where(transfers.c.id == transfer_id).values(status=status))


def resolve(session: Session, hold_id: str, merchant_id: str | None, *, to: str, now: datetime,
            reason: str | None = None, unexpired: bool = False) -> dict | None:
    """Move a pending hold to ``to``; exactly one concurrent caller gets the row back. With
    ``unexpired`` only a hold whose expiry has not passed (capture)."""
    stmt = update(redemption_holds).where(redemption_holds.c.id == hold_id,
                                          redemption_holds.c.status == PENDING)
    if merchant_id is not None:
        stmt = stmt.where(redemption_holds.c.merchant_id == merchant_id)
    if unexpired:
        stmt = stmt.where(redemption_holds.c.expires_at > now)
    return _row(session.execute(stmt.values(status=to, resolved_at=now, void_reason=reason)
                                .returning(*redemption_holds.c)).first())


def hold_for_merchant(session: Session, hold_id: str, merchant_id: str) -> dict | None:
    return _row(session.execute(select(redemption_holds).where(
        redemption_holds.c.id == hold_id, redemption_holds.c.merchant_id == merchant_id)).first())


def items_of(session: Session, hold_id: str) -> list[dict]:
    return [_row(r) for r in session.execute(
        select(redemption_hold_items).where(redemption_hold_items.c.hold_id == hold_id)
        .order_by(redemption_hold_items.c.sku))]


def due(session: Session, now: datetime, limit: int) -> list[str]:
    return list(session.execute(
        select(redemption_holds.c.id)
        .where(redemption_holds.c.status == PENDING, redemption_holds.c.expires_at <= now)
        .order_by(redemption_holds.c.expires_at).limit(limit)).scalars())


def list_pending(session: Session, *, merchant_id: str | None = None, volunteer_id: str | None = None,
                 after: tuple[datetime, str] | None, limit: int) -> list[dict]:
    """Pending holds of one merchant or of one volunteer (with the merchant's name), oldest first."""
    query = (select(redemption_holds, merchants.c.name.label("merchant_name"))
             .join(merchants, merchants.c.id == redemption_holds.c.merchant_id)
             .where(redemption_holds.c.status == PENDING)
             .order_by(redemption_holds.c.created_at, redemption_holds.c.id).limit(limit))
    if merchant_id is not None:
        query = query.where(redemption_holds.c.merchant_id == merchant_id)
    if volunteer_id is not None:
        query = query.where(redemption_holds.c.volunteer_id == volunteer_id)
    if after is not None:
        query = query.where(or_(redemption_holds.c.created_at > after[0],
                                and_(redemption_holds.c.created_at == after[0],
                                     redemption_holds.c.id > after[1])))
    return [_row(r) for r in session.execute(query)]


def held_units(session: Session, volunteer_id: str, good_id: str, start: datetime, end: datetime) -> int:
    """Units of a good waiting in the volunteer's pending holds placed in [start, end): they count
    against a daily limit like redeemed units."""
    return int(session.execute(
        select(func.coalesce(func.sum(redemption_hold_items.c.quantity), 0))
        .join(redemption_holds, redemption_holds.c.id == redemption_hold_items.c.hold_id)
        .where(redemption_holds.c.volunteer_id == volunteer_id, redemption_holds.c.status == PENDING,
               redemption_hold_items.c.good_id == good_id,
               redemption_holds.c.created_at >= start, redemption_holds.c.created_at < end)).scalar_one())


# --- reconciliation ----------------------------------------------------------------------------

def holds_report(session: Session) -> dict:
    """The holds account carries exactly the pending holds, and each hold moved as its status says:
    hold:<id> for its points with the matching status, redeem:<id> and a redemption once captured,
    release:<id> once voided."""
    balance = session.execute(select(accounts.c.balance).where(accounts.c.id == HOLDS_ACCOUNT_ID)).scalar()
    pending = session.execute(select(func.coalesce(func.sum(transfers.c.amount), 0))
                              .where(transfers.c.kind == "hold", transfers.c.status == "pending")).scalar_one()
    hold_t = transfers.alias("hold_t")
    redeem_t = transfers.alias("redeem_t")
    release_t = transfers.alias("release_t")
    h = redemption_holds.c
    held_ok = and_(func.coalesce(hold_t.c.amount, -1) == h.points)
    hold_status = func.coalesce(hold_t.c.status, "")
    as_status = or_(
        and_(h.status == PENDING, hold_status == "pending", redeem_t.c.id.is_(None),
             release_t.c.id.is_(None), redemptions.c.id.is_(None)),
        and_(h.status == CAPTURED, hold_status == "posted", func.coalesce(redeem_t.c.amount, -1) == h.points,
             release_t.c.id.is_(None), redemptions.c.id.is_not(None)),
        and_(h.status == VOIDED, hold_status == "voided", redeem_t.c.id.is_(None),
             func.coalesce(release_t.c.amount, -1) == h.points, redemptions.c.id.is_(None)))
    wrong = session.execute(
        select(h.id, h.status, h.points)
        .outerjoin(hold_t, hold_t.c.id == literal("hold:") + h.id)
        .outerjoin(redeem_t, redeem_t.c.id == literal("redeem:") + h.id)
        .outerjoin(release_t, release_t.c.id == literal("release:") + h.id)
        .outerjoin(redemptions, redemptions.c.id == h.id)
        .where(~and_(held_ok, as_status))).all()
    return {
        "holds_account_not_matching_pending": (
            [] if balance is not None and int(balance) == int(pending)
            else [{"balance": None if balance is None else int(balance), "pending": int(pending)}]),
        "holds_not_moved_as_their_status": [
            {"hold_id": r[0], "status": r[1], "points": int(r[2])} for r in wrong],
    }
