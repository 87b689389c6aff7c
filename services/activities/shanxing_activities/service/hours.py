"""Use case: an organization's admin confirms the hours its volunteers served."""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from shanxing_common.internal_auth import Caller
from shanxing_common.messaging import record_event
from shanxing_common.web import ServiceContext

from ..adapters import repository
from ..domain.activity import HOURS_STATUSES, visible_to_public
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.hours import MAX_RECORDS_PER_BATCH, entry_mark, format_hours, hours_limit_error
from ..domain.periods import credited_subjects, period_starts
from ..domain.review import reason_error
from ..domain.statistics import STATISTICS_PERIODS, statistics_subjects
from . import read_model
from .clock import local_zone, now

PRODUCER = "activities"
HOURS_CONFIRMED = "activities.hours_confirmed.v1"


@dataclass(frozen=True)
class HoursEntry:
    volunteer_id: str
    hundredths: int


def confirm_hours(ctx: ServiceContext, caller: Caller, activity_id: str,
                  entries: list[HoursEntry]) -> list[dict]:
    """All or nothing: every record, its leaderboard totals and its event commit together."""
    with ctx.db.read() as s:
        known = repository.activity(s, activity_id)
    if known is None:
        raise NotFound("no activity has this id")
    is_admin = read_model.is_organization_admin(ctx, caller, known.organization_id)
    if not is_admin:
        if not (visible_to_public(known.status) or caller.is_ops):
            raise NotFound("no activity has this id")
        raise Forbidden("only an admin of the activity's organization may confirm its hours")
    if not 1 <= len(entries) <= MAX_RECORDS_PER_BATCH:
        raise ValidationFailed.field("records", f"send 1 to {MAX_RECORDS_PER_BATCH} records")

    moment = now(ctx)
    try:
        with ctx.db.transaction() as s:
            activity = repository.activity(s, activity_id)
            if activity.status not in HOURS_STATUSES:
                raise Conflict(f"hours can be confirmed only for a published activity; it is {activity.status}")
            if moment < activity.starts_at:
                raise Conflict("hours can be confirmed only once the activity has started")
            _check_entries(s, activity, entries)
            records = _write_records(s, ctx, caller, activity, entries, moment)
    except IntegrityError:  # a concurrent batch confirmed one of them first
        raise Conflict("hours for one of these volunteers were confirmed meanwhile; nothing was written") from None
    return records


def _check_entries(s, activity, entries: list[HoursEntry]) -> None:
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    length = activity.ends_at - activity.starts_at
    for index, entry in enumerate(entries):
        if entry.volunteer_id in seen:
            errors.setdefault(f"records.{index}.volunteer_id", []).append("appears twice in this batch")
        seen.add(entry.volunteer_id)
        problem = hours_limit_error(entry.hundredths, length)
        if problem:
            errors.setdefault(f"records.{index}.hours", []).append(problem)
    volunteer_ids = list(seen)
    signed_up = repository.confirmed_signups_among(s, activity.id, volunteer_ids)
    for index, entry in enumerate(entries):
        if entry.volunteer_id not in signed_up:
            errors.setdefault(f"records.{index}.volunteer_id", []).append("is not signed up to this activity")
    if errors:
        raise ValidationFailed.of(errors)
    confirmed = repository.hours_already_confirmed_among(s, activity.id, volunteer_ids)
    if confirmed:
        raise Conflict("hours were already confirmed for some of these volunteers; nothing was written", {
            f"records.{i}.volunteer_id": ["already has confirmed hours for this activity"]
            for i, entry in enumerate(entries) if entry.volunteer_id in confirmed})


def _write_records(s, ctx: ServiceContext, caller: Caller, activity, entries: list[HoursEntry],
                   moment) -> list[dict]:
    served_on = activity.starts_at.astimezone(local_zone(ctx)).date()
    attested = repository.checked_in_and_out_among(s, activity.id, [e.volunteer_id for e in entries])
    rows = [{"id": str(uuid.uuid4()), "activity_id": activity.id, "volunteer_id": e.volunteer_id,
             "hours": e.hundredths, "served_on": served_on, "confirmed_by": caller.subject,
             "confirmed_at": moment, "verified": e.volunteer_id in attested, "team_id": activity.team_id}
            for e in entries]
    repository.insert_hours_records(s, rows)
    _add_to_totals(s, activity, served_on, [(row["volunteer_id"], row["team_id"], row["hours"]) for row in rows])
    for row in rows:
        record_event(s, HOURS_CONFIRMED, {
            "record_id": row["id"], "volunteer_id": row["volunteer_id"], "activity_id": activity.id,
            "organization_id": activity.organization_id, "team_id": activity.team_id,
            "activity_title": activity.title, "address": activity.address,  # for the record certificate
            "region_code": activity.region_code, "category": activity.category,
            "hours": format_hours(row["hours"]), "served_on": served_on.isoformat(),
            "confirmed_by": caller.subject, "verified": row["verified"], "entry": entry_mark(row["verified"]),
        }, producer=PRODUCER)
    _add_to_statistics(s, activity, served_on, {row["volunteer_id"]: row["hours"] for row in rows})
    return rows


def _add_to_totals(s, activity, served_on, records: list[tuple[str, str | None, int]]) -> None:
    """Every leaderboard the records (volunteer, team, hundredths) count on: the volunteer, the
    organization, the team and the activity's region with each enclosing region, for the week,
    month and year of ``served_on``. One change per total (the batch summed)."""
    changes: dict[tuple, int] = defaultdict(int)
    for volunteer_id, team_id, hundredths in records:
        subjects = credited_subjects(volunteer_id=volunteer_id, team_id=team_id,
                                     organization_id=activity.organization_id, region_code=activity.region_code)
        for kind, start in period_starts(served_on).items():
            for scope, subject_id in subjects:
                changes[(kind, start, scope, subject_id)] += hundredths
    repository.add_to_totals(s, changes)


def _add_to_statistics(s, activity, served_on, hundredths_by_volunteer: dict[str, int]) -> None:
    """The month and year statistics of the activity's organization and regions."""
    starts = period_starts(served_on)
    # In a fixed order, like every writer of these rows: concurrent batches queue instead of deadlocking.
    for scope, subject_id in sorted(statistics_subjects(activity.organization_id, activity.region_code)):
        for kind in STATISTICS_PERIODS:
            repository.add_to_statistics(s, period_kind=kind, period_start=starts[kind], scope=scope,
                                         subject_id=subject_id, activity_id=activity.id,
                                         hundredths_by_volunteer=hundredths_by_volunteer)


HOURS_REVOKED = "activities.hours_revoked.v1"


def revoke_hours(ctx: ServiceContext, caller: Caller, activity_id: str, record_id: str, reason: str) -> dict:
    """Mark a confirmed record revoked (kept, not deleted); the leaderboard totals shrink and
    activities.hours_revoked.v1 is recorded in the same transaction. Twice → 409."""
    problem = reason_error(reason)
    if problem:
        raise ValidationFailed.field("reason", problem)
    with ctx.db.read() as s:
        activity = repository.activity(s, activity_id)
    if activity is None:
        raise NotFound("no activity has this id")
    if not (caller.is_ops or read_model.is_organization_admin(ctx, caller, activity.organization_id)):
        if not visible_to_public(activity.status):
            raise NotFound("no activity has this id")
        raise Forbidden("only an admin of the activity's organization, or ops, may revoke its hours")
    moment = now(ctx)
    with ctx.db.transaction() as s:
        record = repository.hours_record(s, activity_id, record_id)
        if record is None:
            raise NotFound("the activity has no hours record with this id")
        if not repository.revoke_if_active(s, record_id, caller.subject, moment, reason.strip()):
            raise Conflict("these hours were already revoked", {"record_id": ["already revoked"]})
        _add_to_totals(s, activity, record.served_on, [(record.volunteer_id, record.team_id, -record.hours)])
        _add_to_statistics(s, activity, record.served_on, {record.volunteer_id: -record.hours})
        record_event(s, HOURS_REVOKED, {
            "record_id": record.id, "volunteer_id": record.volunteer_id, "hours": format_hours(record.hours),
            "reason": reason.strip(), "revoked_by": caller.subject,
        }, producer=PRODUCER)
        revoked = repository.hours_record(s, activity_id, record_id)
    return dict(revoked._mapping)
