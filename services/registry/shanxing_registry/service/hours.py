"""Cumulative hours from activities' confirmations and revocations, each counted once per record."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..adapters import repository as repo
from ..config import star_thresholds_hours
from ..domain.hours import parse_hours, star_level_for
from ..runtime import utc_now


def credit_hours(session: Session, *, record_id: str, volunteer_id: str, hours) -> None:
    """Adds a record's hours once. A record already known (credited, or revoked before its credit
    arrived) changes nothing. An unknown volunteer's credit is still recorded."""
    hundredths = parse_hours(hours)
    if repo.hours_credit(session, record_id, for_update=True) is not None:
        return
    repo.insert_hours_credit(session, record_id=record_id, volunteer_id=volunteer_id,
                             hundredths=hundredths, credited_at=utc_now(), revoked_at=None)
    _apply(session, volunteer_id, hundredths)


def revoke_hours(session: Session, *, record_id: str, volunteer_id: str) -> None:
    """Subtracts exactly what the record added, once. A revoke ahead of its credit leaves a
    tombstone (nothing added, already revoked) so that the late credit is ignored."""
    credit = repo.hours_credit(session, record_id, for_update=True)
    now = utc_now()
    if credit is None:
        repo.insert_hours_credit(session, record_id=record_id, volunteer_id=volunteer_id,
                                 hundredths=0, credited_at=None, revoked_at=now)
        return
    if credit.revoked_at is not None or credit.credited_at is None:
        return
    if repo.mark_credit_revoked(session, record_id, now):
        _apply(session, credit.volunteer_id, -credit.hundredths)


def _apply(session: Session, volunteer_id: str, delta_hundredths: int) -> None:
    totals = repo.add_hours(session, volunteer_id, delta_hundredths)
    if totals is None:
        return  # unknown volunteer: the credit row alone keeps the record
    level = star_level_for(totals.total_hours, star_thresholds_hours())
    if level != totals.star_level:
        repo.set_star_level(session, volunteer_id, level)
