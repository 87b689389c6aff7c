"""Use cases: sign up (online, on site, or onto the waitlist), withdraw, and the waitlist's promotion."""
from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from shanxing_common.internal_auth import Caller
from shanxing_common.web import ServiceContext

from ..adapters import repository
from ..domain.activity import PUBLISHED
from ..domain.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ..domain.signup import (ACTIVE_STATUSES, CANCELLED, CONFIRMED, WAITLISTED, missing_skills,
                             may_withdraw)
from . import read_model
from .activities import may_see
from .clock import now

ALREADY_SIGNED_UP = "you have already signed up for this activity"


class _NoPlace(Exception):
    """The conditional UPDATE matched no row: full, closed or ended (worked out in the transaction)."""


def sign_up(ctx: ServiceContext, caller: Caller, activity_id: str, *, waitlist: bool = False) -> dict:
    """A volunteer signs up for themself (``waitlist``: queue when full instead of a 409)."""
    if not read_model.is_volunteer(ctx, caller.subject):
        raise Forbidden("only registered volunteers may sign up, and only for themselves")
    with ctx.db.read() as s:
        activity = repository.activity(s, activity_id)
    if activity is None or not may_see(ctx, caller, activity):
        raise NotFound("no activity has this id")
    return _sign_up(ctx, activity_id, caller.subject, added_by=None, waitlist=waitlist, on_behalf=False)


def sign_up_on_site(ctx: ServiceContext, caller: Caller, activity_id: str, volunteer_id: str, *,
                    waitlist: bool = False) -> dict:
    """The organizer signs up a volunteer who turned up (same rules; open until the activity ends)."""
    with ctx.db.read() as s:
        activity = repository.activity(s, activity_id)
    if activity is None:
        raise NotFound("no activity has this id")
    if not read_model.is_organization_admin(ctx, caller, activity.organization_id):
        if not may_see(ctx, caller, activity):
            raise NotFound("no activity has this id")
        raise Forbidden("only an admin of the activity's organization may sign volunteers up on site")
    if not read_model.is_volunteer(ctx, volunteer_id):
        raise ValidationFailed.field("volunteer_id", "no registered volunteer has this id")
    return _sign_up(ctx, activity_id, volunteer_id, added_by=caller.subject, waitlist=waitlist, on_behalf=True)


def _sign_up(ctx: ServiceContext, activity_id: str, volunteer_id: str, *, added_by: str | None,
             waitlist: bool, on_behalf: bool) -> dict:
    moment = now(ctx)
    who = "the volunteer has" if on_behalf else "you have"
    try:
        with ctx.db.transaction() as s:
            # One volunteer's sign-ups queue on their read-model row, so the double-booking check
            # below cannot be raced by the same volunteer joining another activity concurrently.
            person = repository.volunteer(s, volunteer_id, lock=True)
            existing = repository.signup_of(s, activity_id, volunteer_id)
            if existing is not None and existing.status in ACTIVE_STATUSES:
                raise Conflict(ALREADY_SIGNED_UP if not on_behalf else "the volunteer is already signed up",
                               {"volunteer_id": [f"already {existing.status}"]})
            activity = repository.activity(s, activity_id)
            _check_open(activity, moment)
            lacking = missing_skills(activity.skills or [], person.skills or [])
            if lacking:
                raise Conflict(f"{who} not got the skills this activity requires: {', '.join(lacking)}",
                               {"skills": [f"missing: {skill}" for skill in lacking]})
            clash = repository.clashing_signup(s, volunteer_id, activity_id, activity.starts_at, activity.ends_at)
            if clash is not None:
                raise Conflict(f"{who} a sign-up for another activity at the same time: {clash.id} "
                               f"({clash.title}, {clash.starts_at.isoformat()} – {clash.ends_at.isoformat()})",
                               {"activity_id": [f"overlaps with activity {clash.id}"]})
            # Capacity is the database's to enforce: one conditional UPDATE takes the place and the
            # CHECK on signed_up backs it.
            if repository.take_place(s, activity_id, moment):
                status = CONFIRMED
            elif waitlist:
                # Full — unless it closed since the read above (the UPDATE saw the latest row).
                _check_open(repository.activity(s, activity_id), moment)
                status = WAITLISTED
            else:
                raise _NoPlace()
            signup = _store(s, existing, activity_id, volunteer_id, status, moment, added_by)
    except _NoPlace:
        raise _why_no_place(ctx, activity_id, moment) from None
    except IntegrityError:  # the unique (activity, volunteer) row: a concurrent request won
        raise Conflict(ALREADY_SIGNED_UP) from None
    return signup


def _check_open(activity, moment) -> None:
    if activity.status != PUBLISHED:
        raise Conflict(f"the activity is not open for sign-up: it is {activity.status}",
                       {"status": [f"is {activity.status}"]})
    if activity.ends_at <= moment:
        raise Conflict("the activity has already ended")


def _store(s, existing, activity_id: str, volunteer_id: str, status: str, moment, added_by) -> dict:
    if existing is not None:  # a cancelled sign-up: the row is reused, the queue position is new
        repository.rejoin(s, existing.id, status=status, now=moment, added_by=added_by)
        signup_id = existing.id
    else:
        signup_id = str(uuid.uuid4())
        repository.insert_signup(s, {"id": signup_id, "activity_id": activity_id, "volunteer_id": volunteer_id,
                                     "status": status, "created_at": moment, "added_by": added_by})
    return {"id": signup_id, "activity_id": activity_id, "volunteer_id": volunteer_id, "status": status,
            "created_at": moment}


def _why_no_place(ctx: ServiceContext, activity_id: str, moment) -> DomainError:
    with ctx.db.read() as s:
        row = repository.activity(s, activity_id)
    if row.status != PUBLISHED:
        return Conflict(f"the activity is not open for sign-up: it is {row.status}",
                        {"status": [f"is {row.status}"]})
    if row.ends_at <= moment:
        return Conflict("the activity has already ended")
    return Conflict("the activity is full (send {\"waitlist\": true} to join its waitlist)")


def withdraw(ctx: ServiceContext, caller: Caller, activity_id: str) -> dict:
    """A volunteer cancels their own sign-up before the activity starts; a freed place goes to the
    earliest waitlisted volunteer in the same transaction."""
    moment = now(ctx)
    with ctx.db.transaction() as s:
        repository.volunteer(s, caller.subject or "", lock=True)
        activity = repository.activity(s, activity_id, lock=True)
        signup = repository.signup_of(s, activity_id, caller.subject or "")
        if activity is None or signup is None or signup.status == CANCELLED:
            raise NotFound("you have no sign-up for this activity")
        if not may_withdraw(moment, activity.starts_at):
            raise Conflict("the activity has started; ask the organizer instead of withdrawing")
        if not repository.withdraw(s, signup.id, signup.status, moment):
            raise Conflict("your sign-up changed meanwhile; try again")
        promoted = None
        if signup.status == CONFIRMED:
            repository.release_place(s, activity_id)
            promoted = _promote_earliest(s, activity_id, moment)
    return {"id": signup.id, "activity_id": activity_id, "volunteer_id": signup.volunteer_id,
            "status": CANCELLED, "created_at": signup.created_at, "cancelled_at": moment,
            "promoted_volunteer_id": promoted}


def _promote_earliest(s, activity_id: str, moment) -> str | None:
    """Give the freed place to the first in line (the conditional UPDATEs keep capacity exact)."""
    for candidate in repository.waitlist(s, activity_id, limit=5):
        if repository.promote(s, candidate.id):
            if repository.take_place(s, activity_id, moment):
                return candidate.volunteer_id
            raise Conflict("the freed place was taken meanwhile; try again")
    return None
