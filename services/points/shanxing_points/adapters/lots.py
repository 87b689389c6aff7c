"""Point lots in SQL (README "Expiry"): each credit's spendable part, spent oldest-expiry-first."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .models import accounts, point_lots
from .sql import as_utc

EXPIRY_ACCOUNT_ID = "expiry"  # created by migration 0008; expired points end here


def add_lot(session: Session, *, account_id: str, amount: int, expires_at: datetime,
            source_transfer_id: str, now: datetime) -> str:
    lot_id = str(uuid.uuid4())
    session.execute(insert(point_lots).values(
        id=lot_id, account_id=account_id, amount=amount, remaining=amount, expires_at=expires_at,
        source_transfer_id=source_transfer_id, created_at=now, expired_at=None))
    return lot_id


def consume(session: Session, account_id: str, amount: int) -> int:
    """Take ``amount`` from the account's lots, earliest expiry first. The caller holds the account
    row lock (its balance UPDATE), so no one else consumes these lots meanwhile. Returns what the
    lots covered (less than ``amount`` only for points credited before expiry was switched on)."""
    left = amount
    rows = session.execute(
        select(point_lots.c.id, point_lots.c.remaining)
        .where(point_lots.c.account_id == account_id, point_lots.c.remaining > 0)
        .order_by(point_lots.c.expires_at, point_lots.c.created_at, point_lots.c.id)).all()
    for lot_id, remaining in rows:
        if left == 0:
            break
        take = min(left, remaining)
        session.execute(update(point_lots).where(point_lots.c.id == lot_id)
                        .values(remaining=point_lots.c.remaining - take))
        left -= take
    return amount - left


def live_lots(session: Session, account_id: str, now: datetime, *,
              after: tuple[datetime, str] | None = None, limit: int = 50) -> list[dict]:
    """Lots with points left and not yet expired, soonest expiry first (keyset by expiry, id)."""
    query = (select(point_lots.c.id, point_lots.c.amount, point_lots.c.remaining, point_lots.c.expires_at,
                    point_lots.c.source_transfer_id, point_lots.c.created_at)
             .where(point_lots.c.account_id == account_id, point_lots.c.remaining > 0,
                    point_lots.c.expires_at > now)
             .order_by(point_lots.c.expires_at, point_lots.c.id).limit(limit))
    if after is not None:
        query = query.where(or_(point_lots.c.expires_at > after[0],
                                and_(point_lots.c.expires_at == after[0], point_lots.c.id > after[1])))
    rows = session.execute(query).all()
    return [{**row._mapping, "expires_at": as_utc(row.expires_at), "created_at": as_utc(row.created_at)}
            for row in rows]


def due_lot_ids(session: Session, now: datetime, *, account_id: str | None = None,
                limit: int = 500) -> list[str]:
    """Lots past their expiry the job has not handled yet (with points left or not)."""
    query = (select(point_lots.c.id)
             .where(point_lots.c.expired_at.is_(None), point_lots.c.expires_at <= now)
             .order_by(point_lots.c.expires_at, point_lots.c.id).limit(limit))
    if account_id is not None:
        query = query.where(point_lots.c.account_id == account_id)
    return list(session.execute(query).scalars())


def lot_for_expiry(session: Session, lot_id: str):
    return session.execute(select(point_lots).where(point_lots.c.id == lot_id)).first()


def close_lot(session: Session, lot_id: str, now: datetime) -> bool:
    """Mark a due lot handled and empty; False when someone else handled it first."""
    row = session.execute(update(point_lots)
                          .where(point_lots.c.id == lot_id, point_lots.c.expired_at.is_(None))
                          .values(remaining=0, expired_at=now).returning(point_lots.c.id)).first()
    return row is not None


def lots_report(session: Session) -> dict:
    """Lots never hold more than their account's balance, nor are left non-empty after expiry."""
    per_account = (select(point_lots.c.account_id, func.sum(point_lots.c.remaining).label("remaining"))
                   .group_by(point_lots.c.account_id).subquery())
    over = session.execute(
        select(accounts.c.id, accounts.c.balance, per_account.c.remaining)
        .join(per_account, per_account.c.account_id == accounts.c.id)
        .where(per_account.c.remaining > accounts.c.balance)).all()
    bad = session.execute(
        select(point_lots.c.id).where((point_lots.c.remaining < 0) |
                                      (point_lots.c.remaining > point_lots.c.amount) |
                                      (point_lots.c.expired_at.is_not(None) & (point_lots.c.remaining != 0)))
    ).scalars().all()
    return {
        "lots_beyond_balance": [{"account_id": r[0], "balance": int(r[1]), "lots_remaining": int(r[2])}
                                for r in over],
        "lots_malformed": list(bad),
    }
