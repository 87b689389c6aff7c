"""The read model of registry's volunteers and organizations, built from its events only.

Handlers run inside the inbox transaction; each is an upsert so that events may arrive in any
order (an admin before its organization's approval, an update before the registration).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from shanxing_common.messaging import Event

from ..adapters import repository
from ..domain.recommendation import parse_availability, parse_home


def _occurred_at(event: Event) -> datetime:
    try:
        moment = datetime.fromisoformat(event.occurred_at)
    except ValueError:
        moment = datetime.now(timezone.utc)  # no usable stamp: treat it as the latest news
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def volunteer_changed(session: Session, event: Event) -> None:
    data = event.data
    values = {
        "volunteer_id": str(data["volunteer_id"]),
        "display_name": data.get("display_name") or "",
        "region_code": data.get("region_code"),
        "skills": list(data.get("skills") or []),
        "preferences": list(data.get("preferences") or []),
        "source_version": _occurred_at(event),
    }
    # For recommendations; an event without them (a registration) leaves what the row has.
    if "availability" in data:
        values["availability"] = [{"weekday": w.weekday, "start": w.start.strftime("%H:%M"),
                                   "end": w.end.strftime("%H:%M")} for w in parse_availability(data["availability"])]
    if "home_location" in data:
        home = parse_home(data["home_location"])
        values["home_latitude"], values["home_longitude"] = home if home else (None, None)
    repository.upsert_volunteer(session, values)


# Sorts before any real event: a placeholder row left by an early transfer yields to the registration.
_PLACEHOLDER_VERSION = datetime(1970, 1, 1, tzinfo=timezone.utc)


def volunteer_transferred(session: Session, event: Event) -> None:
    data = event.data
    moment = data.get("transferred_at") or event.occurred_at
    try:
        transferred_at = datetime.fromisoformat(moment)
        transferred_at = transferred_at if transferred_at.tzinfo else transferred_at.replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        transferred_at = _occurred_at(event)
    repository.transfer_volunteer(session, str(data["volunteer_id"]), data.get("to_region_code"),
                                  transferred_at, _PLACEHOLDER_VERSION)


def organization_approved(session: Session, event: Event) -> None:
    data = event.data
    organization_id = str(data["organization_id"])
    repository.upsert_organization(session, {
        "organization_id": organization_id,
        "name": data.get("name") or "",
        "kind": data.get("kind") or "",
        "parent_id": data.get("parent_id"),
        "region_code": data.get("region_code"),
        "status": "approved",
    })
    for admin_id in data.get("admin_ids") or []:
        repository.add_organization_admin(session, organization_id, str(admin_id))


def organization_admin_added(session: Session, event: Event) -> None:
    data = event.data
    repository.add_organization_admin(session, str(data["organization_id"]), str(data["volunteer_id"]))


HANDLERS = {
    "registry.volunteer_registered.v1": volunteer_changed,
    "registry.volunteer_updated.v1": volunteer_changed,
    "registry.volunteer_transferred.v1": volunteer_transferred,
    "registry.organization_approved.v1": organization_approved,
    "registry.organization_admin_added.v1": organization_admin_added,
}
