"""Events this service consumes (docs/events.md). Each runs inside the inbox transaction."""
from __future__ import annotations

from datetime import datetime

from shanxing_common.messaging import Event
from sqlalchemy.orm import Session

from ..adapters.sql import as_utc
from ..config import points_per_hour
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


def hours_confirmed(session: Session, event: Event) -> None:
    data = event.data
    ledger.credit_hours(session, record_id=str(data["record_id"]), volunteer_id=str(data["volunteer_id"]),
                        hours=data["hours"], rate=points_per_hour())


def hours_revoked(session: Session, event: Event) -> None:
    data = event.data
    ledger.revoke_hours(session, record_id=str(data["record_id"]), volunteer_id=str(data["volunteer_id"]),
                        hours=data["hours"])


HANDLERS = {
    "registry.volunteer_registered.v1": volunteer_named,
    "registry.volunteer_updated.v1": volunteer_named,
    "activities.hours_confirmed.v1": hours_confirmed,
    "activities.hours_revoked.v1": hours_revoked,
}
