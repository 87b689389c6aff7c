"""Use cases of a volunteer: balance, entries and one-time redemption codes."""
from __future__ import annotations

import uuid
from datetime import timedelta

from shanxing_common.db import Database

from ..adapters import ledger, repository
from ..adapters.sql import as_utc, utcnow
from ..domain import codes
from ..domain.errors import InvalidInput, NotFound
from .pagination import decode_cursor, encode_cursor


def balance(db: Database, volunteer_id: str) -> dict | None:
    """The volunteer's figures, or None when no account is open yet."""
    with db.read() as s:
        account = ledger.find_account(s, ledger.VOLUNTEER, volunteer_id)
    if account is None:
        return None
    return {"balance": account.balance, "earned": account.earned, "redeemed": account.redeemed,
            "debt": account.debt}


def entries(db: Database, volunteer_id: str, *, cursor: str | None, limit: int) -> dict:
    before_id = decode_cursor(cursor)
    if before_id is not None and not isinstance(before_id, int):
        raise InvalidInput("not a cursor this list gave out", field="cursor")
    with db.read() as s:
        account = ledger.find_account(s, ledger.VOLUNTEER, volunteer_id)
        if account is None:
            return {"items": [], "next": None}
        rows = ledger.account_entries(s, account.id, before_id=before_id, limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    items = [{"id": str(r["id"]), "kind": r["kind"], "points": r["amount"],
              "balance_after": r["balance_after"], "created_at": as_utc(r["created_at"]),
              "transfer_id": r["transfer_id"], "rule_version": r["rule_version"],
              "organizer_factor": r["organizer_factor"]} for r in page]
    return {"items": items, "next": encode_cursor(page[-1]["id"]) if more else None}


def issue_code(db: Database, volunteer_id: str, ttl_seconds: int) -> dict:
    """A fresh 12-digit one-time code; only its hash is stored. Earlier codes stay valid."""
    now = utcnow()
    expires_at = now + timedelta(seconds=ttl_seconds)
    with db.transaction() as s:
        for _ in range(5):  # a clash of 12 random digits with a stored hash is rare; draw again
            code = codes.new_code()
            if repository.insert_code(s, dict(id=str(uuid.uuid4()), code_hash=codes.code_hash(code),
                                              volunteer_id=volunteer_id, created_at=now,
                                              expires_at=expires_at, used_at=None)):
                return {"code": code, "expires_at": expires_at}
    raise RuntimeError("could not draw an unused redemption code")


def live_code_qr(db: Database, volunteer_id: str, code: str) -> str:
    """The QR image (SVG) of one of the volunteer's own codes while it is unused and unexpired;
    any other code is 404, so the route reveals nothing about codes of others."""
    from ..adapters.qr import qr_svg

    code = codes.normalise_code(code)
    if not codes.is_well_formed(code):
        raise NotFound("no such live redemption code", field="code")
    with db.read() as s:
        stored = repository.code_by_hash(s, codes.code_hash(code))
    if (stored is None or stored["volunteer_id"] != volunteer_id or stored["used_at"] is not None
            or stored["expires_at"] <= utcnow()):
        raise NotFound("no such live redemption code", field="code")
    return qr_svg(code)
