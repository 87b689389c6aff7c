"""Use cases: post, review, read and list activities."""
from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import asdict
from datetime import datetime, timezone

from shanxing_common.internal_auth import Caller
from shanxing_common.messaging import record_event
from shanxing_common.web import ServiceContext

from ..adapters import repository
from ..domain.activity import (PENDING_REVIEW, PUBLIC_STATUSES, ActivityDraft, validate_draft,
                               visible_to_public)
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from . import read_model
from .clock import now

PRODUCER = "activities"
ACTIVITY_PUBLISHED = "activities.activity_published.v1"


def create_activity(ctx: ServiceContext, caller: Caller, organization_id: str,
                    draft: ActivityDraft) -> dict:
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
        "starts_at": draft.starts_at.astimezone(timezone.utc),
        "ends_at": draft.ends_at.astimezone(timezone.utc),
        "region_code": organization.region_code,
        "status": PENDING_REVIEW,
        "signed_up": 0,
        "created_by": caller.subject,
        "created_at": moment,
    }
    with ctx.db.transaction() as s:
        repository.insert_activity(s, values)
    return values


def approve_activity(ctx: ServiceContext, caller: Caller, activity_id: str) -> dict:
    with ctx.db.transaction() as s:
        if not repository.publish_if_pending(s, activity_id, caller.subject, now(ctx)):
            current = repository.activity(s, activity_id)
            if current is None:
                raise NotFound("no activity has this id")
            raise Conflict(f"the activity is {current.status}; only a pending_review activity can be approved",
                           {"status": [f"is {current.status}"]})
        row = repository.activity(s, activity_id)
        record_event(s, ACTIVITY_PUBLISHED, {
            "activity_id": row.id, "organization_id": row.organization_id, "title": row.title,
            "category": row.category, "region_code": row.region_code,
            "starts_at": row.starts_at.isoformat(), "ends_at": row.ends_at.isoformat(),
            "capacity": row.capacity,
        }, producer=PRODUCER)
    return dict(row._mapping)


def get_activity(ctx: ServiceContext, caller: Caller, activity_id: str) -> dict:
    with ctx.db.read() as s:
        row = repository.activity(s, activity_id)
    if row is None or not (visible_to_public(row.status)
                           or read_model.may_manage(ctx, caller, row.organization_id)):
        raise NotFound("no activity has this id")
    return dict(row._mapping)


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

