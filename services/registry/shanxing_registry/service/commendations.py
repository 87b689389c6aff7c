"""Use cases: grant a commendation (嘉许) and list a volunteer's."""
from __future__ import annotations

import uuid

from shanxing_common.db import Database
from shanxing_common.internal_auth import Caller
from shanxing_common.messaging import record_event
from shanxing_common.problems import Problem

from ..adapters import repository as repo
from ..domain.commendations import may_commend
from ..runtime import Registry
from .paging import decode_cursor, page

PRODUCER = "registry"


def _view(row) -> dict:
    return {"id": row.id, "volunteer_id": row.volunteer_id, "title": row.title, "level": row.level,
            "reason": row.reason, "granted_by": row.granted_by, "granted_at": repo.as_utc(row.granted_at)}


def grant(db: Database, reg: Registry, granter: Caller, volunteer_id: str, form: dict) -> dict:
    now = reg.now()
    values = dict(id=str(uuid.uuid4()), volunteer_id=volunteer_id, title=form["title"], level=form["level"],
                  reason=form["reason"], granted_by=granter.subject, granted_at=now)
    with db.transaction() as s:
        if not may_commend(is_ops=granter.is_ops,
                           administers_an_organization=repo.administers_an_organization(s, granter.subject)):
            raise Problem(403, "only ops or an admin of an approved organization may grant commendations")
        if not repo.volunteer_exists(s, volunteer_id):
            raise Problem(404, "no such volunteer")
        repo.insert_commendation(s, **values)
        record_event(s, "registry.commendation_granted.v1", {
            "commendation_id": values["id"], "volunteer_id": volunteer_id, "title": values["title"],
            "level": values["level"], "granted_by": granter.subject, "granted_at": now.isoformat(),
        }, producer=PRODUCER)
    return values


def of_volunteer(db: Database, volunteer_id: str, cursor: str | None, limit: int) -> dict:
    position = decode_cursor(cursor)
    with db.read() as s:
        if not repo.volunteer_exists(s, volunteer_id):
            raise Problem(404, "no volunteer profile for this person")
        rows = repo.commendations_of(s, volunteer_id, position, limit + 1)
    return page(rows, limit, _view, lambda r: r.granted_at, lambda r: r.id)
