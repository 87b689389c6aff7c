"""Use cases: register a volunteer, read and update one's own profile, move to another region."""
from __future__ import annotations

import hmac
import uuid

from sqlalchemy.exc import IntegrityError

from shanxing_common.db import Database
from shanxing_common.messaging import record_event
from shanxing_common.problems import Problem, field_error

from ..adapters import repository as repo
from shanxing_common.passwords import hash_password
from ..domain.hours import format_hours
from ..domain.identity import mask_id_number, mask_name, mask_phone
from ..domain.transfers import transfer_problem
from ..runtime import Registry
from .paging import decode_cursor, page

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


NO_MATCHING_IMPORT = "no imported volunteer awaiting a password matches this phone and ID number"


def activate_imported(db: Database, reg: Registry, form: dict) -> dict:
    """Sets the first password of a bulk-imported account whose phone and ID number both match.
    One answer for every mismatch (unknown phone, wrong ID, already activated)."""
    fingerprint = reg.vault.fingerprint(form["id_number"])
    password_hash = hash_password(form["password"])  # slow: outside the write transaction
    with db.transaction() as s:
        account = repo.account_awaiting_password(s, form["phone"])
        if account is None or not hmac.compare_digest(account.id_number_hash, fingerprint):
            raise field_error("phone", NO_MATCHING_IMPORT)
        repo.set_first_password(s, account.id, password_hash)
    return volunteer_view(db, reg, account.id)


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
        "availability": list(row.availability or []),
        "home_location": row.home_location,
        "tags": list(row.tags or []),
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


PROFILE_FIELDS = ("skills", "preferences", "availability", "home_location", "tags")


def update_profile(db: Database, reg: Registry, volunteer_id: str, changes: dict) -> dict:
    """Sets the given profile fields (validated and normalised by the api schema); emits
    registry.volunteer_updated.v1 with the whole profile as it now stands."""
    now = reg.now()
    with db.transaction() as s:
        row = repo.volunteer_for_update(s, volunteer_id)
        if row is None:
            raise Problem(404, "no volunteer profile for this person")
        values = {name: changes[name] for name in PROFILE_FIELDS if name in changes}
        repo.update_volunteer(s, volunteer_id, updated_at=now, **values)
        current = repo.volunteer_for_update(s, volunteer_id)
        record_event(s, "registry.volunteer_updated.v1", {
            "volunteer_id": volunteer_id, "display_name": mask_name(current.name),
            "region_code": current.region_code, "skills": list(current.skills),
            "preferences": list(current.preferences),
            "registered_at": repo.as_utc(current.created_at).isoformat(),
            "availability": list(current.availability), "home_location": current.home_location,
            "tags": list(current.tags), "updated_at": now.isoformat(),
        }, producer=PRODUCER)
    return volunteer_view(db, reg, volunteer_id)


def _transfer_view(row) -> dict:
    return {"id": row.id, "volunteer_id": row.volunteer_id, "from_region_code": row.from_region_code,
            "to_region_code": row.to_region_code, "reason": row.reason,
            "transferred_at": repo.as_utc(row.transferred_at)}


def transfer(db: Database, reg: Registry, volunteer_id: str, to_region_code: str, reason: str) -> dict:
    """Moves the volunteer to another region; hours, star level and records stay with them."""
    now = reg.now()
    transfer_id = str(uuid.uuid4())
    with db.transaction() as s:
        row = repo.volunteer_for_update(s, volunteer_id)
        if row is None:
            raise Problem(404, "no volunteer profile for this person")
        problem = transfer_problem(row.region_code, to_region_code)
        if problem:
            raise field_error("to_region_code", problem, status=409)
        values = dict(id=transfer_id, volunteer_id=volunteer_id, from_region_code=row.region_code,
                      to_region_code=to_region_code, reason=reason, transferred_at=now)
        repo.insert_transfer(s, **values)
        repo.update_volunteer(s, volunteer_id, region_code=to_region_code, updated_at=now)
        record_event(s, "registry.volunteer_transferred.v1", {
            "volunteer_id": volunteer_id, "from_region_code": row.region_code,
            "to_region_code": to_region_code, "transfer_id": transfer_id, "transferred_at": now.isoformat(),
        }, producer=PRODUCER)
    return {**values, "transferred_at": now}


def transfers(db: Database, volunteer_id: str, cursor: str | None, limit: int) -> dict:
    position = decode_cursor(cursor)
    with db.read() as s:
        if not repo.volunteer_exists(s, volunteer_id):
            raise Problem(404, "no volunteer profile for this person")
        rows = repo.transfers_of(s, volunteer_id, position, limit + 1)
    return page(rows, limit, _transfer_view, lambda r: r.transferred_at, lambda r: r.id)
