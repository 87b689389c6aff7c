"""Use case: a volunteer signs up for a published activity."""
from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from shanxing_common.internal_auth import Caller
from shanxing_common.web import ServiceContext

from ..adapters import repository
from ..adapters.repository import CONFIRMED
from ..domain.activity import PUBLISHED, visible_to_public
from ..domain.errors import Conflict, DomainError, Forbidden, NotFound
from . import read_model
from .clock import now


ALREADY_SIGNED_UP = "you have already signed up for this activity"


class _NoPlaceTaken(Exception):
    """The conditional UPDATE matched no row; why is worked out after the rollback."""


def sign_up(ctx: ServiceContext, caller: Caller, activity_id: str) -> dict:
    if not read_model.is_volunteer(ctx, caller.subject):
        raise Forbidden("only registered volunteers may sign up, and only for themselves")
    moment = now(ctx)
    signup = {"id": str(uuid.uuid4()), "activity_id": activity_id, "volunteer_id": caller.subject,
              "status": CONFIRMED, "created_at": moment}
    try:
        with ctx.db.transaction() as s:
            # Capacity is the database's to enforce: one conditional UPDATE takes the place, the
            # CHECK on signed_up backs it, and the unique (activity, volunteer) insert undoes it
            # (rollback) for someone already signed up.
            if not repository.take_place(s, activity_id, moment):
                raise _NoPlaceTaken()
            repository.insert_signup(s, signup)
    except _NoPlaceTaken:
        raise _why_no_place(ctx, caller, activity_id, moment) from None
    except IntegrityError:
        raise Conflict(ALREADY_SIGNED_UP) from None
    return signup


def _why_no_place(ctx: ServiceContext, caller: Caller, activity_id: str, moment) -> DomainError:
    with ctx.db.read() as s:
        row = repository.activity(s, activity_id)
        joined = repository.has_signed_up(s, activity_id, caller.subject)
    if row is None or not (visible_to_public(row.status)
                           or read_model.may_manage(ctx, caller, row.organization_id)):
        return NotFound("no activity has this id")
    if joined:
        return Conflict(ALREADY_SIGNED_UP)
    if row.status != PUBLISHED:
        return Conflict(f"the activity is not open for sign-up: it is {row.status}")
    if row.ends_at <= moment:
        return Conflict("the activity has already ended")
    return Conflict("the activity is full")
