"""Use cases: create teams (基层服务队), read them, and manage their memberships."""
from __future__ import annotations

import uuid

from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shanxing_common.db import Database
from shanxing_common.internal_auth import Caller
from shanxing_common.messaging import record_event
from shanxing_common.problems import Problem, field_error

from ..adapters import repository as repo
from ..domain.hours import format_hours
from ..domain.identity import mask_name
from ..domain.organizations import REGIONAL, SPECIALISED
from ..domain.teams import (ACTIVE, ADMIN, MEMBER, MEMBER_STATUSES, PENDING, REGIONAL_PARENT_LEVELS,
                            SPECIALISED_PARENT_LEVELS, leave_problem, may_create_team, may_manage_members,
                            team_parent_problem)
from ..runtime import Registry
from .paging import decode_cursor, page
from .volunteers import PRODUCER

TEAM_CREATED = "registry.team_created.v1"
MEMBER_JOINED = "registry.team_member_joined.v1"
MEMBER_LEFT = "registry.team_member_left.v1"


def _joined(session: Session, team_id: str, volunteer_id: str, role: str, moment) -> None:
    record_event(session, MEMBER_JOINED, {"team_id": team_id, "volunteer_id": volunteer_id, "role": role,
                                          "joined_at": moment.isoformat()}, producer=PRODUCER)


def _view(session: Session, row: Row) -> dict:
    return {"id": row.id, "name": row.name, "regional_parent_id": row.regional_parent_id,
            "specialised_parent_id": row.specialised_parent_id, "region_code": row.region_code,
            "created_by": row.created_by, "created_at": repo.as_utc(row.created_at),
            "total_hours": format_hours(row.total_hours), "star_level": row.star_level,
            "member_count": repo.count_members(session, row.id)}


def _existing(session: Session, team_id: str) -> Row:
    row = repo.team(session, team_id)
    if row is None:
        raise Problem(404, "no such team")
    return row


def _parent(session: Session, field: str, organization_id: str, kind: str, levels: tuple[str, ...]) -> Row:
    row = repo.organization(session, organization_id)
    problem = team_parent_problem(status=row.status if row else None, kind=row.kind if row else None,
                                  level=row.level if row else None, expected_kind=kind, allowed_levels=levels)
    if problem:
        raise field_error(field, problem)
    return row


def create(db: Database, reg: Registry, creator: Caller, form: dict) -> dict:
    """A team under an approved street/community station and an approved squad; the creator, when a
    volunteer, becomes its first admin."""
    team_id = str(uuid.uuid4())
    now = reg.now()
    with db.transaction() as s:
        regional = _parent(s, "regional_parent_id", form["regional_parent_id"], REGIONAL, REGIONAL_PARENT_LEVELS)
        specialised = _parent(s, "specialised_parent_id", form["specialised_parent_id"], SPECIALISED,
                              SPECIALISED_PARENT_LEVELS)
        is_parent_admin = repo.administers_any(s, [regional.id, specialised.id], creator.subject)
        if not may_create_team(is_ops=creator.is_ops, is_parent_admin=is_parent_admin):
            raise Problem(403, "only ops or an admin of one of the parent organizations may create a team")
        repo.insert_team(s, id=team_id, name=form["name"], regional_parent_id=regional.id,
                         specialised_parent_id=specialised.id, region_code=regional.region_code,
                         created_by=creator.subject, created_at=now)
        record_event(s, TEAM_CREATED, {
            "team_id": team_id, "name": form["name"], "regional_parent_id": regional.id,
            "specialised_parent_id": specialised.id, "region_code": regional.region_code,
            "created_by": creator.subject, "created_at": now.isoformat()}, producer=PRODUCER)
        if repo.volunteer_exists(s, creator.subject):
            repo.insert_membership(s, team_id=team_id, volunteer_id=creator.subject, role=ADMIN, status=ACTIVE,
                                   applied_at=now, approved_at=now, approved_by=creator.subject)
            _joined(s, team_id, creator.subject, ADMIN, now)
        return _view(s, repo.team(s, team_id))


def get(db: Database, team_id: str) -> dict:
    with db.read() as s:
        return _view(s, _existing(s, team_id))


def _member_view(row: Row) -> dict:
    return {"team_id": row.team_id, "volunteer_id": row.volunteer_id, "display_name": mask_name(row.name),
            "role": row.role, "status": row.status, "applied_at": repo.as_utc(row.applied_at),
            "approved_at": repo.as_utc(row.approved_at)}


def _is_team_admin(session: Session, team_id: str, subject: str | None) -> bool:
    mine = repo.membership(session, team_id, subject)
    return mine is not None and mine.status == ACTIVE and mine.role == ADMIN


def apply(db: Database, reg: Registry, applicant: Caller, team_id: str) -> dict:
    """The caller (a volunteer) asks to join; a team admin or ops approves."""
    now = reg.now()
    try:
        with db.transaction() as s:
            _existing(s, team_id)
            if not repo.volunteer_exists(s, applicant.subject):
                raise Problem(404, "no volunteer profile for this person")
            current = repo.membership(s, team_id, applicant.subject)
            if current is not None:
                raise Problem(409, f"already {'a member' if current.status == ACTIVE else 'applied'}",
                              current_status=current.status)
            repo.insert_membership(s, team_id=team_id, volunteer_id=applicant.subject, role=MEMBER,
                                   status=PENDING, applied_at=now, approved_at=None, approved_by=None)
            return _member_view(_membership_row(s, team_id, applicant.subject))
    except IntegrityError as exc:  # a concurrent application by the same volunteer won
        raise Problem(409, "already applied", current_status=PENDING) from exc


def _membership_row(session: Session, team_id: str, volunteer_id: str) -> Row:
    return repo.member_with_name(session, team_id, volunteer_id)


def approve(db: Database, reg: Registry, approver: Caller, team_id: str, volunteer_id: str) -> dict:
    with db.transaction() as s:
        _existing(s, team_id)
        if not may_manage_members(is_ops=approver.is_ops, is_team_admin=_is_team_admin(s, team_id, approver.subject)):
            raise Problem(403, "only ops or an admin of the team may approve members")
        current = repo.membership(s, team_id, volunteer_id, for_update=True)
        if current is None:
            raise Problem(404, "this volunteer has not applied to the team")
        if current.status != PENDING:
            raise Problem(409, f"the membership is {current.status}, not pending", current_status=current.status)
        now = reg.now()
        if not repo.activate_membership(s, team_id, volunteer_id, now, approver.subject):
            raise Problem(409, "the membership changed meanwhile")
        _joined(s, team_id, volunteer_id, current.role, now)
        return _member_view(_membership_row(s, team_id, volunteer_id))


def leave(db: Database, reg: Registry, volunteer: Caller, team_id: str) -> None:
    """Leaving also withdraws a pending application (which emits nothing: nobody had joined). The
    last admin stays while others remain."""
    with db.transaction() as s:
        # the team row lock serialises leaving, so two last admins cannot both go
        if repo.team(s, team_id, for_update=True) is None:
            raise Problem(404, "no such team")
        current = repo.membership(s, team_id, volunteer.subject, for_update=True)
        if current is None:
            raise Problem(404, "you are not a member of this team")
        if current.status == ACTIVE:
            problem = leave_problem(role=current.role, active_admins=repo.count_members(s, team_id, role=ADMIN),
                                    members=repo.count_members(s, team_id))
            if problem:
                raise Problem(409, problem)
        repo.delete_membership(s, team_id, volunteer.subject)
        if current.status == ACTIVE:
            record_event(s, MEMBER_LEFT, {"team_id": team_id, "volunteer_id": volunteer.subject,
                                          "left_at": reg.now().isoformat()}, producer=PRODUCER)


def members(db: Database, viewer: Caller, team_id: str, cursor: str | None, limit: int) -> dict:
    """Active members for anyone signed in; pending applications too for team admins and ops."""
    position = decode_cursor(cursor)
    with db.read() as s:
        _existing(s, team_id)
        sees_pending = may_manage_members(is_ops=viewer.is_ops,
                                          is_team_admin=_is_team_admin(s, team_id, viewer.subject))
        statuses = MEMBER_STATUSES if sees_pending else (ACTIVE,)
        rows = repo.members_of(s, team_id, statuses=statuses, position=position, limit=limit + 1)
    return page(rows, limit, _member_view, lambda r: r.applied_at, lambda r: r.volunteer_id)
