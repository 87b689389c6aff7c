"""Queries for merchant staff accounts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from .models import merchant_staff, merchants
from .repository import _row
from .sql import insert_if_absent

# Everything but the hash, for views.
PUBLIC_COLUMNS = [c for c in merchant_staff.c if c.name not in ("password_hash", "failed_logins",
                                                                 "failed_window_opened_at",
                                                                 "credentials_version")]


def insert_staff(session: Session, staff: dict) -> bool:
    """False when the merchant already has this login."""
    return insert_if_absent(session, merchant_staff, staff)


def staff_of_merchant(session: Session, merchant_id: str, staff_id: str) -> dict | None:
    return _row(session.execute(select(*PUBLIC_COLUMNS).where(merchant_staff.c.id == staff_id,
                                                              merchant_staff.c.merchant_id == merchant_id)).first())


def staff_for_request(session: Session, staff_id: str) -> dict | None:
    """The staff member and their merchant's status, for a request made with a staff token."""
    return _row(session.execute(
        select(merchant_staff.c.id, merchant_staff.c.merchant_id, merchant_staff.c.store_id,
               merchant_staff.c.role, merchant_staff.c.status, merchant_staff.c.credentials_version,
               merchants.c.status.label("merchant_status"))
        .join(merchants, merchants.c.id == merchant_staff.c.merchant_id)
        .where(merchant_staff.c.id == staff_id)).first())


def staff_for_login(session: Session, merchant_id: str, login: str) -> dict | None:
    """The account a sign-in names, locked, with its hash and failure window."""
    query = (select(merchant_staff, merchants.c.status.label("merchant_status"))
             .join(merchants, merchants.c.id == merchant_staff.c.merchant_id)
             .where(merchant_staff.c.merchant_id == merchant_id, merchant_staff.c.login == login))
    return _row(session.execute(query.with_for_update(of=merchant_staff)).first())


def set_failure_window(session: Session, staff_id: str, failures: int, opened_at: datetime | None) -> None:
    session.execute(update(merchant_staff).where(merchant_staff.c.id == staff_id)
                    .values(failed_logins=failures, failed_window_opened_at=opened_at))


def record_login_success(session: Session, staff_id: str, now: datetime, rehashed: str | None) -> None:
    values = dict(failed_logins=0, failed_window_opened_at=None, last_login_at=now)
    if rehashed:
        values["password_hash"] = rehashed
    session.execute(update(merchant_staff).where(merchant_staff.c.id == staff_id).values(**values))


def deactivate(session: Session, merchant_id: str, staff_id: str, now: datetime) -> dict | None:
    """active → inactive once; None when there was nothing to flip."""
    return _row(session.execute(
        update(merchant_staff).where(merchant_staff.c.id == staff_id, merchant_staff.c.merchant_id == merchant_id,
                                     merchant_staff.c.status == "active")
        .values(status="inactive", deactivated_at=now).returning(*PUBLIC_COLUMNS)).first())


def update_staff(session: Session, merchant_id: str, staff_id: str, values: dict,
                 new_password_hash: str | None) -> dict | None:
    """Change an active account; a new password also raises its credentials version and clears its
    failed sign-ins. None when the merchant has no such active account."""
    if new_password_hash is not None:
        values = dict(values, password_hash=new_password_hash, failed_logins=0, failed_window_opened_at=None,
                      credentials_version=merchant_staff.c.credentials_version + 1)
    return _row(session.execute(
        update(merchant_staff).where(merchant_staff.c.id == staff_id, merchant_staff.c.merchant_id == merchant_id,
                                     merchant_staff.c.status == "active")
        .values(**values).returning(*PUBLIC_COLUMNS)).first())


def list_staff(session: Session, merchant_id: str, *, after: tuple[datetime, str] | None,
               limit: int) -> list[dict]:
    query = (select(*PUBLIC_COLUMNS).where(merchant_staff.c.merchant_id == merchant_id)
             .order_by(merchant_staff.c.created_at, merchant_staff.c.id).limit(limit))
    if after is not None:
        created_at, sid = after
        query = query.where(or_(merchant_staff.c.created_at > created_at,
                                and_(merchant_staff.c.created_at == created_at, merchant_staff.c.id > sid)))
    return [_row(r) for r in session.execute(query)]
