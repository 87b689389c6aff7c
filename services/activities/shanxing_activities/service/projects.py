"""Use cases of the four-level project library (seed 000): declare, review, claim, group
activities, evaluate; read and list."""
from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Callable

from sqlalchemy.orm import Session

from shanxing_common.internal_auth import Caller
from shanxing_common.problems import Problem
from shanxing_common.web import ServiceContext

from ..adapters import projects as store
from ..domain.errors import Forbidden, NotFound, ValidationFailed
from ..domain.projects import (ACCEPTS_ACTIVITIES, APPROVE, CLAIM, DECLARED, EVALUATE, PROJECT_LIFECYCLE,
                               PUBLIC_STATUSES, REJECT, ProjectDraft, evaluation_errors, validate_project)
from ..domain.review import reason_error
from . import read_model
from .activities import decode_cursor, encode_cursor
from .clock import now
from .reviews import reviewer_role


def declare_project(ctx: ServiceContext, caller: Caller, draft: ProjectDraft, organization_id: str | None) -> dict:
    errors = validate_project(draft)
    if errors:
        raise ValidationFailed.of(errors)
    if organization_id is not None:
        if read_model.approved_organization(ctx, organization_id) is None:
            raise ValidationFailed.field("organization_id", "no approved organization has this id")
        if not read_model.is_organization_admin(ctx, caller, organization_id):
            raise Forbidden("only an admin of the organization may declare a project in its name")
    values = asdict(draft) | {
        "id": str(uuid.uuid4()), "title": draft.title.strip(), "category": draft.category.strip(),
        "description": draft.description.strip(), "declarer_organization_id": organization_id,
        "declared_by": caller.subject, "status": DECLARED, "created_at": now(ctx),
    }
    with ctx.db.transaction() as s:
        store.insert_project(s, values)
    return _with_summary(ctx, values["id"])


def get_project(ctx: ServiceContext, caller: Caller, project_id: str) -> dict:
    row = _load(ctx, project_id)
    if not _may_see(ctx, caller, row):
        raise NotFound("no project has this id")
    return _with_summary(ctx, project_id)


def approve_project(ctx: ServiceContext, caller: Caller, project_id: str) -> dict:
    row = _as_reviewer(ctx, caller, project_id)
    return _move(ctx, row, APPROVE, {"reviewed_by": caller.subject, "reviewed_at": now(ctx)})


def reject_project(ctx: ServiceContext, caller: Caller, project_id: str, reason: str) -> dict:
    problem = reason_error(reason)
    if problem:
        raise ValidationFailed.field("reason", problem)
    row = _as_reviewer(ctx, caller, project_id)
    return _move(ctx, row, REJECT, {"reviewed_by": caller.subject, "reviewed_at": now(ctx),
                                    "rejection_reason": reason.strip()})


def claim_project(ctx: ServiceContext, caller: Caller, project_id: str, organization_id: str) -> dict:
    row = _load(ctx, project_id)
    if not _may_see(ctx, caller, row):
        raise NotFound("no project has this id")
    if read_model.approved_organization(ctx, organization_id) is None:
        raise ValidationFailed.field("organization_id", "no approved organization has this id")
    if not read_model.is_organization_admin(ctx, caller, organization_id):
        raise Forbidden("only an admin of the organization may claim a project for it")
    return _move(ctx, row, CLAIM, {"claimed_by_organization_id": organization_id, "claimed_by": caller.subject,
                                   "claimed_at": now(ctx)})


def evaluate_project(ctx: ServiceContext, caller: Caller, project_id: str, grade: str, comment: str) -> dict:
    errors = evaluation_errors(grade, comment)
    if errors:
        raise ValidationFailed.of(errors)
    row = _as_reviewer(ctx, caller, project_id, evaluating=True)
    return _move(ctx, row, EVALUATE, {"grade": grade, "evaluation_comment": comment.strip() or None,
                                      "evaluated_by": caller.subject, "evaluated_at": now(ctx)})


def activity_link(ctx: ServiceContext, organization_id: str, project_id: str) -> Callable[[Session, dict], None]:
    """For an activity posted with ``project_id``: the project must be claimed by the posting
    organization (400 naming project_id otherwise); the returned callback links them inside the
    activity's transaction, checking again there."""
    message = "must be a published project claimed by the organization posting the activity"

    def refusal(row) -> bool:
        return (row is None or row.status not in ACCEPTS_ACTIVITIES
                or row.claimed_by_organization_id != organization_id)

    with ctx.db.read() as s:
        if refusal(store.project(s, project_id)):
            raise ValidationFailed.field("project_id", message)

    def link(session: Session, activity: dict) -> None:
        if refusal(store.project(session, project_id)):
            raise ValidationFailed.field("project_id", message)
        store.link_activity(session, project_id, activity["id"])
        activity["project_id"] = project_id

    return link


def list_projects(ctx: ServiceContext, caller: Caller, *, status: str | None, level: str | None,
                  region_code: str | None, cursor: str | None, limit: int) -> dict:
    """Public statuses for everyone; declared/rejected for ops and, within their regions, reviewers."""
    prefixes = None
    statuses = [status] if status else list(PUBLIC_STATUSES)
    if status and status not in PUBLIC_STATUSES:
        role = reviewer_role(ctx, caller)
        if not role.reviews_anything:
            raise Forbidden(f"only reviewers list {status} projects", {"status": [f"{status} projects are not public"]})
        prefixes = None if role.is_ops else role.regions
    after = decode_cursor(cursor) if cursor else None
    with ctx.db.read() as s:
        rows = store.list_projects(s, statuses=statuses, level=level, region_code=region_code,
                                   region_prefixes=prefixes, after=after, limit=limit + 1)
    items = [dict(r._mapping) for r in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "next": encode_cursor(items[-1]["created_at"], items[-1]["id"]) if more else None}


def _with_summary(ctx: ServiceContext, project_id: str) -> dict:
    with ctx.db.read() as s:
        row = store.project(s, project_id)
        count, hours = store.activity_summary(s, project_id)
    return dict(row._mapping) | {"activities_count": count, "hours": hours}


def _load(ctx: ServiceContext, project_id: str):
    with ctx.db.read() as s:
        row = store.project(s, project_id)
    if row is None:
        raise NotFound("no project has this id")
    return row


def _may_review(ctx: ServiceContext, caller: Caller, row, *, evaluating: bool = False) -> bool:
    """Ops, or an admin of an approved regional organization whose region code is a prefix of the
    project's (its level's centre and those above), never the declarer or the declaring
    organization's admins; an evaluation, never the claiming organization's either (it would grade
    its own work)."""
    role = reviewer_role(ctx, caller)
    if not role.is_ops and row.declared_by == caller.subject:
        return False  # nobody reviews (or grades) their own declaration, even one made in no organization's name
    if evaluating and not role.may_review(row.claimed_by_organization_id, row.region_code):
        return False
    return role.may_review(row.declarer_organization_id, row.region_code)


def _may_see(ctx: ServiceContext, caller: Caller, row) -> bool:
    return (row.status in PUBLIC_STATUSES or row.declared_by == caller.subject or _may_review(ctx, caller, row)
            or (row.declarer_organization_id is not None
                and read_model.is_organization_admin(ctx, caller, row.declarer_organization_id)))


def _as_reviewer(ctx: ServiceContext, caller: Caller, project_id: str, *, evaluating: bool = False):
    row = _load(ctx, project_id)
    if not _may_review(ctx, caller, row, evaluating=evaluating):
        ctx.catch_up(read_model.PRODUCER)
    if _may_review(ctx, caller, row, evaluating=evaluating):
        return row
    if _may_see(ctx, caller, row):
        raise Forbidden("only ops and the reviewers of the project's level and region may review or evaluate it "
                        "(the declaring organization does not, nor does the claiming one evaluate it)")
    raise NotFound("no project has this id")


def _move(ctx: ServiceContext, row, action: str, changes: dict) -> dict:
    if not PROJECT_LIFECYCLE.allows(row.status, action):
        raise _conflict(row.status, action)
    with ctx.db.transaction() as s:
        if not store.move(s, row.id, PROJECT_LIFECYCLE.sources(action), PROJECT_LIFECYCLE.target(action), changes):
            raise _conflict(store.project(s, row.id).status, action)
    return _with_summary(ctx, row.id)


def _conflict(current: str, action: str) -> Problem:
    return Problem(409, PROJECT_LIFECYCLE.refusal(current, action), errors={"status": [f"is {current}"]},
                   current_status=current)
