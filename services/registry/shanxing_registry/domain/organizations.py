"""Organizations in two trees (regional, specialised), reviewed by ops or the parent's admins."""
from __future__ import annotations

from .identity import InvalidValue

REGIONAL, SPECIALISED = "regional", "specialised"
KINDS = (REGIONAL, SPECIALISED)

PENDING, APPROVED, REJECTED, SUSPENDED = "pending", "approved", "rejected", "suspended"
STATUSES = (PENDING, APPROVED, REJECTED, SUSPENDED)

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


def may_review(*, is_ops: bool, is_parent_admin: bool) -> bool:
    """Ops review any application; otherwise only an admin of the parent organization."""
    return is_ops or is_parent_admin


def may_add_admin(*, is_ops: bool, is_admin: bool) -> bool:
    """Ops, or an existing admin of the organization, appoint further admins."""
    return is_ops or is_admin
