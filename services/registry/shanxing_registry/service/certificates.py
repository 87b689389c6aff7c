"""Use cases: issue a service-record certificate (志愿服务记录证明), list one's own, verify a code."""
from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from shanxing_common.db import Database
from shanxing_common.problems import Problem

from ..adapters import repository as repo
from ..domain.certificates import (code_matches, content_digest, grouped, normalise_verification_code,
                                   verification_code)
from ..domain.hours import format_hours
from ..domain.identity import mask_id_number, mask_name
from ..runtime import Registry
from .paging import decode_cursor, page

ISSUE_ATTEMPTS = 3  # a code collision (≈ 2^-79) retries with a fresh id, hence a fresh code
SIGNED_FIELDS = ("id", "volunteer_id", "display_name", "id_number_masked", "region_code", "total_hours",
                 "star_level", "record_count", "purpose", "issued_at")


def _digest(values) -> str:
    """Over the stored snapshot; issued_at as UTC ISO text so that the database round trip keeps it."""
    content = {name: values[name] for name in SIGNED_FIELDS}
    content["issued_at"] = repo.as_utc(content["issued_at"]).isoformat()
    return content_digest(content)


def genuine(reg: Registry, row) -> bool:
    """The row's code is the HMAC of its id and content: an edited row or an invented code fails."""
    values = row._mapping
    return code_matches(reg.config.cert_key, values["id"], _digest(values), values["verification_code"])


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
        values = dict(id=str(uuid.uuid4()), volunteer_id=volunteer_id, purpose=purpose, issued_at=reg.now())
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
                values["verification_code"] = verification_code(reg.config.cert_key, values["id"], _digest(values))
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


def verify(db: Database, reg: Registry, raw_code: str) -> dict:
    code = normalise_verification_code(raw_code)
    row = None
    if code is not None:
        with db.read() as s:
            row = repo.certificate_by_code(s, code)
    if row is None or not genuine(reg, row):
        raise Problem(404, "no certificate has this verification code")
    return _public_view(row)


def printable(db: Database, reg: Registry, volunteer_id: str, raw_code: str) -> dict:
    """The owner's certificate with its record lines as they counted when it was issued; 404 for a
    code that is unknown, not genuine or someone else's."""
    code = normalise_verification_code(raw_code)
    if code is None:
        raise Problem(404, "no certificate of yours has this verification code")
    with db.read() as s:
        row = repo.certificate_by_code(s, code)
        if row is None or row.volunteer_id != volunteer_id or not genuine(reg, row):
            raise Problem(404, "no certificate of yours has this verification code")
        records = repo.records_at(s, volunteer_id, repo.as_utc(row.issued_at))
        organizations = repo.organization_names(s, {r.organization_id for r in records if r.organization_id})
        recorders = repo.volunteer_names(s, {r.confirmed_by for r in records if r.confirmed_by})
    lines = [{"activity_id": r.activity_id or r.record_id,
              "activity": r.activity_title or r.activity_id or r.record_id,
              "place": r.address or "",
              "organization": organizations.get(r.organization_id) or r.organization_id or "",
              "served_on": r.served_on.isoformat() if r.served_on else "",
              "hours": format_hours(r.hundredths),
              "recorder": mask_name(recorders[r.confirmed_by]) if r.confirmed_by in recorders
              else (r.confirmed_by or "")} for r in records]
    return {**_view(row), "issued_on": repo.as_utc(row.issued_at).astimezone(reg.timezone).date().isoformat(),
            "lines": lines}
