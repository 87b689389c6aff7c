"""Use cases of the five-order loop (seed 003): order, dispatch, fund, accept, run as an activity,
serve, rate, cancel; lists and an organization's evaluation."""
from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import timezone
from decimal import ROUND_HALF_UP, Decimal

from shanxing_common.internal_auth import Caller
from shanxing_common.problems import Problem
from shanxing_common.web import ServiceContext

from ..adapters import demands as store
from ..domain.activity import ActivityDraft
from ..domain.demands import (ACCEPT, CANCEL, DEMAND_LOOP, DISPATCH, FUND, ORDERED, RATE, START_SERVICE,
                              DemandDraft, funding_errors, rating_errors, validate_demand)
from ..domain.errors import Forbidden, NotFound, ValidationFailed
from ..domain.review import covers
from . import read_model
from .activities import create_activity, decode_cursor, encode_cursor
from .clock import now
from .reviews import reviewer_role


def order_demand(ctx: ServiceContext, caller: Caller, draft: DemandDraft) -> dict:
    moment = now(ctx)
    errors = validate_demand(draft, moment)
    if errors:
        raise ValidationFailed.of(errors)
    values = asdict(draft) | {
        "id": str(uuid.uuid4()), "resident_id": caller.subject, "status": ORDERED, "created_at": moment,
        "category": draft.category.strip(), "description": draft.description.strip(),
        "address": draft.address.strip(),
        "wanted_from": draft.wanted_from.astimezone(timezone.utc),
        "wanted_until": draft.wanted_until.astimezone(timezone.utc),
    }
    with ctx.db.transaction() as s:
        store.insert_demand(s, values)
        row = store.demand(s, values["id"])
    return dict(row._mapping)


def get_demand(ctx: ServiceContext, caller: Caller, demand_id: str) -> dict:
    row = _load(ctx, demand_id)
    if not (row.resident_id == caller.subject or is_centre_of(ctx, caller, row.region_code)
            or _is_assigned_admin(ctx, caller, row)):
        raise NotFound("no demand has this id")
    return dict(row._mapping)


def dispatch_demand(ctx: ServiceContext, caller: Caller, demand_id: str, organization_id: str) -> dict:
    row = _as_centre(ctx, caller, demand_id, "dispatch")
    organization = read_model.approved_organization(ctx, organization_id)
    if organization is None:
        raise ValidationFailed.field("organization_id", "no approved organization has this id")
    if not serves_region(organization.region_code, row.region_code):
        raise ValidationFailed.field(
            "organization_id", f"the organization's region ({organization.region_code}) neither contains nor "
                               f"lies within the demand's region ({row.region_code})")
    return _move(ctx, row, DISPATCH, {"organization_id": organization_id, "dispatched_by": caller.subject,
                                      "dispatched_at": now(ctx)})


def fund_demand(ctx: ServiceContext, caller: Caller, demand_id: str, amount_cents: int, source: str) -> dict:
    errors = funding_errors(amount_cents, source)
    if errors:
        raise ValidationFailed.of(errors)
    row = _as_centre(ctx, caller, demand_id, "record the funding of")
    return _move(ctx, row, FUND, {"amount_cents": amount_cents, "funding_source": source.strip(),
                                  "funded_by": caller.subject, "funded_at": now(ctx)})


def accept_demand(ctx: ServiceContext, caller: Caller, demand_id: str) -> dict:
    row = _as_assigned_admin(ctx, caller, demand_id, "accept")
    return _move(ctx, row, ACCEPT, {"accepted_by": caller.subject, "accepted_at": now(ctx)})


def run_as_activity(ctx: ServiceContext, caller: Caller, demand_id: str, organization_id: str | None,
                    draft: ActivityDraft) -> dict:
    """The accepting organization posts the activity that serves the demand (it then awaits the
    normal review); the demand is in_service from then on, in the same transaction."""
    row = _as_assigned_admin(ctx, caller, demand_id, "run an activity for")
    if organization_id is not None and organization_id != row.organization_id:
        raise ValidationFailed.field("organization_id", "must be the organization the demand was dispatched to")
    _refuse_unless(row.status, START_SERVICE)

    def adopt(session, activity: dict) -> None:
        if not store.move(session, demand_id, DEMAND_LOOP.sources(START_SERVICE), DEMAND_LOOP.target(START_SERVICE),
                          {"activity_id": activity["id"]}):
            raise _conflict(store.demand(session, demand_id).status, START_SERVICE)

    return create_activity(ctx, caller, row.organization_id, draft, link=adopt)


def rate_demand(ctx: ServiceContext, caller: Caller, demand_id: str, score: int, comment: str) -> dict:
    errors = rating_errors(score, comment)
    if errors:
        raise ValidationFailed.of(errors)
    row = _as_resident(ctx, caller, demand_id, "rate")
    return _move(ctx, row, RATE, {"score": score, "rating_comment": comment.strip() or None, "rated_at": now(ctx)})


def cancel_demand(ctx: ServiceContext, caller: Caller, demand_id: str) -> dict:
    row = _as_resident(ctx, caller, demand_id, "cancel")
    return _move(ctx, row, CANCEL, {"cancelled_at": now(ctx)})


def list_demands(ctx: ServiceContext, caller: Caller, *, mine: bool, status: str | None, region_code: str | None,
                 cursor: str | None, limit: int) -> dict:
    """A resident's own demands (``mine``), or those of the caller's regions for a centre (ops: all)."""
    resident_id, prefixes = None, None
    if mine:
        resident_id = caller.subject
    else:
        role = _centre_role(ctx, caller)
        if not role.is_ops:
            if not role.regions:
                raise Forbidden("only a region's dispatch centre (or ops) lists demands; residents pass mine=true",
                                {"mine": ["pass true to list your own demands"]})
            prefixes = role.regions
    after = decode_cursor(cursor) if cursor else None
    with ctx.db.read() as s:
        rows = store.list_demands(s, resident_id=resident_id, region_prefixes=prefixes, status=status,
                                  region_code=region_code, after=after, limit=limit + 1)
    items = [dict(r._mapping) for r in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "next": encode_cursor(items[-1]["created_at"], items[-1]["id"]) if more else None}


def organization_evaluation(ctx: ServiceContext, organization_id: str) -> dict:
    """How residents rated the demands this organization served: the average score and how many."""
    with ctx.db.read() as s:
        count, total = store.organization_evaluation(s, organization_id)
    average = (Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else None
    return {"organization_id": organization_id, "average_score": average, "count": count}


# --- who may do what ---

def is_centre_of(ctx: ServiceContext, caller: Caller, region_code: str) -> bool:
    """The dispatch centre of a region: ops, or an admin of an approved regional organization whose
    region code is a prefix of it (the reviewers' rule of the review-deadline feature)."""
    role = reviewer_role(ctx, caller)
    if role.is_ops or any(covers(r, region_code) for r in role.regions):
        return True
    return False


def _centre_role(ctx: ServiceContext, caller: Caller):
    role = reviewer_role(ctx, caller)
    if not role.reviews_anything and caller.kind == "person":
        ctx.catch_up(read_model.PRODUCER)
        role = reviewer_role(ctx, caller)
    return role


def _is_assigned_admin(ctx: ServiceContext, caller: Caller, row) -> bool:
    return bool(row.organization_id) and read_model.is_organization_admin(ctx, caller, row.organization_id)


def _load(ctx: ServiceContext, demand_id: str):
    with ctx.db.read() as s:
        row = store.demand(s, demand_id)
    if row is None:
        raise NotFound("no demand has this id")
    return row


def serves_region(organization_region: str | None, demand_region: str) -> bool:
    """An organization may serve a demand in its own area: a region above the demand's (a
    district corps for a street's demand) or inside it (a community team), not a sibling's."""
    return covers(organization_region, demand_region) or covers(demand_region, organization_region)


def _as_centre(ctx: ServiceContext, caller: Caller, demand_id: str, verb: str):
    row = _load(ctx, demand_id)
    if row.resident_id == caller.subject and not reviewer_role(ctx, caller).is_ops:
        # a centre's admin may order a service for themself, but someone else decides on it
        raise Forbidden(f"you ordered this demand: another admin of the centre (or ops) must {verb} it")
    if is_centre_of(ctx, caller, row.region_code):
        return row
    ctx.catch_up(read_model.PRODUCER)  # an approval or admin event may still be in flight
    if is_centre_of(ctx, caller, row.region_code):
        return row
    if row.resident_id == caller.subject or _is_assigned_admin(ctx, caller, row):
        raise Forbidden(f"only the dispatch centre of the demand's region (or ops) may {verb} it")
    raise NotFound("no demand has this id")


def _as_assigned_admin(ctx: ServiceContext, caller: Caller, demand_id: str, verb: str):
    row = _load(ctx, demand_id)
    if _is_assigned_admin(ctx, caller, row):
        return row
    if row.resident_id == caller.subject or is_centre_of(ctx, caller, row.region_code):
        raise Forbidden(f"only an admin of the organization the demand was dispatched to may {verb} it")
    raise NotFound("no demand has this id")


def _as_resident(ctx: ServiceContext, caller: Caller, demand_id: str, verb: str):
    row = _load(ctx, demand_id)
    if row.resident_id == caller.subject:
        return row
    if is_centre_of(ctx, caller, row.region_code) or _is_assigned_admin(ctx, caller, row):
        raise Forbidden(f"only the resident who ordered the demand may {verb} it")
    raise NotFound("no demand has this id")


def _move(ctx: ServiceContext, row, action: str, changes: dict) -> dict:
    _refuse_unless(row.status, action)
    with ctx.db.transaction() as s:
        if not store.move(s, row.id, DEMAND_LOOP.sources(action), DEMAND_LOOP.target(action), changes):
            raise _conflict(store.demand(s, row.id).status, action)
        updated = store.demand(s, row.id)
    return dict(updated._mapping)


def _refuse_unless(current: str, action: str) -> None:
    if not DEMAND_LOOP.allows(current, action):
        raise _conflict(current, action)


def _conflict(current: str, action: str) -> Problem:
    return Problem(409, DEMAND_LOOP.refusal(current, action), errors={"status": [f"is {current}"]},
                   current_status=current)
