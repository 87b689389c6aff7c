"""Use cases: register a volunteer, read one's own profile."""
from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from shanxing_common.db import Database
from shanxing_common.messaging import record_event
from shanxing_common.problems import Problem, field_error

from ..adapters import repository as repo
from ..adapters.passwords import hash_password
from ..domain.hours import format_hours
from ..domain.identity import mask_id_number, mask_name, mask_phone
from ..runtime import Registry

PRODUCER = "registry"
VOLUNTEER_ROLES = ["volunteer"]


def register_volunteer(db: Database, reg: Registry, form: dict) -> dict:
    """``form`` is validated and normalised (api schema). 409 when the phone or ID is taken."""
    fingerprint = reg.vault.fingerprint(form["id_number"])
    password_hash = hash_password(form["password"])  # slow: outside the write transaction
    volunteer_id = str(uuid.uuid4())
    now = reg.now()
    try:
        with db.transaction() as s:
            _refuse_duplicates(s, form["phone"], fingerprint)
            repo.insert_account(s, id=volunteer_id, phone=form["phone"], password_hash=password_hash,
                                roles=VOLUNTEER_ROLES, kind="volunteer", created_at=now)
            repo.insert_volunteer(s, id=volunteer_id, name=form["name"],
                                  id_number_encrypted=reg.vault.encrypt(form["id_number"]),
                                  id_number_hash=fingerprint, region_code=form["region_code"],
                                  skills=form["skills"], preferences=form["preferences"], created_at=now)
            record_event(s, "registry.volunteer_registered.v1", {
                "volunteer_id": volunteer_id, "display_name": mask_name(form["name"]),
                "region_code": form["region_code"], "skills": form["skills"],
                "preferences": form["preferences"], "registered_at": now.isoformat(),
            }, producer=PRODUCER)
    except IntegrityError:
        # A concurrent registration took the phone or ID between our check and insert.
        with db.read() as s:
            _refuse_duplicates(s, form["phone"], fingerprint)
        raise
    return volunteer_view(db, reg, volunteer_id)


def _refuse_duplicates(session, phone: str, fingerprint: str) -> None:
    if repo.phone_taken(session, phone):
        raise field_error("phone", "is already registered", status=409)
    if repo.id_number_taken(session, fingerprint):
        raise field_error("id_number", "is already registered", status=409)


def volunteer_view(db: Database, reg: Registry, volunteer_id: str) -> dict:
    """The volunteer as the API shows them: ID number and phone masked."""
    with db.read() as s:
        row = repo.volunteer_profile(s, volunteer_id)
    if row is None:
        raise Problem(404, "no volunteer profile for this person")
    return {
        "id": row.id,
        "name": row.name,
        "id_number": mask_id_number(reg.vault.decrypt(row.id_number_encrypted)),
        "phone": mask_phone(row.phone),
        "region_code": row.region_code,
        "skills": list(row.skills),
        "preferences": list(row.preferences),
        "star_level": row.star_level,
        "total_hours": format_hours(row.total_hours),
        "created_at": repo.as_utc(row.created_at),
    }


def reencrypt_id_numbers(db: Database, reg: Registry, batch: int = 500) -> int:
    """Re-encrypts ID numbers still under an old key with the current one; returns how many."""
    changed, after = 0, ""
    while True:
        with db.read() as s:
            rows = repo.encrypted_id_numbers(s, after, batch)
        if not rows:
            return changed
        with db.transaction() as s:
            for row in rows:
                if reg.vault.needs_reencryption(row.id_number_encrypted):
                    fresh = reg.vault.encrypt(reg.vault.decrypt(row.id_number_encrypted))
                    changed += repo.replace_encrypted_id_number(s, row.id, row.id_number_encrypted, fresh)
        after = rows[-1].id
