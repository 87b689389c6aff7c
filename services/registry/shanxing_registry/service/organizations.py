"""Use cases: apply for, read, review organizations and appoint their admins."""
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
from ..domain.organizations import (APPROVED, PENDING, REJECTED, may_add_admin, may_review,
                                    parent_problem)
from ..runtime import Registry

PRODUCER = "registry"


def _view(session: Session, row: Row) -> dict:
    return {
        "id": row.id, "name": row.name, "kind": row.kind, "parent_id": row.parent_id,
        "region_code": row.region_code, "status": row.status, "applicant_id": row.applicant_id,
        "created_at": repo.as_utc(row.created_at), "reviewed_at": repo.as_utc(row.reviewed_at),
        "reviewed_by": row.reviewed_by, "reason": row.reason,
        "admin_ids": repo.admin_ids(session, row.id),
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
        if parent_id is not None:
            parent = repo.organization(s, parent_id)
            reason = parent_problem(parent.status if parent else None, parent.kind if parent else None,
                                    form["kind"])
            if reason:
                raise field_error("parent_id", reason)
        repo.insert_organization(s, id=organization_id, name=form["name"], kind=form["kind"],
                                 parent_id=parent_id, region_code=form["region_code"], status=PENDING,
                                 applicant_id=applicant.subject, created_at=reg.now())
        return _view(s, repo.organization(s, organization_id))


def get(db: Database, organization_id: str) -> dict:
    with db.read() as s:
        return _view(s, _existing(s, organization_id))


def _review(s: Session, reviewer: Caller, organization_id: str) -> Row:
    """The pending organization, once the reviewer is found allowed (403) and it is pending (409)."""
    row = _existing(s, organization_id, for_update=True)
    is_parent_admin = row.parent_id is not None and repo.is_admin(s, row.parent_id, reviewer.subject)
    if not may_review(is_ops=reviewer.is_ops, is_parent_admin=is_parent_admin):
        raise Problem(403, "only ops or an admin of the parent organization may review it")
    if row.status != PENDING:
        raise Problem(409, f"the organization is {row.status}, not pending", current_status=row.status)
    return row


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
