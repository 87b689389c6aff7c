"""Use cases: the organizer's rotating check-in code, volunteers' check-in and check-out on site,
and the organizer's list of sign-ups with suggested hours."""
from __future__ import annotations

import secrets

from shanxing_common.internal_auth import Caller
from shanxing_common.web import ServiceContext

from ..adapters import qr, repository
from ..domain.activity import HOURS_STATUSES
from ..domain.checkin import (CHECKOUT_CLOSES_AFTER_END, checkin_payload, checkin_refusal, checkout_refusal,
                              code_is_valid, current_code, distance_meters, suggested_hundredths)
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.signup import CONFIRMED
from . import read_model
from .activities import decode_cursor, encode_cursor, may_see
from .clock import checkin_radius_meters, now


def checkin_code(ctx: ServiceContext, caller: Caller, activity_id: str) -> dict:
    """The code to show on site now (6 digits; it rotates every 30 s)."""
    activity = _organizers_activity(ctx, caller, activity_id)
    moment = now(ctx)
    if activity.status not in HOURS_STATUSES:
        raise Conflict(f"the activity is {activity.status}; check-in codes exist only for published activities",
                       {"status": [f"is {activity.status}"]})
    if moment >= activity.ends_at + CHECKOUT_CLOSES_AFTER_END:
        raise Conflict("check-in and check-out are closed for this activity")
    secret = activity.checkin_secret
    if secret is None:
        with ctx.db.transaction() as s:
            repository.set_checkin_secret_if_missing(s, activity_id, secrets.token_hex(32))
            secret = repository.activity(s, activity_id).checkin_secret
    code, valid_until = current_code(secret, activity_id, moment)
    return {"code": code, "valid_until": valid_until, "qr_payload": checkin_payload(activity_id, code)}


def checkin_code_qr(ctx: ServiceContext, caller: Caller, activity_id: str) -> str:
    """The current code's payload as a QR image (SVG), with the same permission and windows."""
    return qr.qr_svg(checkin_code(ctx, caller, activity_id)["qr_payload"])


def check_in(ctx: ServiceContext, caller: Caller, activity_id: str, code: str, latitude: float,
             longitude: float) -> dict:
    moment = now(ctx)
    with ctx.db.transaction() as s:
        activity, signup = _attendance(ctx, s, caller, activity_id, code, latitude, longitude, moment)
        refusal = checkin_refusal(moment, activity.starts_at, activity.ends_at)
        if refusal:
            raise Conflict(refusal)
        if not repository.check_in(s, signup.id, moment):
            raise Conflict("you have already checked in")
        signup = repository.signup_of(s, activity_id, caller.subject)
    return _attendance_view(signup, activity)


def check_out(ctx: ServiceContext, caller: Caller, activity_id: str, code: str, latitude: float,
              longitude: float) -> dict:
    moment = now(ctx)
    with ctx.db.transaction() as s:
        activity, signup = _attendance(ctx, s, caller, activity_id, code, latitude, longitude, moment)
        refusal = checkout_refusal(moment, activity.ends_at)
        if refusal:
            raise Conflict(refusal)
        if signup.checked_in_at is None:
            raise Conflict("check in first")
        if not repository.check_out(s, signup.id, moment):
            raise Conflict("you have already checked out")
        signup = repository.signup_of(s, activity_id, caller.subject)
    return _attendance_view(signup, activity)


def list_signups(ctx: ServiceContext, caller: Caller, activity_id: str, *, cursor: str | None, limit: int) -> dict:
    """For the organizer: every sign-up with its status, check-in/out times and suggested hours."""
    activity = _organizers_activity(ctx, caller, activity_id)
    after = decode_cursor(cursor) if cursor else None
    with ctx.db.read() as s:
        rows = repository.signups_of(s, activity_id, after, limit + 1)
    length = activity.ends_at - activity.starts_at
    items = [dict(r._mapping) | {"name": r.display_name,
                                 "suggested_hundredths": suggested_hundredths(r.checked_in_at, r.checked_out_at, length)}
             for r in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "next": encode_cursor(items[-1]["created_at"], items[-1]["id"]) if more else None}


def _organizers_activity(ctx: ServiceContext, caller: Caller, activity_id: str):
    with ctx.db.read() as s:
        activity = repository.activity(s, activity_id)
    if activity is None:
        raise NotFound("no activity has this id")
    if not read_model.is_organization_admin(ctx, caller, activity.organization_id):
        if not may_see(ctx, caller, activity):
            raise NotFound("no activity has this id")
        raise Forbidden("only an admin of the activity's organization may do this")
    return activity


def _attendance(ctx: ServiceContext, s, caller: Caller, activity_id: str, code: str, latitude: float,
                longitude: float, moment):
    """The activity and the caller's confirmed sign-up, once the code and the position check out."""
    activity = repository.activity(s, activity_id)
    if activity is None or not may_see(ctx, caller, activity):
        raise NotFound("no activity has this id")
    signup = repository.signup_of(s, activity_id, caller.subject or "")
    if signup is None or signup.status != CONFIRMED:
        raise Conflict("you hold no confirmed place in this activity")
    errors: dict[str, list[str]] = {}
    if activity.checkin_secret is None or not code_is_valid(activity.checkin_secret, activity_id, code, moment):
        errors["code"] = ["is not the activity's current code (ask the organizer for a fresh one)"]
    radius = checkin_radius_meters(ctx)
    distance = distance_meters(latitude, longitude, activity.latitude, activity.longitude)
    if distance > radius:
        message = f"you are {round(distance)} m from the activity; at most {radius} m"
        errors["latitude"] = [message]
        errors["longitude"] = [message]
    if errors:
        raise ValidationFailed.of(errors)
    return activity, signup


def _attendance_view(signup, activity) -> dict:
    return {"signup_id": signup.id, "activity_id": activity.id, "volunteer_id": signup.volunteer_id,
            "checked_in_at": signup.checked_in_at, "checked_out_at": signup.checked_out_at,
            "suggested_hundredths": suggested_hundredths(signup.checked_in_at, signup.checked_out_at,
                                                         activity.ends_at - activity.starts_at)}
