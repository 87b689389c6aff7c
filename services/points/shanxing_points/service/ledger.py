"""Use cases that move points because of hours (called by the event handlers)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ..adapters import earning_rules as rules_store, ledger, repository
from ..domain import rules
from ..domain.earning_rules import EarningRules, credit_for_hours, default_rules
from . import expiry

STAR, COMMENDATION = "star", "commendation"


def name_volunteer(session: Session, volunteer_id: str, display_name: str | None,
                   as_of: datetime | None) -> None:
    """Open the volunteer's account (or rename it) from a registry event."""
    ledger.set_display_name(session, ledger.VOLUNTEER, volunteer_id, display_name, as_of)


def rules_in_force(session: Session, at: datetime, default_rate: int) -> EarningRules:
    """The published version in force at ``at``, else version 0 (the deployment's rate)."""
    return rules_store.in_force(session, at) or default_rules(default_rate)


def credit_hours(session: Session, *, record_id: str, volunteer_id: str, hours: str, rate: int,
                 at: datetime, category: str | None = None, served_on: date | None = None,
                 verified: bool = True, verified_only: bool = False,
                 organization_id: str | None = None) -> int:
    """Credit a confirmed record once, priced by the rules in force at ``at`` (``rate`` is version
    0's) and the organizer factor that version gives ``organization_id``; debt is settled first. Returns the points earned (0 when this record was already
    credited, revoked before its confirmation arrived, capped or unverified)."""
    parsed = rules.parse_hours(hours)
    if repository.hour_credit_exists(session, record_id):
        return 0
    in_force = rules_in_force(session, at, rate)
    account_id = ledger.ensure_account(session, ledger.VOLUNTEER, volunteer_id)
    # Lock the account first: two records of one day then see each other's credit under the cap.
    ledger.lock_account(session, account_id)
    earned_that_day = 0
    if in_force.daily_cap_per_volunteer is not None and served_on is not None:
        earned_that_day = rules_store.earned_on(session, volunteer_id, served_on)
    credit = credit_for_hours(in_force, parsed, category, already_earned_that_day=earned_that_day,
                              verified=verified, verified_only=verified_only,
                              organization_id=organization_id)
    if not repository.record_hour_credit(session, record_id, volunteer_id, str(parsed), credit.points,
                                         category=category, served_on=served_on,
                                         rule_version=in_force.version, not_earned=credit.not_earned,
                                         not_earned_reason=credit.reason, organization_id=organization_id,
                                         organizer_factor=str(credit.factor)):
        return 0
    if credit.points == 0:
        return 0
    if not ledger.move(session, transfer_id=f"hours:{record_id}", kind="hours",
                       debit=ledger.ISSUANCE_ACCOUNT_ID, credit=account_id, amount=credit.points,
                       credit_counters={"earned": credit.points}, rule_version=in_force.version,
                       organizer_factor=str(credit.factor)):
        return 0
    settled = settle_debt(session, account_id, credit.points, cause=f"hours:{record_id}")
    expiry.grant(session, account_id, credit.points - settled, source_transfer_id=f"hours:{record_id}", at=at)
    return credit.points


def award_star_bonus(session: Session, *, volunteer_id: str, old_level: int, new_level: int,
                     at: datetime, rate: int) -> int:
    """The bonus for reaching a new star level: upward only, once per volunteer and level."""
    if new_level <= old_level:
        return 0
    in_force = rules_in_force(session, at, rate)
    return _award(session, award_id=f"star:{volunteer_id}:{new_level}", kind=STAR,
                  volunteer_id=volunteer_id, level=str(new_level),
                  points=in_force.star_bonus(old_level, new_level), rule_version=in_force.version, at=at)


def award_commendation_bonus(session: Session, *, commendation_id: str, volunteer_id: str,
                             level: str, at: datetime, rate: int) -> int:
    """The bonus for a commendation's level, once per commendation."""
    in_force = rules_in_force(session, at, rate)
    return _award(session, award_id=f"commendation:{commendation_id}", kind=COMMENDATION,
                  volunteer_id=volunteer_id, level=level,
                  points=in_force.commendation_bonus_for(level), rule_version=in_force.version, at=at)


def _award(session: Session, *, award_id: str, kind: str, volunteer_id: str, level: str, points: int,
           rule_version: int, at: datetime) -> int:
    if not rules_store.record_bonus(session, award_id=award_id, volunteer_id=volunteer_id, kind=kind,
                                    level=level, points=points, rule_version=rule_version):
        return 0
    if points == 0:
        return 0  # considered, worth nothing: no transfer
    account_id = ledger.ensure_account(session, ledger.VOLUNTEER, volunteer_id)
    if not ledger.move(session, transfer_id=award_id, kind=kind, debit=ledger.ISSUANCE_ACCOUNT_ID,
                       credit=account_id, amount=points, credit_counters={"earned": points},
                       rule_version=rule_version):
        return 0
    settled = settle_debt(session, account_id, points, cause=award_id)
    expiry.grant(session, account_id, points - settled, source_transfer_id=award_id, at=at)
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
        expiry.spend(session, account_id, split.from_balance)
    else:
        ledger.adjust_counters(session, account_id, **counters)
    return points
