"""Use cases: apply for, read, review organizations and appoint their admins."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shanxing_common.db import Database
from shanxing_common.internal_auth import Caller
from shanxing_common.messaging import record_event
from shanxing_common.problems import Problem, field_error

from ..adapters import repository as repo
from ..domain.hours import format_hours
from ..domain.organizations import (APPROVED, PENDING, REJECTED, SUSPENDED, TREE_DEPTH, level_problem,
                                    may_add_admin, may_escalate, may_oversee, parent_problem,
                                    responsible_reviewer, review_due_at)
from ..runtime import Registry
from .paging import decode_cursor, page

PRODUCER = "registry"
ESCALATION_BATCH = 200


def _view(session: Session, row: Row, admin_ids: list[str] | None = None) -> dict:
    return {
        "id": row.id, "name": row.name, "kind": row.kind, "parent_id": row.parent_id,
        "region_code": row.region_code, "status": row.status, "applicant_id": row.applicant_id,
        "created_at": repo.as_utc(row.created_at), "reviewed_at": repo.as_utc(row.reviewed_at),
        "reviewed_by": row.reviewed_by, "reason": row.reason,
        "admin_ids": repo.admin_ids(session, row.id) if admin_ids is None else admin_ids,
        "level": row.level, "total_hours": format_hours(row.total_hours),
        "review_due_at": repo.as_utc(row.review_due_at), "escalation_level": row.escalation_level,
        "reviewer_organization_id": row.reviewer_organization_id,
    }


def _existing(session: Session, organization_id: str, *, for_update: bool = False) -> Row:
    row = repo.organization(session, organization_id, for_update=for_update)
    if row is None:
        raise Problem(404, "no such organization")
    return row


def apply(db: Database, reg: Registry, applicant: Caller, form: dict) -> dict:
    """A pending organization; a parent must be approved and of the same kind."""
    organization_id = str(uuid.uuid4())
    with db.transaction() as s:
        parent_id = form.get("parent_id")
        parent = None
        if parent_id is not None:
            parent = repo.organization(s, parent_id)
            reason = parent_problem(parent.status if parent else None, parent.kind if parent else None,
                                    form["kind"])
            if reason:
                raise field_error("parent_id", reason)
        field, outcome = level_problem(form["kind"], form.get("level"), parent.level if parent else None,
                                       has_parent=parent is not None)
        if field:
            raise field_error(field, outcome)
        repo.insert_organization(s, id=organization_id, name=form["name"], kind=form["kind"],
                                 parent_id=parent_id, region_code=form["region_code"], status=PENDING,
                                 applicant_id=applicant.subject, created_at=reg.now(), level=outcome,
                                 total_hours=0, escalation_level=0, reviewer_organization_id=parent_id,
                                 review_due_at=review_due_at(reg.now(), reg.config.review_due_hours))
        return _view(s, repo.organization(s, organization_id))


def get(db: Database, organization_id: str) -> dict:
    with db.read() as s:
        return _view(s, _existing(s, organization_id))


def _overseen(s: Session, overseer: Caller, organization_id: str, expected_status: str) -> Row:
    """The organization, once the caller is found allowed to oversee it (ops or an admin of any
    ancestor; 403) and it has ``expected_status`` (409)."""
    row = _existing(s, organization_id, for_update=True)
    is_ancestor_admin = repo.administers_any(s, repo.ancestor_ids(s, row.id), overseer.subject)
    if not may_oversee(is_ops=overseer.is_ops, is_ancestor_admin=is_ancestor_admin):
        raise Problem(403, "only ops or an admin of a parent (or higher) organization may do this")
    if row.status != expected_status:
        raise Problem(409, f"the organization is {row.status}, not {expected_status}",
                      current_status=row.status)
    return row


def _review(s: Session, reviewer: Caller, organization_id: str) -> Row:
    return _overseen(s, reviewer, organization_id, PENDING)


def approve(db: Database, reg: Registry, reviewer: Caller, organization_id: str) -> dict:
    """Approves a pending organization; the applicant, when a volunteer, becomes its first admin."""
    now = reg.now()
    with db.transaction() as s:
        row = _review(s, reviewer, organization_id)
        if not repo.review_pending(s, organization_id, status=APPROVED, reviewed_at=now,
                                   reviewed_by=reviewer.subject, reason=None):
            raise Problem(409, "the organization was reviewed meanwhile")
        if repo.volunteer_exists(s, row.applicant_id) and not repo.is_admin(s, row.id, row.applicant_id):
            repo.insert_admin(s, row.id, row.applicant_id, now)
        view = _view(s, repo.organization(s, organization_id))
        record_event(s, "registry.organization_approved.v1", {
            "organization_id": view["id"], "name": view["name"], "kind": view["kind"],
            "parent_id": view["parent_id"], "region_code": view["region_code"],
            "admin_ids": view["admin_ids"],
        }, producer=PRODUCER)
        return view


def reject(db: Database, reg: Registry, reviewer: Caller, organization_id: str, reason: str) -> dict:
    with db.transaction() as s:
        _review(s, reviewer, organization_id)
        if not repo.review_pending(s, organization_id, status=REJECTED, reviewed_at=reg.now(),
                                   reviewed_by=reviewer.subject, reason=reason):
            raise Problem(409, "the organization was reviewed meanwhile")
        return _view(s, repo.organization(s, organization_id))


def add_admin(db: Database, reg: Registry, appointer: Caller, organization_id: str,
              volunteer_id: str) -> dict:
    now = reg.now()
    try:
        with db.transaction() as s:
            row = _existing(s, organization_id)
            if not may_add_admin(is_ops=appointer.is_ops,
                                 is_admin=repo.is_admin(s, row.id, appointer.subject)):
                raise Problem(403, "only ops or an admin of this organization may appoint admins")
            if row.status != APPROVED:
                raise Problem(409, f"the organization is {row.status}, not approved",
                              current_status=row.status)
            if not repo.volunteer_exists(s, volunteer_id):
                raise field_error("volunteer_id", "no volunteer has this id")
            if repo.is_admin(s, row.id, volunteer_id):
                raise field_error("volunteer_id", "is already an admin of this organization", status=409)
            repo.insert_admin(s, row.id, volunteer_id, now)
            record_event(s, "registry.organization_admin_added.v1",
                         {"organization_id": row.id, "volunteer_id": volunteer_id}, producer=PRODUCER)
    except IntegrityError as exc:  # a concurrent appointment of the same volunteer won
        raise field_error("volunteer_id", "is already an admin of this organization", status=409) from exc
    return {"organization_id": organization_id, "volunteer_id": volunteer_id, "created_at": now}


def suspend(db: Database, reg: Registry, overseer: Caller, organization_id: str, reason: str) -> dict:
    """An approved organization stops acting (no new children, admins, teams) until resumed."""
    return _move(db, reg, overseer, organization_id, APPROVED, SUSPENDED, reason,
                 lambda now: ("registry.organization_suspended.v1", {
                     "organization_id": organization_id, "reason": reason, "suspended_by": overseer.subject,
                     "suspended_at": now.isoformat()}))


def resume(db: Database, reg: Registry, overseer: Caller, organization_id: str) -> dict:
    return _move(db, reg, overseer, organization_id, SUSPENDED, APPROVED, None,
                 lambda now: ("registry.organization_resumed.v1", {
                     "organization_id": organization_id, "resumed_by": overseer.subject,
                     "resumed_at": now.isoformat()}))


def _move(db: Database, reg: Registry, overseer: Caller, organization_id: str, from_status: str,
          to_status: str, reason: str | None, event) -> dict:
    """``event(now)`` is the (type, data) the move publishes, in the same transaction."""
    now = reg.now()
    with db.transaction() as s:
        _overseen(s, overseer, organization_id, from_status)
        if not repo.set_organization_status(s, organization_id, from_status=from_status, to_status=to_status,
                                            reason=reason, reviewed_at=now, reviewed_by=overseer.subject):
            raise Problem(409, "the organization changed meanwhile")
        type_, data = event(now)
        record_event(s, type_, data, producer=PRODUCER)
        return _view(s, repo.organization(s, organization_id))


def list_reviews(db: Database, reg: Registry, reviewer: Caller, *, overdue: bool, cursor: str | None,
                 limit: int) -> dict:
    """The applications this caller is responsible for now (ops: all), earliest deadline first;
    ``overdue``: only those past their deadline."""
    position = decode_cursor(cursor)
    with db.read() as s:
        reviewer_ids = None if reviewer.is_ops else repo.administered_organization_ids(s, reviewer.subject)
        rows = repo.pending_reviews(s, reviewer_ids=reviewer_ids, due_by=reg.now() if overdue else None,
                                    position=position, limit=limit + 1)
        admins = repo.admin_ids_of(s, [row.id for row in rows])
        return page(rows, limit, lambda row: _view(s, row, admins[row.id]), lambda r: r.review_due_at,
                    lambda r: r.id)


def escalate_overdue_reviews(db: Database, moment: datetime, due_hours: int) -> int:
    """Hands every overdue application one ancestor up with a fresh deadline (the worker's
    scheduled job; tests call it with their clock). One at the root stays overdue with the root's
    admins and ops. Returns how many were escalated."""
    escalated, position = 0, None
    while True:
        with db.transaction() as s:
            rows = repo.overdue_reviews(s, moment, position, ESCALATION_BATCH)
            for row in rows:
                ancestors = repo.ancestor_ids(s, row.id)
                if may_escalate(ancestors, row.escalation_level) and repo.escalate_review(
                        s, row.id, from_level=row.escalation_level,
                        reviewer_id=responsible_reviewer(ancestors, row.escalation_level + 1),
                        due_at=review_due_at(moment, due_hours), moment=moment):
                    escalated += 1
        if len(rows) < ESCALATION_BATCH:
            return escalated
        position = (rows[-1].review_due_at, rows[-1].id)


def list_organizations(db: Database, args: dict) -> dict:
    position = decode_cursor(args.get("cursor"))
    limit = args["limit"]
    with db.read() as s:
        rows = repo.list_organizations(s, kind=args.get("kind"), parent_id=args.get("parent_id"),
                                       status=args.get("status"), level=args.get("level"),
                                       position=position, limit=limit + 1)
        admins = repo.admin_ids_of(s, [row.id for row in rows])
        return page(rows, limit, lambda row: _view(s, row, admins[row.id]), lambda r: r.created_at,
                    lambda r: r.id)


def tree(db: Database, organization_id: str, depth: int = TREE_DEPTH - 1) -> dict:
    """The organization with its approved descendants down to ``depth`` levels, as nested
    ``children`` (two queries per level: the trees are at most four deep)."""
    with db.read() as s:
        root = _view(s, _existing(s, organization_id))
        root["children"] = []
        level_nodes = {root["id"]: root}
        for _ in range(depth):
            if not level_nodes:
                break
            next_nodes = {}
            children = repo.approved_children(s, list(level_nodes))
            admins = repo.admin_ids_of(s, [row.id for row in children])
            for row in children:
                node = {**_view(s, row, admins[row.id]), "children": []}
                level_nodes[row.parent_id]["children"].append(node)
                next_nodes[row.id] = node
            level_nodes = next_nodes
        return root
