"""Points expiry (README "Expiry"), only when SHANXING_POINTS_EXPIRY_DAYS is set: every credit's
spendable part is a lot, spending takes lots oldest-expiry-first, and what is left of a lot at its
expiry leaves the volunteer as the transfer ``expire:<lot_id>`` to the expiry account."""
from __future__ import annotations

from datetime import datetime, timedelta

from shanxing_common.db import Database
from sqlalchemy.orm import Session

from ..adapters import ledger, lots
from ..config import expiry_days
from ..domain.errors import InvalidInput
from .pagination import decode_cursor, encode_cursor


def grant(session: Session, account_id: str, spendable: int, *, source_transfer_id: str,
          at: datetime, days: int | None = None) -> str | None:
    """Open a lot for points that just became spendable (after debt was settled); expires ``days``
    after ``at``. Nothing when expiry is off or nothing became spendable."""
    days = expiry_days() if days is None else days
    if days is None or spendable <= 0:
        return None
    return lots.add_lot(session, account_id=account_id, amount=spendable,
                        expires_at=at + timedelta(days=days), source_transfer_id=source_transfer_id,
                        now=at)


def spend(session: Session, account_id: str, amount: int) -> None:
    """Points left the account (a redemption, a revocation): take them from its lots. Called after
    the balance UPDATE, which holds the account's row lock."""
    if expiry_days() is not None and amount > 0:
        lots.consume(session, account_id, amount)


def expire_due_for_account(session: Session, account_id: str, now: datetime) -> int:
    """Expire this account's due lots now (a redemption calls this first, so expired points are
    never spent even before the job ran). Returns the points expired."""
    if expiry_days() is None:
        return 0
    return sum(expire_lot(session, lot_id, now) for lot_id in lots.due_lot_ids(session, now, account_id=account_id))


def expire_lot(session: Session, lot_id: str, now: datetime) -> int:
    """Move what is left of one due lot to the expiry account, exactly once (the transfer id
    ``expire:<lot_id>`` and the lot's ``expired_at`` both refuse a second time)."""
    lot = lots.lot_for_expiry(session, lot_id)
    if lot is None or lot.expired_at is not None:
        return 0
    ledger.lock_account(session, lot.account_id)  # then the lot's remaining cannot change under us
    lot = lots.lot_for_expiry(session, lot_id)
    if not lots.close_lot(session, lot_id, now):
        return 0
    if lot.remaining == 0:
        return 0
    # remaining <= balance always (reconcile checks it), so this never overdraws.
    if not ledger.move(session, transfer_id=f"expire:{lot_id}", kind="expire", debit=lot.account_id,
                       credit=lots.EXPIRY_ACCOUNT_ID, amount=lot.remaining,
                       debit_counters={"expired": lot.remaining}):
        return 0
    return lot.remaining


def expire_due(db: Database, now: datetime, *, batch: int = 500) -> int:
    """The worker job: expire every due lot, one transaction per lot. Returns the points expired."""
    if expiry_days() is None:
        return 0
    total = 0
    while True:
        with db.read() as s:
            due = lots.due_lot_ids(s, now, limit=batch)
        if not due:
            return total
        for lot_id in due:
            with db.transaction() as s:
                total += expire_lot(s, lot_id, now)
        if len(due) < batch:
            return total


def live_lots(db: Database, volunteer_id: str, now: datetime, *, cursor: str | None, limit: int) -> dict:
    """The volunteer's live lots, soonest expiry first, with what already expired."""
    after = decode_cursor(cursor)
    if after is not None:
        try:
            after = (datetime.fromisoformat(after[0]), str(after[1]))
        except (TypeError, ValueError, IndexError, KeyError):
            raise InvalidInput("not a cursor this list gave out", field="cursor") from None
    days = expiry_days()
    with db.read() as s:
        account = ledger.find_account(s, ledger.VOLUNTEER, volunteer_id)
        rows = [] if account is None else lots.live_lots(s, account.id, now, after=after, limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    items = [{"id": r["id"], "points": r["remaining"], "amount": r["amount"], "expires_at": r["expires_at"],
              "transfer_id": r["source_transfer_id"], "created_at": r["created_at"]} for r in page]
    next_cursor = encode_cursor([page[-1]["expires_at"].isoformat(), page[-1]["id"]]) if more else None
    return {"items": items, "next": next_cursor, "expiry_days": days,
            "expired": 0 if account is None else account.expired}
