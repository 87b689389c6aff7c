"""Organizations in two trees (regional, specialised), reviewed by ops or an ancestor's admins."""
from __future__ import annotations

from datetime import datetime, timedelta

from .identity import InvalidValue

REGIONAL, SPECIALISED = "regional", "specialised"
KINDS = (REGIONAL, SPECIALISED)

PENDING, APPROVED, REJECTED, SUSPENDED = "pending", "approved", "rejected", "suspended"
STATUSES = (PENDING, APPROVED, REJECTED, SUSPENDED)

# Levels of each tree, top first (DESIGN §2): 总队 → 大队 → 工作站 → 工作站; 专项总队 → 支队 → 分队 → 服务队.
LEVELS = {
    REGIONAL: ("city", "district", "street", "community"),
    SPECIALISED: ("corps", "detachment", "squad", "team"),
}
ALL_LEVELS = LEVELS[REGIONAL] + LEVELS[SPECIALISED]
TREE_DEPTH = len(LEVELS[REGIONAL])

NAME_MIN, NAME_MAX = 2, 60


def normalise_organization_name(raw: str) -> str:
    value = " ".join(raw.split())
    if not NAME_MIN <= len(value) <= NAME_MAX:
        raise InvalidValue(f"must be {NAME_MIN} to {NAME_MAX} characters")
    return value


def parent_problem(parent_status: str | None, parent_kind: str | None, kind: str) -> str | None:
    """Why a parent cannot take a new child organization, or None when it can."""
    if parent_status is None:
        return "no such organization"
    if parent_status != APPROVED:
        return f"the parent organization is {parent_status}, not approved"
    if parent_kind != kind:
        return f"the parent organization is {parent_kind}; a {kind} organization needs a {kind} parent"
    return None


def top_level(kind: str) -> str:
    return LEVELS[kind][0]


def child_level(kind: str, parent_level: str) -> str | None:
    """The level one below ``parent_level`` in the tree of ``kind``; None below the bottom."""
    levels = LEVELS[kind]
    index = levels.index(parent_level)
    return levels[index + 1] if index + 1 < len(levels) else None


def level_problem(kind: str, requested: str | None, parent_level: str | None,
                  has_parent: bool) -> tuple[str, str] | tuple[None, str]:
    """(field, message) when the requested level does not fit, else (None, the level to store).

    A root has the top level of its kind; a child sits exactly one level below its parent.
    """
    if requested is not None and requested not in LEVELS[kind]:
        return "level", f"a {kind} organization has level {' | '.join(LEVELS[kind])}"
    if not has_parent:
        expected = top_level(kind)
        if requested not in (None, expected):
            return "level", f"an organization without a parent is at the top level ({expected})"
        return None, expected
    expected = child_level(kind, parent_level)
    if expected is None:
        return "parent_id", f"the parent is at the lowest level ({parent_level}) and takes no children"
    if requested not in (None, expected):
        return "level", f"a child of a {parent_level} organization is at level {expected}"
    return None, expected


def may_review(*, is_ops: bool, is_parent_admin: bool) -> bool:
    """Ops review any application; otherwise an admin of the parent (or of any ancestor:
    the caller passes whether they administer one of them)."""
    return is_ops or is_parent_admin


def may_oversee(*, is_ops: bool, is_ancestor_admin: bool) -> bool:
    """Approve, reject, suspend, resume: ops, or an admin of any ancestor organization."""
    return is_ops or is_ancestor_admin


def may_add_admin(*, is_ops: bool, is_admin: bool) -> bool:
    """Ops, or an existing admin of the organization, appoint further admins."""
    return is_ops or is_admin


# --- reviews with a deadline ----------------------------------------------------------------

DEFAULT_REVIEW_DUE_HOURS = 48


def review_due_at(moment: datetime, due_hours: int) -> datetime:
    return moment + timedelta(hours=due_hours)


def responsible_reviewer(ancestor_ids: list[str], escalation_level: int) -> str | None:
    """The organization whose admins must decide an application now: the parent at level 0, one
    ancestor further up per escalation, never above the root; None for a root application (ops')."""
    if not ancestor_ids:
        return None
    return ancestor_ids[min(escalation_level, len(ancestor_ids) - 1)]


def may_escalate(ancestor_ids: list[str], escalation_level: int) -> bool:
    """Whether an overdue application has an ancestor above its current reviewers to go to."""
    return escalation_level + 1 < len(ancestor_ids)
