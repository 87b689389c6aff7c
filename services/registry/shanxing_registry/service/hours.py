"""Cumulative hours from activities' confirmations and revocations, each counted once per record,
rolled up to the team and every organization above it in both trees."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from shanxing_common.messaging import record_event

from ..adapters import repository as repo
from ..config import star_thresholds_hours, team_star_thresholds_hours
from ..domain.hours import format_hours, parse_hours, star_change
from ..runtime import utc_now

PRODUCER = "registry"


def credit_hours(session: Session, *, record_id: str, volunteer_id: str, hours, team_id: str | None = None,
                 organization_id: str | None = None, activity_id: str | None = None,
                 served_on: str | None = None, confirmed_by: str | None = None,
                 activity_title: str | None = None, address: str | None = None) -> None:
    """Adds a record's hours once to the volunteer, the team (when known) and the organizations
    above it. A record already known (credited, or revoked before its credit arrived) changes
    nothing. An unknown volunteer's credit is still recorded."""
    hundredths = parse_hours(hours)
    if repo.hours_credit(session, record_id, for_update=True) is not None:
        return
    team = repo.team(session, team_id)
    organization_ids = _roll_up_targets(session, team, organization_id)
    repo.insert_hours_credit(session, record_id=record_id, volunteer_id=volunteer_id, hundredths=hundredths,
                             credited_at=utc_now(), revoked_at=None, team_id=team.id if team else None,
                             organization_ids=organization_ids, activity_id=activity_id,
                             organization_id=organization_id, served_on=_date_or_none(served_on),
                             confirmed_by=confirmed_by, activity_title=activity_title, address=address)
    _apply(session, volunteer_id, team.id if team else None, organization_ids, hundredths)


def _date_or_none(value) -> date | None:
    """The event's served_on (ISO date); a malformed one is not worth dead-lettering the hours for."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def revoke_hours(session: Session, *, record_id: str, volunteer_id: str) -> None:
    """Subtracts exactly what the record added, from exactly where it was added, once. A revoke
    ahead of its credit leaves a tombstone (nothing added, already revoked) so that the late
    credit is ignored."""
    credit = repo.hours_credit(session, record_id, for_update=True)
    now = utc_now()
    if credit is None:
        repo.insert_hours_credit(session, record_id=record_id, volunteer_id=volunteer_id,
                                 hundredths=0, credited_at=None, revoked_at=now)
        return
    if credit.revoked_at is not None or credit.credited_at is None:
        return
    if repo.mark_credit_revoked(session, record_id, now):
        _apply(session, credit.volunteer_id, credit.team_id, list(credit.organization_ids or []),
               -credit.hundredths)


def _roll_up_targets(session: Session, team, organization_id: str | None) -> list[str]:
    """Both parents of the team and their ancestors, plus the activity's organization and its
    ancestors; each organization once, so one record never counts twice in one place."""
    starts = [team.regional_parent_id, team.specialised_parent_id] if team else []
    if organization_id:
        starts.append(organization_id)
    targets: list[str] = []
    for start in starts:
        for organization in repo.ancestor_ids(session, start, include_self=True):
            if organization not in targets:
                targets.append(organization)
    return sorted(targets)


def _apply(session: Session, volunteer_id: str, team_id: str | None, organization_ids: list[str],
           delta_hundredths: int) -> None:
    totals = repo.add_hours(session, volunteer_id, delta_hundredths)
    if totals is not None:  # an unknown volunteer: the credit row alone keeps the record
        new_level = star_change(totals.star_level, totals.total_hours, star_thresholds_hours())
        if new_level is not None:
            repo.set_star_level(session, volunteer_id, new_level)
            record_event(session, "registry.star_level_changed.v1", {
                "volunteer_id": volunteer_id, "old_level": totals.star_level, "new_level": new_level,
                "total_hours": format_hours(totals.total_hours),
            }, producer=PRODUCER)
    if team_id:
        team_totals = repo.add_team_hours(session, team_id, delta_hundredths)
        if team_totals is not None:
            new_level = star_change(team_totals.star_level, team_totals.total_hours, team_star_thresholds_hours())
            if new_level is not None:
                repo.set_team_star_level(session, team_id, new_level)
    repo.add_organization_hours(session, organization_ids, delta_hundredths)
