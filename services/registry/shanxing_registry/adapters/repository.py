"""Queries over registry's tables. Functions take the caller's session (its unit of work)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from shanxing_common.db import as_utc  # noqa: F401 - re-exported for the repositories

from .models import accounts, hours_credits, organization_admins, organizations, volunteers



# --- accounts -------------------------------------------------------------------------------

def account_by_phone(session: Session, phone: str, *, for_update: bool = False) -> Row | None:
    query = select(accounts).where(accounts.c.phone == phone)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).first()


def phone_taken(session: Session, phone: str) -> bool:
    return session.execute(select(exists().where(accounts.c.phone == phone))).scalar()


def insert_account(session: Session, **values) -> None:
    session.execute(insert(accounts).values(failed_logins=0, **values))


def set_failure_window(session: Session, account_id: str, failures: int,
                       opened_at: datetime | None) -> None:
    session.execute(update(accounts).where(accounts.c.id == account_id)
                    .values(failed_logins=failures, failed_window_opened_at=opened_at))


def record_login_success(session: Session, account_id: str, now: datetime,
                         new_password_hash: str | None = None) -> None:
    values = dict(failed_logins=0, failed_window_opened_at=None, last_login_at=now)
    if new_password_hash:
        values["password_hash"] = new_password_hash
    session.execute(update(accounts).where(accounts.c.id == account_id).values(**values))


def set_roles(session: Session, account_id: str, roles: list[str]) -> None:
    session.execute(update(accounts).where(accounts.c.id == account_id).values(roles=roles))


# --- volunteers -----------------------------------------------------------------------------

_PROFILE_COLUMNS = (volunteers, accounts.c.phone)


def volunteer_profile(session: Session, volunteer_id: str) -> Row | None:
    """The volunteer's row with the account's phone."""
    return session.execute(
        select(*_PROFILE_COLUMNS).join(accounts, accounts.c.id == volunteers.c.id)
        .where(volunteers.c.id == volunteer_id)).first()


def volunteer_exists(session: Session, volunteer_id: str) -> bool:
    return session.execute(select(exists().where(volunteers.c.id == volunteer_id))).scalar()


def id_number_taken(session: Session, fingerprint: str) -> bool:
    return session.execute(select(exists().where(volunteers.c.id_number_hash == fingerprint))).scalar()


def volunteer_name(session: Session, volunteer_id: str) -> str | None:
    return session.execute(select(volunteers.c.name).where(volunteers.c.id == volunteer_id)).scalar()


def insert_volunteer(session: Session, **values) -> None:
    session.execute(insert(volunteers).values(total_hours=0, star_level=0, **values))


def add_hours(session: Session, volunteer_id: str, delta_hundredths: int) -> Row | None:
    """Adds (or with a negative delta, subtracts) hours in one statement; returns the new total
    and star level, or None when the volunteer is unknown."""
    result = session.execute(update(volunteers).where(volunteers.c.id == volunteer_id)
                             .values(total_hours=volunteers.c.total_hours + delta_hundredths))
    if not result.rowcount:
        return None
    return session.execute(select(volunteers.c.total_hours, volunteers.c.star_level)
                           .where(volunteers.c.id == volunteer_id)).first()


def set_star_level(session: Session, volunteer_id: str, level: int) -> None:
    session.execute(update(volunteers).where(volunteers.c.id == volunteer_id).values(star_level=level))


def encrypted_id_numbers(session: Session, after_id: str, limit: int) -> list[Row]:
    return session.execute(select(volunteers.c.id, volunteers.c.id_number_encrypted)
                           .where(volunteers.c.id > after_id).order_by(volunteers.c.id)
                           .limit(limit)).all()


def replace_encrypted_id_number(session: Session, volunteer_id: str, old: str, new: str) -> bool:
    result = session.execute(update(volunteers).where(volunteers.c.id == volunteer_id,
                                                      volunteers.c.id_number_encrypted == old)
                             .values(id_number_encrypted=new))
    return bool(result.rowcount)


# --- organizations --------------------------------------------------------------------------

def organization(session: Session, organization_id: str, *, for_update: bool = False) -> Row | None:
    query = select(organizations).where(organizations.c.id == organization_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).first()


def insert_organization(session: Session, **values) -> None:
    session.execute(insert(organizations).values(**values))


def review_pending(session: Session, organization_id: str, *, status: str, reviewed_at: datetime,
                   reviewed_by: str | None, reason: str | None) -> bool:
    """Moves a pending organization to ``status``; False when it was no longer pending."""
    result = session.execute(
        update(organizations)
        .where(organizations.c.id == organization_id, organizations.c.status == "pending")
        .values(status=status, reviewed_at=reviewed_at, reviewed_by=reviewed_by, reason=reason))
    return bool(result.rowcount)


def is_admin(session: Session, organization_id: str, volunteer_id: str | None) -> bool:
    if not volunteer_id:
        return False
    return session.execute(select(exists().where(
        organization_admins.c.organization_id == organization_id,
        organization_admins.c.volunteer_id == volunteer_id))).scalar()


def admin_ids(session: Session, organization_id: str) -> list[str]:
    return list(session.execute(
        select(organization_admins.c.volunteer_id)
        .where(organization_admins.c.organization_id == organization_id)
        .order_by(organization_admins.c.created_at, organization_admins.c.volunteer_id)).scalars())


def insert_admin(session: Session, organization_id: str, volunteer_id: str, now: datetime) -> None:
    session.execute(insert(organization_admins).values(organization_id=organization_id,
                                                       volunteer_id=volunteer_id, created_at=now))


# --- hours credits --------------------------------------------------------------------------

def hours_credit(session: Session, record_id: str, *, for_update: bool = False) -> Row | None:
    query = select(hours_credits).where(hours_credits.c.record_id == record_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).first()


def insert_hours_credit(session: Session, **values) -> None:
    session.execute(insert(hours_credits).values(**values))


def mark_credit_revoked(session: Session, record_id: str, now: datetime) -> bool:
    result = session.execute(update(hours_credits).where(hours_credits.c.record_id == record_id,
                                                         hours_credits.c.revoked_at.is_(None))
                             .values(revoked_at=now))
    return bool(result.rowcount)
