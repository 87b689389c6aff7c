"""Events this service consumes (docs/events.md). Each runs inside the inbox transaction."""
from __future__ import annotations

from datetime import date, datetime

from shanxing_common.messaging import Event
from sqlalchemy.orm import Session

from ..adapters.sql import as_utc, utcnow
from ..config import calendar_timezone, points_per_hour, verified_hours_only
from . import ledger


def _occurred_at(event: Event) -> datetime | None:
    try:
        return as_utc(datetime.fromisoformat(event.occurred_at))
    except (TypeError, ValueError):
        return None


def volunteer_named(session: Session, event: Event) -> None:
    """registered and updated carry the same fields: open the account and keep the newest name."""
    data = event.data
    ledger.name_volunteer(session, str(data["volunteer_id"]), data.get("display_name"),
                          _occurred_at(event))


def _served_on(raw, at: datetime) -> date:
    """The record's service date; an event without one counts on its own calendar date."""
    if raw:
        return date.fromisoformat(str(raw))
    return at.astimezone(calendar_timezone()).date()


def hours_confirmed(session: Session, event: Event) -> None:
    data = event.data
    at = _occurred_at(event) or utcnow()
    category = data.get("category")
    organization_id = data.get("organization_id")
    ledger.credit_hours(session, record_id=str(data["record_id"]), volunteer_id=str(data["volunteer_id"]),
                        hours=data["hours"], rate=points_per_hour(), at=at,
                        category=str(category) if category is not None else None,
                        served_on=_served_on(data.get("served_on"), at),
                        verified=data.get("verified") is not False, verified_only=verified_hours_only(),
                        organization_id=str(organization_id) if organization_id is not None else None)


def star_level_changed(session: Session, event: Event) -> None:
    data = event.data
    ledger.award_star_bonus(session, volunteer_id=str(data["volunteer_id"]),
                            old_level=int(data.get("old_level") or 0), new_level=int(data["new_level"]),
                            at=_occurred_at(event) or utcnow(), rate=points_per_hour())


def commendation_granted(session: Session, event: Event) -> None:
    data = event.data
    commendation_id = str(data["commendation_id"])
    if not 0 < len(commendation_id) <= 64:
        raise ValueError("commendation_id must be 1 to 64 characters")
    ledger.award_commendation_bonus(session, commendation_id=commendation_id,
                                    volunteer_id=str(data["volunteer_id"]), level=str(data["level"]),
                                    at=_occurred_at(event) or utcnow(), rate=points_per_hour())


def hours_revoked(session: Session, event: Event) -> None:
    data = event.data
    ledger.revoke_hours(session, record_id=str(data["record_id"]), volunteer_id=str(data["volunteer_id"]),
                        hours=data["hours"])


HANDLERS = {
    "registry.volunteer_registered.v1": volunteer_named,
    "registry.volunteer_updated.v1": volunteer_named,
    "activities.hours_confirmed.v1": hours_confirmed,
    "activities.hours_revoked.v1": hours_revoked,
    "registry.star_level_changed.v1": star_level_changed,
    "registry.commendation_granted.v1": commendation_granted,
}
