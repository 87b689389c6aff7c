"""Use cases: review activities (approve, reject), list what awaits review, escalate overdue reviews."""
from __future__ import annotations

from datetime import datetime

from shanxing_common.db import Database
from shanxing_common.internal_auth import Caller
from shanxing_common.messaging import record_event
from shanxing_common.web import ServiceContext

from ..adapters import demands as demand_store
from ..adapters import repository
from ..domain.activity import PENDING_REVIEW, visible_to_public
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.review import ReviewerRole, next_scope, reason_error, review_due_at
from . import read_model
from .activities import ACTIVITY_PUBLISHED, PRODUCER, decode_cursor, encode_cursor
from .clock import now

ESCALATION_BATCH = 200


def approve_activity(ctx: ServiceContext, caller: Caller, activity_id: str) -> dict:
    role, activity = _reviewer_of(ctx, caller, activity_id)
    level = None if role.is_ops else activity.escalation_level
    with ctx.db.transaction() as s:
        if not repository.publish_if_pending(s, activity_id, caller.subject, now(ctx), level):
            raise _not_pending(s, activity_id, "approved")
        row = repository.activity(s, activity_id)
        record_event(s, ACTIVITY_PUBLISHED, {
            "activity_id": row.id, "organization_id": row.organization_id, "title": row.title,
            "category": row.category, "region_code": row.region_code,
            "starts_at": row.starts_at.isoformat(), "ends_at": row.ends_at.isoformat(),
            "capacity": row.capacity,
        }, producer=PRODUCER)
    return dict(row._mapping)


def reject_activity(ctx: ServiceContext, caller: Caller, activity_id: str, reason: str) -> dict:
    problem = reason_error(reason)
    if problem:
        raise ValidationFailed.field("reason", problem)
    role, activity = _reviewer_of(ctx, caller, activity_id)
    level = None if role.is_ops else activity.escalation_level
    with ctx.db.transaction() as s:
        if not repository.reject_if_pending(s, activity_id, caller.subject, now(ctx), reason.strip(), level):
            raise _not_pending(s, activity_id, "rejected")
        demand_store.reopen_for_activity(s, activity_id)  # a demand it served needs another activity
        row = repository.activity(s, activity_id)
    return dict(row._mapping)


def list_reviews(ctx: ServiceContext, caller: Caller, *, overdue: bool, cursor: str | None, limit: int) -> dict:
    """What awaits this caller's review (ops: everything), by deadline; ``overdue``: past it only."""
    role = reviewer_role(ctx, caller)
    if not role.reviews_anything:
        ctx.catch_up(read_model.PRODUCER)  # an approval or admin event may still be in flight
        role = reviewer_role(ctx, caller)
    after = decode_cursor(cursor) if cursor else None
    with ctx.db.read() as s:
        rows = repository.pending_reviews(
            s, scopes=None if role.is_ops else role.regions,
            excluded_organizations=[] if role.is_ops else role.own_organizations,
            due_by=now(ctx) if overdue else None, after=after, limit=limit + 1)
    items = [dict(r._mapping) for r in rows[:limit]]
    more = len(rows) > limit
    return {"items": items,
            "next": encode_cursor(items[-1]["review_due_at"], items[-1]["id"]) if more else None}


def escalate_overdue_reviews(db: Database, moment: datetime, due_hours: int) -> int:
    """Hand every overdue review one level up and give that level a fresh deadline (the worker's
    scheduled job; tests call it with their clock). Returns how many were escalated."""
    escalated = 0
    while True:
        with db.transaction() as s:
            rows = repository.overdue_escalatable(s, moment, ESCALATION_BATCH)
            for row in rows:
                scope = next_scope(row.review_scope)
                if scope and repository.escalate(s, row.id, row.escalation_level, scope,
                                                 review_due_at(moment, due_hours)):
                    escalated += 1
        if len(rows) < ESCALATION_BATCH:
            return escalated


def reviewer_role(ctx: ServiceContext, caller: Caller) -> ReviewerRole:
    if caller.kind != "person" or not caller.subject:
        return ReviewerRole(is_ops=False, regions=[], own_organizations=[])
    with ctx.db.read() as s:
        organizations = repository.administered_organizations(s, caller.subject)
    return ReviewerRole(is_ops=caller.is_ops,
                        regions=[o.region_code for o in organizations if o.kind == "regional"],
                        own_organizations=[o.organization_id for o in organizations])


def may_review(ctx: ServiceContext, caller: Caller, activity) -> bool:
    return reviewer_role(ctx, caller).may_review(activity.organization_id, activity.review_scope)


def _reviewer_of(ctx: ServiceContext, caller: Caller, activity_id: str):
    with ctx.db.read() as s:
        activity = repository.activity(s, activity_id)
    if activity is None:
        raise NotFound("no activity has this id")
    role = reviewer_role(ctx, caller)
    if not role.may_review(activity.organization_id, activity.review_scope):
        ctx.catch_up(read_model.PRODUCER)
        role = reviewer_role(ctx, caller)
    if role.may_review(activity.organization_id, activity.review_scope):
        return role, activity
    if visible_to_public(activity.status) or read_model.may_manage(ctx, caller, activity.organization_id):
        raise Forbidden("only ops and the reviewers of the activity's region at its current escalation "
                        "level may review it (an organization does not review its own activities)")
    raise NotFound("no activity has this id")


def _not_pending(s, activity_id: str, verb: str) -> Exception:
    current = repository.activity(s, activity_id)
    if current.status == PENDING_REVIEW:
        return Conflict(f"the review was escalated to level {current.escalation_level} meanwhile; "
                        "it is no longer yours to decide", {"escalation_level": [f"is {current.escalation_level}"]})
    return Conflict(f"the activity is {current.status}; only a pending_review activity can be {verb}",
                    {"status": [f"is {current.status}"]})
