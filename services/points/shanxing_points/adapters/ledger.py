"""The double-entry ledger in SQL: accounts, transfers and their two postings.

Balances change only through conditional UPDATEs (``... WHERE balance >= :n``), so two concurrent
debits can never overdraw an account: the second one matches no row and fails.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, and_, bindparam, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from ..domain.errors import InsufficientPoints
from .models import (accounts, bonus_awards, hour_credits, postings, redemption_items, redemptions, refunds,
                     transfers)
from .holds import holds_report
from .lots import lots_report
from .sql import Prepared, insert_if_absent, utcnow

ISSUANCE_ACCOUNT_ID = "issuance"  # created by migration 0002; its balance is minus all points out
VOLUNTEER, MERCHANT, ISSUANCE = "volunteer", "merchant", "issuance"
COUNTERS = ("earned", "redeemed", "debt", "expired")


def ensure_account(session: Session, kind: str, owner_id: str, display_name: str | None = None) -> str:
    """The id of the owner's account, opened now if it is missing (race-safe). Looks first: the
    account nearly always exists, and a read is cheaper than an upsert on the hot redemption path."""
    query = select(accounts.c.id).where(accounts.c.kind == kind, accounts.c.owner_id == owner_id)
    found = session.execute(query).scalar()
    if found is not None:
        return found
    insert_if_absent(session, accounts, dict(
        id=str(uuid.uuid4()), kind=kind, owner_id=owner_id, display_name=display_name, balance=0,
        earned=0, redeemed=0, debt=0, created_at=utcnow()))
    return session.execute(query).scalar_one()


def set_display_name(session: Session, kind: str, owner_id: str, display_name: str | None,
                     as_of: datetime | None) -> None:
    """Open the account if needed and take the name unless a newer one is already stored."""
    account_id = ensure_account(session, kind, owner_id)
    stmt = update(accounts).where(accounts.c.id == account_id)
    if as_of is not None:
        stmt = stmt.where(or_(accounts.c.display_name_as_of.is_(None),
                              accounts.c.display_name_as_of <= as_of))
    session.execute(stmt.values(display_name=display_name, display_name_as_of=as_of))


def find_account(session: Session, kind: str, owner_id: str):
    return session.execute(select(accounts).where(accounts.c.kind == kind,
                                                  accounts.c.owner_id == owner_id)).first()


def display_name(session: Session, account_id: str) -> str | None:
    return session.execute(select(accounts.c.display_name).where(accounts.c.id == account_id)).scalar()


def volunteer_display_names(session: Session, volunteer_ids: list[str]) -> dict[str, str | None]:
    if not volunteer_ids:
        return {}
    rows = session.execute(select(accounts.c.owner_id, accounts.c.display_name)
                           .where(accounts.c.kind == VOLUNTEER, accounts.c.owner_id.in_(set(volunteer_ids))))
    return {owner: name for owner, name in rows}


def lock_account(session: Session, account_id: str):
    """The account row, locked until commit (PostgreSQL; SQLite writers already hold the lock)."""
    return session.execute(select(accounts).where(accounts.c.id == account_id)
                           .with_for_update()).one()


def _one_side_statement():
    """The UPDATE of _apply, built once (SQLAlchemy neither rebuilds it nor recomputes its cache
    key per call): the balance and counter deltas are parameters, and so is whether the balance
    is guarded; a counter is refused below zero only when its delta is negative."""
    def delta(name):
        return bindparam(f"b_{name}")

    conditions = [or_(delta(name) >= 0, accounts.c[name] + delta(name) >= 0) for name in COUNTERS]
    conditions.append(or_(~bindparam("b_guard_balance", type_=Boolean()),
                          accounts.c.balance + delta("balance") >= 0))
    return (update(accounts).where(accounts.c.id == bindparam("b_account_id"), *conditions)
            .values(**{name: accounts.c[name] + delta(name) for name in ("balance", *COUNTERS)})
            .returning(accounts.c.balance))


_ONE_SIDE = Prepared(_one_side_statement())
_INSERT_POSTING = Prepared(insert(postings), column_keys=[
    "transfer_id", "account_id", "amount", "balance_after", "created_at"])


def _apply(session: Session, account_id: str, delta: int, counters: dict[str, int], guarded: bool) -> int:
    """Add ``delta`` to the balance and the counter deltas, refusing to take any of them below
    zero when ``guarded``; returns the new balance."""
    unknown = set(counters) - set(COUNTERS)
    if unknown:
        raise ValueError(f"no such counters: {sorted(unknown)}")
    params = {f"b_{name}": counters.get(name, 0) for name in COUNTERS}
    params.update(b_account_id=account_id, b_balance=delta, b_guard_balance=guarded and delta < 0)
    row = _ONE_SIDE.first(session, params)
    if row is None:
        raise InsufficientPoints()
    return row["balance"]


def adjust_counters(session: Session, account_id: str, **counters: int) -> None:
    """Change earned/redeemed/debt without moving points (e.g. debt that a balance could not pay)."""
    _apply(session, account_id, 0, {k: v for k, v in counters.items() if v}, guarded=True)


def move(session: Session, *, transfer_id: str, kind: str, debit: str, credit: str, amount: int,
         debit_counters: dict[str, int] | None = None,
         credit_counters: dict[str, int] | None = None, rule_version: int | None = None,
         organizer_factor: str | None = None) -> bool:
    """Move ``amount`` points from ``debit`` to ``credit`` once per ``transfer_id``.

    Returns False when a transfer with this id already exists (nothing moves again). Raises
    InsufficientPoints when a volunteer or merchant account cannot cover it; the caller's
    transaction then rolls back, transfer row included."""
    if amount <= 0:
        raise ValueError("a transfer moves a positive amount")
    now = utcnow()
    if not insert_if_absent(session, transfers, dict(
            id=transfer_id, debit_account_id=debit, credit_account_id=credit, amount=amount,
            kind=kind, created_at=now, rule_version=rule_version, organizer_factor=organizer_factor)):
        return False
    sides = [(debit, -amount, debit_counters or {}), (credit, amount, credit_counters or {})]
    balances = {}
    # Update in account-id order so two transfers between the same accounts never deadlock.
    for account_id, delta, counters in sorted(sides, key=lambda side: side[0]):
        balances[account_id] = _apply(session, account_id, delta, counters,
                                      guarded=account_id != ISSUANCE_ACCOUNT_ID)
    _INSERT_POSTING.execute_many(session, [
        dict(transfer_id=transfer_id, account_id=debit, amount=-amount, balance_after=balances[debit],
             created_at=now),
        dict(transfer_id=transfer_id, account_id=credit, amount=amount, balance_after=balances[credit],
             created_at=now),
    ])
    return True


def transfer_amount(session: Session, transfer_id: str) -> int | None:
    return session.execute(select(transfers.c.amount).where(transfers.c.id == transfer_id)).scalar()


def account_entries(session: Session, account_id: str, *, before_id: int | None, limit: int) -> list[dict]:
    """Postings of one account, newest first, with their transfer's kind."""
    query = (select(postings.c.id, postings.c.amount, postings.c.balance_after, postings.c.created_at,
                    postings.c.transfer_id, transfers.c.kind, transfers.c.rule_version,
                    transfers.c.organizer_factor)
             .join(transfers, transfers.c.id == postings.c.transfer_id)
             .where(postings.c.account_id == account_id)
             .order_by(postings.c.id.desc()).limit(limit))
    if before_id is not None:
        query = query.where(postings.c.id < before_id)
    return [dict(row._mapping) for row in session.execute(query)]


# --- reconciliation ----------------------------------------------------------------------------

def books_report(session: Session) -> dict:
    """The ledger's invariants, computed from scratch (ops: `shanxing-points reconcile`)."""
    total = session.execute(select(func.coalesce(func.sum(accounts.c.balance), 0))).scalar_one()
    sums = (select(postings.c.account_id, func.sum(postings.c.amount).label("posted"))
            .group_by(postings.c.account_id).subquery())
    mismatched = session.execute(
        select(accounts.c.id, accounts.c.balance, func.coalesce(sums.c.posted, 0))
        .outerjoin(sums, sums.c.account_id == accounts.c.id)
        .where(accounts.c.balance != func.coalesce(sums.c.posted, 0))).all()
    negative = session.execute(select(accounts.c.id).where(accounts.c.kind == VOLUNTEER,
                                                           accounts.c.balance < 0)).scalars().all()
    unpaired = session.execute(
        select(postings.c.transfer_id).group_by(postings.c.transfer_id)
        .having((func.count() != 2) | (func.sum(postings.c.amount) != 0))).scalars().all()
    counters_off = session.execute(
        select(accounts.c.id).where(accounts.c.kind == VOLUNTEER,
                                    accounts.c.balance - accounts.c.debt
                                    != accounts.c.earned - accounts.c.redeemed - accounts.c.expired)
    ).scalars().all()
    return {
        "sum_of_balances": int(total),
        "accounts_not_matching_postings": [
            {"account_id": r[0], "balance": int(r[1]), "postings": int(r[2])} for r in mismatched],
        "negative_volunteer_accounts": list(negative),
        "transfers_not_balanced": list(unpaired),
        "volunteer_counters_not_matching": list(counters_off),
        **_causes_report(session),
        **lots_report(session),
        **holds_report(session),
    }


def _caused(cause, prefix: str):
    """The transfer id a cause moves points under, e.g. hours:<record_id>."""
    return literal(prefix) + cause


def _causes_report(session: Session) -> dict:
    """Every cause moved its points exactly once, and refunds never exceed their redemption."""
    hours_id = _caused(hour_credits.c.record_id, "hours:")
    hours_off = session.execute(
        select(hour_credits.c.record_id, hour_credits.c.points, transfers.c.amount)
        .outerjoin(transfers, transfers.c.id == hours_id)
        .where(or_(and_(hour_credits.c.points > 0, transfers.c.id.is_(None)),
                   transfers.c.amount != hour_credits.c.points))).all()
    hours_orphans = session.execute(
        select(transfers.c.id).where(transfers.c.kind == "hours")
        .where(~select(hour_credits.c.record_id).where(hours_id == transfers.c.id).exists())).scalars().all()
    bonus_off = session.execute(
        select(bonus_awards.c.id, bonus_awards.c.points, transfers.c.amount)
        .outerjoin(transfers, transfers.c.id == bonus_awards.c.id)
        .where(or_(and_(bonus_awards.c.points > 0, transfers.c.id.is_(None)),
                   transfers.c.amount != bonus_awards.c.points))).all()
    redeem_id = _caused(redemptions.c.id, "redeem:")
    redemptions_off = session.execute(
        select(redemptions.c.id, redemptions.c.points, transfers.c.amount)
        .outerjoin(transfers, transfers.c.id == redeem_id)
        .where(or_(transfers.c.id.is_(None), transfers.c.amount != redemptions.c.points))).all()
    redeem_orphans = session.execute(
        select(transfers.c.id).where(transfers.c.kind == "redeem")
        .where(~select(redemptions.c.id).where(redeem_id == transfers.c.id).exists())).scalars().all()
    refund_id = _caused(refunds.c.id, "refund:")
    refunds_off = session.execute(
        select(refunds.c.id, refunds.c.points, transfers.c.amount)
        .outerjoin(transfers, transfers.c.id == refund_id)
        .where(or_(transfers.c.id.is_(None), transfers.c.amount != refunds.c.points))).all()
    refund_orphans = session.execute(
        select(transfers.c.id).where(transfers.c.kind == "refund")
        .where(~select(refunds.c.id).where(refund_id == transfers.c.id).exists())).scalars().all()
    refunded = (select(refunds.c.redemption_id, func.sum(refunds.c.points).label("refunded"))
                .group_by(refunds.c.redemption_id).subquery())
    over_refunded = session.execute(
        select(redemptions.c.id, redemptions.c.points, func.coalesce(refunded.c.refunded, 0),
               redemptions.c.refunded_points)
        .outerjoin(refunded, refunded.c.redemption_id == redemptions.c.id)
        .where(or_(func.coalesce(refunded.c.refunded, 0) > redemptions.c.points,
                   func.coalesce(refunded.c.refunded, 0) != redemptions.c.refunded_points))).all()
    over_refunded_lines = session.execute(
        select(redemption_items.c.redemption_id, redemption_items.c.sku)
        .where(or_(redemption_items.c.refunded_quantity > redemption_items.c.quantity,
                   redemption_items.c.refunded_quantity < 0))).all()
    return {
        "hours_credits_not_moved_once": [
            {"record_id": r[0], "points": int(r[1]), "transferred": None if r[2] is None else int(r[2])}
            for r in hours_off] + [{"transfer_id": t, "record": None} for t in hours_orphans],
        "bonuses_not_moved_once": [
            {"award_id": r[0], "points": int(r[1]), "transferred": None if r[2] is None else int(r[2])}
            for r in bonus_off],
        "redemptions_not_debited_once": [
            {"redemption_id": r[0], "points": int(r[1]), "debited": None if r[2] is None else int(r[2])}
            for r in redemptions_off] + [{"transfer_id": t, "redemption": None} for t in redeem_orphans],
        "refunds_not_moved_once": [
            {"refund_id": r[0], "points": int(r[1]), "transferred": None if r[2] is None else int(r[2])}
            for r in refunds_off] + [{"transfer_id": t, "refund": None} for t in refund_orphans],
        "redemptions_refunded_beyond_their_points": [
            {"redemption_id": r[0], "points": int(r[1]), "refunds": int(r[2]), "refunded_points": int(r[3])}
            for r in over_refunded] + [{"redemption_id": r[0], "sku": r[1], "refunded_quantity": "beyond quantity"}
                                       for r in over_refunded_lines],
    }


def books_balanced(report: dict) -> bool:
    return report["sum_of_balances"] == 0 and not any(
        value for key, value in report.items() if key != "sum_of_balances")
