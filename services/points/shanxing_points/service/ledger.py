"""Use cases that move points because of hours (called by the event handlers)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..adapters import ledger, repository
from ..domain import rules


def name_volunteer(session: Session, volunteer_id: str, display_name: str | None,
                   as_of: datetime | None) -> None:
    """Open the volunteer's account (or rename it) from a registry event."""
    ledger.set_display_name(session, ledger.VOLUNTEER, volunteer_id, display_name, as_of)


def credit_hours(session: Session, *, record_id: str, volunteer_id: str, hours: str, rate: int) -> int:
    """Credit ``hours × rate`` once per record; debt is settled first. Returns the points earned
    (0 when this record was already credited or revoked before its confirmation arrived)."""
    parsed = rules.parse_hours(hours)
    points = rules.points_for_hours(parsed, rate)
    if not repository.record_hour_credit(session, record_id, volunteer_id, str(parsed), points):
        return 0
    if points == 0:
        return 0
    account_id = ledger.ensure_account(session, ledger.VOLUNTEER, volunteer_id)
    if not ledger.move(session, transfer_id=f"hours:{record_id}", kind="hours",
                       debit=ledger.ISSUANCE_ACCOUNT_ID, credit=account_id, amount=points,
                       credit_counters={"earned": points}):
        return 0
    settle_debt(session, account_id, points, cause=f"hours:{record_id}")
    return points


def settle_debt(session: Session, account_id: str, incoming: int, *, cause: str) -> int:
    """Points that just reached a volunteer pay down their debt first (back to issuance, where
    the revoked points would have gone). Returns the points settled."""
    debt = ledger.lock_account(session, account_id).debt
    settles = rules.split_credit(incoming, debt).settles_debt
    if settles:
        ledger.move(session, transfer_id=f"settle:{cause}", kind="settle", debit=account_id,
                    credit=ledger.ISSUANCE_ACCOUNT_ID, amount=settles, debit_counters={"debt": -settles})
    return settles


def revoke_hours(session: Session, *, record_id: str, volunteer_id: str, hours: str) -> int:
    """Take back what the record earned, as far as the balance allows; the rest becomes debt.
    Returns the points revoked."""
    credit = repository.mark_hour_credit_revoked(session, record_id)
    if credit is None:
        # Either revoked already, or the confirmation has not arrived yet: leave a tombstone so
        # that a late confirmation credits nothing.
        repository.record_revocation_tombstone(session, record_id, volunteer_id,
                                               str(rules.parse_hours(hours)))
        return 0
    points = credit["points"]
    if points == 0:
        return 0
    account_id = ledger.ensure_account(session, ledger.VOLUNTEER, credit["volunteer_id"])
    balance = ledger.lock_account(session, account_id).balance
    split = rules.split_revocation(points, balance)
    counters = {"earned": -points, "debt": split.becomes_debt}
    if split.from_balance:
        ledger.move(session, transfer_id=f"revoke:{record_id}", kind="revoke", debit=account_id,
                    credit=ledger.ISSUANCE_ACCOUNT_ID, amount=split.from_balance,
                    debit_counters={k: v for k, v in counters.items() if v})
    else:
        ledger.adjust_counters(session, account_id, **counters)
    return points
