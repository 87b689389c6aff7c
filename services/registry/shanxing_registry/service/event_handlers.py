"""Events registry consumes (docs/events.md); each handler runs inside the inbox transaction."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shanxing_common.messaging import Event

from . import hours


def hours_confirmed(session: Session, event: Event) -> None:
    data = event.data
    hours.credit_hours(session, record_id=str(data["record_id"]), volunteer_id=str(data["volunteer_id"]),
                       hours=data["hours"], team_id=_optional_id(data.get("team_id")),
                       organization_id=_optional_id(data.get("organization_id")),
                       activity_id=_optional_id(data.get("activity_id")), served_on=data.get("served_on"),
                       confirmed_by=_optional_id(data.get("confirmed_by")),
                       activity_title=_optional_text(data.get("activity_title")),
                       address=_optional_text(data.get("address")))


def _optional_id(value) -> str | None:
    return str(value) if value not in (None, "") else None


def _optional_text(value) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def hours_revoked(session: Session, event: Event) -> None:
    data = event.data
    hours.revoke_hours(session, record_id=str(data["record_id"]), volunteer_id=str(data["volunteer_id"]))


HANDLERS = {
    "activities.hours_confirmed.v1": hours_confirmed,
    "activities.hours_revoked.v1": hours_revoked,
}
