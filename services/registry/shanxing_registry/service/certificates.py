"""Use cases: issue a service-record certificate (志愿服务记录证明), list one's own, verify a code."""
from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from shanxing_common.db import Database
from shanxing_common.problems import Problem

from ..adapters import repository as repo
from ..domain.certificates import grouped, new_verification_code, normalise_verification_code
from ..domain.hours import format_hours
from ..domain.identity import mask_id_number, mask_name
from ..runtime import Registry
from .paging import decode_cursor, page

ISSUE_ATTEMPTS = 3  # a code collision (≈ 2^-79) retries with a fresh code


def _view(row) -> dict:
    return {"id": row.id, "verification_code": grouped(row.verification_code), "volunteer_id": row.volunteer_id,
            "display_name": row.display_name, "id_number": row.id_number_masked, "region_code": row.region_code,
            "total_hours": format_hours(row.total_hours), "star_level": row.star_level,
            "record_count": row.record_count, "purpose": row.purpose, "issued_at": repo.as_utc(row.issued_at)}


def _public_view(row) -> dict:
    """What a verifier sees: the record and masked identity, not the volunteer's id."""
    view = _view(row)
    del view["volunteer_id"]
    return view


def issue(db: Database, reg: Registry, volunteer_id: str, purpose: str | None) -> dict:
    """A snapshot of the volunteer's record now: hours, star level, counted records."""
    for attempt in range(ISSUE_ATTEMPTS):
        values = dict(id=str(uuid.uuid4()), verification_code=new_verification_code(), volunteer_id=volunteer_id,
                      purpose=purpose, issued_at=reg.now())
        try:
            with db.transaction() as s:
                volunteer = repo.volunteer_profile(s, volunteer_id)
                if volunteer is None:
                    raise Problem(404, "no volunteer profile for this person")
                values.update(display_name=mask_name(volunteer.name),
                              id_number_masked=mask_id_number(reg.vault.decrypt(volunteer.id_number_encrypted)),
                              region_code=volunteer.region_code, total_hours=volunteer.total_hours,
                              star_level=volunteer.star_level,
                              record_count=repo.counted_records(s, volunteer_id))
                repo.insert_certificate(s, **values)
                return _view(repo.certificate_by_code(s, values["verification_code"]))
        except IntegrityError:
            if attempt + 1 == ISSUE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def mine(db: Database, volunteer_id: str, cursor: str | None, limit: int) -> dict:
    position = decode_cursor(cursor)
    with db.read() as s:
        if not repo.volunteer_exists(s, volunteer_id):
            raise Problem(404, "no volunteer profile for this person")
        rows = repo.certificates_of(s, volunteer_id, position, limit + 1)
    return page(rows, limit, _view, lambda r: r.issued_at, lambda r: r.id)


def verify(db: Database, raw_code: str) -> dict:
    code = normalise_verification_code(raw_code)
    row = None
    if code is not None:
        with db.read() as s:
            row = repo.certificate_by_code(s, code)
    if row is None:
        raise Problem(404, "no certificate has this verification code")
    return _public_view(row)
