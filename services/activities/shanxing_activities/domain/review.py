"""Who reviews an activity, and how a stalled review escalates (seed 002: reviews must not stall
with nobody responsible).

An activity's *review scope* is a region-code prefix. At escalation level 0 it is the activity's
own region code; each escalation cuts it to the next shorter Chinese administrative code length
(12 community → 9 street → 6 district → 4 city → 2 province). The reviewers at a level are the
admins of approved regional organizations whose region code is a prefix of the scope (the scope's
own centre and its ancestors), never the admins of the activity's own organization, plus ops.
So escalation hands the review up: the stalled level can no longer act, the level above must.
"""
from __future__ import annotations

from datetime import datetime, timedelta

REGION_CODE_LENGTHS = (12, 9, 6, 4, 2)
DEFAULT_REVIEW_DUE_HOURS = 48
REASON_LENGTH = (1, 500)


def next_scope(scope: str | None) -> str | None:
    """The scope one escalation up, or None when there is no wider region (or no region)."""
    if not scope:
        return None
    shorter = [length for length in REGION_CODE_LENGTHS if length < len(scope)]
    return scope[:shorter[0]] if shorter else None


def scope_at_level(region_code: str | None, level: int) -> str | None:
    scope = region_code
    for _ in range(level):
        wider = next_scope(scope)
        if wider is None:
            break
        scope = wider
    return scope


def covers(reviewer_region_code: str | None, scope: str | None) -> bool:
    """A regional organization reviews a scope when its region code is a prefix of it."""
    return bool(reviewer_region_code) and bool(scope) and scope.startswith(reviewer_region_code)


def review_due_at(moment: datetime, due_hours: int) -> datetime:
    return moment + timedelta(hours=due_hours)


def is_overdue(due_at: datetime | None, moment: datetime) -> bool:
    return due_at is not None and due_at <= moment


def reason_error(reason: str) -> str | None:
    """Why this reason (for a rejection, a cancellation, a revocation) is not acceptable."""
    low, high = REASON_LENGTH
    if not low <= len(reason.strip()) <= high:
        return f"must be {low} to {high} characters long"
    return None


class ReviewerRole:
    """What a person may review: ops everything; an admin of approved regional organizations the
    activities whose current scope lies within one of their regions, except their own ones."""

    def __init__(self, *, is_ops: bool, regions: list[str], own_organizations: list[str]):
        self.is_ops = is_ops
        self.regions = [r for r in regions if r]
        self.own_organizations = list(own_organizations)

    @property
    def reviews_anything(self) -> bool:
        return self.is_ops or bool(self.regions)

    def may_review(self, organization_id: str, scope: str | None) -> bool:
        if self.is_ops:
            return True
        if organization_id in self.own_organizations:
            return False  # an organization does not review its own activities
        return any(covers(region, scope) for region in self.regions)
