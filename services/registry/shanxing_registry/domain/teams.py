"""Teams (基层服务队): one regional and one specialised parent; members apply and are approved."""
from __future__ import annotations

from .organizations import APPROVED

# A team sits under a community or street station and under a squad (分队).
REGIONAL_PARENT_LEVELS = ("street", "community")
SPECIALISED_PARENT_LEVELS = ("squad",)

MEMBER, ADMIN = "member", "admin"
ROLES = (MEMBER, ADMIN)
PENDING, ACTIVE = "pending", "active"
MEMBER_STATUSES = (PENDING, ACTIVE)

DEFAULT_TEAM_STAR_THRESHOLDS_HOURS = (1000, 3000, 6000, 10000, 15000)


def team_parent_problem(*, status: str | None, kind: str | None, level: str | None,
                        expected_kind: str, allowed_levels: tuple[str, ...]) -> str | None:
    """Why an organization cannot be this parent of a team, or None."""
    if status is None:
        return "no such organization"
    if kind != expected_kind:
        return f"must be a {expected_kind} organization, not {kind}"
    if status != APPROVED:
        return f"the organization is {status}, not approved"
    if level not in allowed_levels:
        return f"must be at level {' or '.join(allowed_levels)}, not {level}"
    return None


def may_create_team(*, is_ops: bool, is_parent_admin: bool) -> bool:
    return is_ops or is_parent_admin


def may_manage_members(*, is_ops: bool, is_team_admin: bool) -> bool:
    return is_ops or is_team_admin


def leave_problem(*, role: str, active_admins: int, members: int) -> str | None:
    """The last admin may not leave others behind without an admin."""
    if role == ADMIN and active_admins <= 1 and members > 1:
        return "the last admin cannot leave while other members remain; appoint another admin first"
    return None
