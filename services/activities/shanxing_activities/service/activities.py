"""Use cases: post, review, read and list activities."""
from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy.orm import Session

from shanxing_common.internal_auth import Caller
from shanxing_common.messaging import record_event
from shanxing_common.web import ServiceContext

from ..adapters import demands as demand_store
from ..adapters import repository
from ..domain.activity import (PENDING_REVIEW, PUBLIC_STATUSES, ActivityDraft, cancel_refusal,
                               complete_refusal, validate_draft, visible_to_public)
from ..domain.review import reason_error, review_due_at
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from . import read_model
from .clock import now, review_due_hours

PRODUCER = "activities"
ACTIVITY_PUBLISHED = "activities.activity_published.v1"
ACTIVITY_CANCELLED = "activities.activity_cancelled.v1"


def create_activity(ctx: ServiceContext, caller: Caller, organization_id: str,
                    draft: ActivityDraft, *, link: Callable[[Session, dict], None] | None = None) -> dict:
    """``link`` runs in the insert's transaction (a project or a demand adopts the activity there;
    raising there undoes the insert)."""
    moment = now(ctx)
    errors = validate_draft(draft, moment)
    if errors:
        raise ValidationFailed.of(errors)
    organization = read_model.approved_organization(ctx, organization_id)
    if organization is None:
        raise ValidationFailed.field("organization_id", "no approved organization has this id")
    if not read_model.is_organization_admin(ctx, caller, organization_id):
        raise Forbidden("only an admin of the organization may post its activities")
    values = asdict(draft) | {
        "id": str(uuid.uuid4()),
        "organization_id": organization_id,
        "title": draft.title.strip(),
        "category": draft.category.strip(),
        "address": draft.address.strip(),
        "skills": [s.strip() for s in draft.skills],
        "team_id": draft.team_id.strip() if draft.team_id else None,
        "starts_at": draft.starts_at.astimezone(timezone.utc),
        "ends_at": draft.ends_at.astimezone(timezone.utc),
        "region_code": organization.region_code,
        "status": PENDING_REVIEW,
        "signed_up": 0,
        "escalation_level": 0,
        "review_scope": organization.region_code,
        "review_due_at": review_due_at(moment, review_due_hours(ctx)),
        "created_by": caller.subject,
        "created_at": moment,
    }
    with ctx.db.transaction() as s:
        repository.insert_activity(s, values)
        if link is not None:
            link(s, values)
    return values


def get_activity(ctx: ServiceContext, caller: Caller, activity_id: str) -> dict:
    with ctx.db.read() as s:
        row = repository.activity(s, activity_id)
    if row is None or not may_see(ctx, caller, row):
        raise NotFound("no activity has this id")
    return dict(row._mapping)


def may_see(ctx: ServiceContext, caller: Caller, row) -> bool:
    """Public statuses: everyone; the others: ops, the organization's admins and its reviewers."""
    from .reviews import may_review

    return (visible_to_public(row.status) or read_model.may_manage(ctx, caller, row.organization_id)
            or may_review(ctx, caller, row))


def cancel_activity(ctx: ServiceContext, caller: Caller, activity_id: str, reason: str) -> dict:
    """Cancel before it ends: every sign-up is cancelled too, and the volunteers are told (event)."""
    problem = reason_error(reason)
    if problem:
        raise ValidationFailed.field("reason", problem)
    row = _managed_activity(ctx, caller, activity_id, allow_ops=True, verb="cancel")
    moment = now(ctx)
    with ctx.db.transaction() as s:
        # The conditional UPDATE takes the row first: a sign-up racing with it waits, then fails.
        if not repository.cancel_if_open(s, activity_id, caller.subject, moment, reason.strip()):
            current = repository.activity(s, activity_id)
            raise Conflict(cancel_refusal(current.status, moment, current.ends_at) or "the activity changed meanwhile",
                           {"status": [f"is {current.status}"]})
        volunteer_ids = repository.active_signup_volunteers(s, activity_id)
        repository.cancel_signups_of(s, activity_id, moment)
        demand_store.reopen_for_activity(s, activity_id)  # a demand it served needs another activity
        record_event(s, ACTIVITY_CANCELLED, {
            "activity_id": activity_id, "organization_id": row.organization_id, "reason": reason.strip(),
            "volunteer_ids": volunteer_ids,
        }, producer=PRODUCER)
        updated = repository.activity(s, activity_id)
    return dict(updated._mapping)


def complete_activity(ctx: ServiceContext, caller: Caller, activity_id: str) -> dict:
    """The organizer closes a published activity once it has started (hours may still follow)."""
    _managed_activity(ctx, caller, activity_id, allow_ops=False, verb="complete")
    moment = now(ctx)
    with ctx.db.transaction() as s:
        if not repository.complete_if_started(s, activity_id, moment):
            current = repository.activity(s, activity_id)
            raise Conflict(complete_refusal(current.status, moment, current.starts_at) or "the activity changed meanwhile",
                           {"status": [f"is {current.status}"]})
        demand_store.finish_service_of_activity(s, activity_id, moment)  # its demand is served (seed 003)
        updated = repository.activity(s, activity_id)
    return dict(updated._mapping)


def _managed_activity(ctx: ServiceContext, caller: Caller, activity_id: str, *, allow_ops: bool, verb: str):
    with ctx.db.read() as s:
        row = repository.activity(s, activity_id)
    if row is None:
        raise NotFound("no activity has this id")
    if read_model.is_organization_admin(ctx, caller, row.organization_id) or (allow_ops and caller.is_ops):
        return row
    if not may_see(ctx, caller, row):
        raise NotFound("no activity has this id")
    who = "an admin of the activity's organization" + (" or ops" if allow_ops else "")
    raise Forbidden(f"only {who} may {verb} it")


def list_activities(ctx: ServiceContext, caller: Caller, *, status: str, organization_id: str | None,
                    category: str | None, cursor: str | None, limit: int) -> dict:
    if status not in PUBLIC_STATUSES and not (
            caller.is_ops or (organization_id and read_model.is_organization_admin(ctx, caller, organization_id))):
        raise Forbidden(f"only ops, or admins of the organization named by organization_id, may list "
                        f"{status} activities", {"status": [f"{status} activities are not public"]})
    after = decode_cursor(cursor) if cursor else None
    with ctx.db.read() as s:
        rows = repository.list_activities(s, statuses=[status], organization_id=organization_id,
                                          category=category, after=after, limit=limit + 1)
    items = [dict(r._mapping) for r in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "next": encode_cursor(items[-1]["starts_at"], items[-1]["id"]) if more else None}


def encode_cursor(starts_at: datetime, activity_id: str) -> str:
    raw = json.dumps([starts_at.isoformat(), activity_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        starts_at, activity_id = json.loads(raw)
        moment = datetime.fromisoformat(starts_at)
        if moment.tzinfo is None or not isinstance(activity_id, str):
            raise ValueError("incomplete cursor")
        return moment, activity_id
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed.field("cursor", "is not a cursor this service issued") from None

