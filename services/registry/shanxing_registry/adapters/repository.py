"""Queries over registry's tables. Functions take the caller's session (its unit of work)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shanxing_common.db import as_utc  # noqa: F401 - re-exported for the repositories

from shanxing_common.messaging.outbox import tables as messaging_tables

from .import_rows import ACCOUNT_COLUMNS, OUTBOX_COLUMNS, VOLUNTEER_COLUMNS
from .models import (accounts, certificates, commendations, hours_credits, import_checkpoints, organization_admins,
                     organizations, region_transfers, team_members, teams, volunteers)

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


def admin_ids_of(session: Session, organization_ids: list[str]) -> dict[str, list[str]]:
    """Admin ids of many organizations in one query (lists and trees)."""
    found: dict[str, list[str]] = {organization_id: [] for organization_id in organization_ids}
    if organization_ids:
        for row in session.execute(
                select(organization_admins.c.organization_id, organization_admins.c.volunteer_id)
                .where(organization_admins.c.organization_id.in_(organization_ids))
                .order_by(organization_admins.c.created_at, organization_admins.c.volunteer_id)):
            found[row.organization_id].append(row.volunteer_id)
    return found


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


def after(columns, position: tuple | None):
    """Keyset condition: rows strictly after ``position`` in the (columns...) order."""
    if position is None:
        return None
    first, second = columns
    return or_(first > position[0], and_(first == position[0], second > position[1]))


# --- volunteer profile and transfers --------------------------------------------------------

def update_volunteer(session: Session, volunteer_id: str, **values) -> None:
    session.execute(update(volunteers).where(volunteers.c.id == volunteer_id).values(**values))


def volunteer_for_update(session: Session, volunteer_id: str) -> Row | None:
    return session.execute(select(volunteers).where(volunteers.c.id == volunteer_id)
                           .with_for_update()).first()


def insert_transfer(session: Session, **values) -> None:
    session.execute(insert(region_transfers).values(**values))


def transfers_of(session: Session, volunteer_id: str, position: tuple | None, limit: int) -> list[Row]:
    query = select(region_transfers).where(region_transfers.c.volunteer_id == volunteer_id)
    condition = after((region_transfers.c.transferred_at, region_transfers.c.id), position)
    if condition is not None:
        query = query.where(condition)
    return session.execute(query.order_by(region_transfers.c.transferred_at, region_transfers.c.id)
                           .limit(limit)).all()


# --- organization trees ---------------------------------------------------------------------

def list_organizations(session: Session, *, kind: str | None, parent_id: str | None, status: str | None,
                       level: str | None, position: tuple | None, limit: int) -> list[Row]:
    query = select(organizations)
    for column, value in ((organizations.c.kind, kind), (organizations.c.parent_id, parent_id),
                          (organizations.c.status, status), (organizations.c.level, level)):
        if value is not None:
            query = query.where(column == value)
    condition = after((organizations.c.created_at, organizations.c.id), position)
    if condition is not None:
        query = query.where(condition)
    return session.execute(query.order_by(organizations.c.created_at, organizations.c.id).limit(limit)).all()


def approved_children(session: Session, parent_ids: list[str]) -> list[Row]:
    return session.execute(select(organizations)
                           .where(organizations.c.parent_id.in_(parent_ids),
                                  organizations.c.status == "approved")
                           .order_by(organizations.c.created_at, organizations.c.id)).all()


def ancestor_ids(session: Session, organization_id: str, *, include_self: bool = False) -> list[str]:
    """The organization's parent, grandparent, … (nearest first); the trees are at most four deep,
    and ``seen`` stops a corrupted cycle."""
    chain, seen = [], set()
    current = organization_id if include_self else session.execute(
        select(organizations.c.parent_id).where(organizations.c.id == organization_id)).scalar()
    while current is not None and current not in seen:
        seen.add(current)
        exists_row = session.execute(select(organizations.c.parent_id)
                                     .where(organizations.c.id == current)).first()
        if exists_row is None:
            break
        chain.append(current)
        current = exists_row.parent_id
    return chain


def administers_any(session: Session, organization_ids: list[str], volunteer_id: str | None) -> bool:
    if not volunteer_id or not organization_ids:
        return False
    return session.execute(select(exists().where(
        organization_admins.c.organization_id.in_(organization_ids),
        organization_admins.c.volunteer_id == volunteer_id))).scalar()


def administers_an_organization(session: Session, volunteer_id: str | None) -> bool:
    """Admin of at least one approved organization."""
    if not volunteer_id:
        return False
    return session.execute(select(exists().where(
        organization_admins.c.volunteer_id == volunteer_id,
        organization_admins.c.organization_id == organizations.c.id,
        organizations.c.status == "approved"))).scalar()


def administered_organization_ids(session: Session, volunteer_id: str | None) -> list[str]:
    """The approved organizations this volunteer administers."""
    if not volunteer_id:
        return []
    return list(session.execute(
        select(organization_admins.c.organization_id)
        .join(organizations, organizations.c.id == organization_admins.c.organization_id)
        .where(organization_admins.c.volunteer_id == volunteer_id, organizations.c.status == "approved")
        .order_by(organization_admins.c.organization_id)).scalars())


def pending_reviews(session: Session, *, reviewer_ids: list[str] | None, due_by: datetime | None,
                    position: tuple | None, limit: int) -> list[Row]:
    """Pending applications whose current reviewers are ``reviewer_ids`` (None: all), earliest
    deadline first; ``due_by``: only those due by then (overdue)."""
    query = select(organizations).where(organizations.c.status == "pending")
    if reviewer_ids is not None:
        if not reviewer_ids:
            return []
        query = query.where(organizations.c.reviewer_organization_id.in_(reviewer_ids))
    if due_by is not None:
        query = query.where(organizations.c.review_due_at <= due_by)
    condition = after((organizations.c.review_due_at, organizations.c.id), position)
    if condition is not None:
        query = query.where(condition)
    return session.execute(query.order_by(organizations.c.review_due_at, organizations.c.id).limit(limit)).all()


def overdue_reviews(session: Session, moment: datetime, position: tuple | None, limit: int) -> list[Row]:
    return pending_reviews(session, reviewer_ids=None, due_by=moment, position=position, limit=limit)


def escalate_review(session: Session, organization_id: str, *, from_level: int, reviewer_id: str,
                    due_at: datetime, moment: datetime) -> bool:
    """One level up, only if still pending, at ``from_level`` and overdue: of two workers (or a
    worker and a reviewer's decision) only one changes the row."""
    result = session.execute(
        update(organizations)
        .where(organizations.c.id == organization_id, organizations.c.status == "pending",
               organizations.c.escalation_level == from_level, organizations.c.review_due_at <= moment)
        .values(escalation_level=from_level + 1, reviewer_organization_id=reviewer_id, review_due_at=due_at))
    return bool(result.rowcount)


def set_organization_status(session: Session, organization_id: str, *, from_status: str, to_status: str,
                            reason: str | None, reviewed_at: datetime, reviewed_by: str | None) -> bool:
    result = session.execute(
        update(organizations)
        .where(organizations.c.id == organization_id, organizations.c.status == from_status)
        .values(status=to_status, reason=reason, reviewed_at=reviewed_at, reviewed_by=reviewed_by))
    return bool(result.rowcount)


def add_organization_hours(session: Session, organization_ids: list[str], delta_hundredths: int) -> None:
    """One row at a time in id order: concurrent roll-ups lock shared ancestors in the same order
    (no deadlock), and each addition is a single atomic UPDATE."""
    for organization_id in sorted(set(organization_ids)):
        session.execute(update(organizations).where(organizations.c.id == organization_id)
                        .values(total_hours=organizations.c.total_hours + delta_hundredths))


# --- teams ----------------------------------------------------------------------------------

def insert_team(session: Session, **values) -> None:
    session.execute(insert(teams).values(total_hours=0, star_level=0, **values))


def team(session: Session, team_id: str | None, *, for_update: bool = False) -> Row | None:
    if not team_id:
        return None
    query = select(teams).where(teams.c.id == team_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).first()


def add_team_hours(session: Session, team_id: str, delta_hundredths: int) -> Row | None:
    result = session.execute(update(teams).where(teams.c.id == team_id)
                             .values(total_hours=teams.c.total_hours + delta_hundredths))
    if not result.rowcount:
        return None
    return session.execute(select(teams.c.total_hours, teams.c.star_level).where(teams.c.id == team_id)).first()


def set_team_star_level(session: Session, team_id: str, level: int) -> None:
    session.execute(update(teams).where(teams.c.id == team_id).values(star_level=level))


def membership(session: Session, team_id: str, volunteer_id: str | None, *,
               for_update: bool = False) -> Row | None:
    if not volunteer_id:
        return None
    query = select(team_members).where(team_members.c.team_id == team_id,
                                       team_members.c.volunteer_id == volunteer_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).first()


def insert_membership(session: Session, **values) -> None:
    session.execute(insert(team_members).values(**values))


def activate_membership(session: Session, team_id: str, volunteer_id: str, now: datetime,
                        approved_by: str | None) -> bool:
    result = session.execute(update(team_members)
                             .where(team_members.c.team_id == team_id, team_members.c.volunteer_id == volunteer_id,
                                    team_members.c.status == "pending")
                             .values(status="active", approved_at=now, approved_by=approved_by))
    return bool(result.rowcount)


def delete_membership(session: Session, team_id: str, volunteer_id: str) -> bool:
    result = session.execute(delete(team_members).where(team_members.c.team_id == team_id,
                                                        team_members.c.volunteer_id == volunteer_id))
    return bool(result.rowcount)


def count_members(session: Session, team_id: str, *, role: str | None = None) -> int:
    query = select(func.count()).select_from(team_members).where(team_members.c.team_id == team_id,
                                                                team_members.c.status == "active")
    if role is not None:
        query = query.where(team_members.c.role == role)
    return session.execute(query).scalar()


def member_with_name(session: Session, team_id: str, volunteer_id: str) -> Row | None:
    return session.execute(select(team_members, volunteers.c.name)
                           .join(volunteers, volunteers.c.id == team_members.c.volunteer_id)
                           .where(team_members.c.team_id == team_id,
                                  team_members.c.volunteer_id == volunteer_id)).first()


def members_of(session: Session, team_id: str, *, statuses: tuple[str, ...], position: tuple | None,
               limit: int) -> list[Row]:
    query = (select(team_members, volunteers.c.name)
             .join(volunteers, volunteers.c.id == team_members.c.volunteer_id)
             .where(team_members.c.team_id == team_id, team_members.c.status.in_(statuses)))
    condition = after((team_members.c.applied_at, team_members.c.volunteer_id), position)
    if condition is not None:
        query = query.where(condition)
    return session.execute(query.order_by(team_members.c.applied_at, team_members.c.volunteer_id)
                           .limit(limit)).all()


# --- commendations --------------------------------------------------------------------------

def insert_commendation(session: Session, **values) -> None:
    session.execute(insert(commendations).values(**values))


def commendations_of(session: Session, volunteer_id: str, position: tuple | None, limit: int) -> list[Row]:
    query = select(commendations).where(commendations.c.volunteer_id == volunteer_id)
    condition = after((commendations.c.granted_at, commendations.c.id), position)
    if condition is not None:
        query = query.where(condition)
    return session.execute(query.order_by(commendations.c.granted_at, commendations.c.id).limit(limit)).all()


# --- certificates ---------------------------------------------------------------------------

def counted_records(session: Session, volunteer_id: str) -> int:
    """Hours records that count now: credited and not revoked."""
    return session.execute(select(func.count()).select_from(hours_credits).where(
        hours_credits.c.volunteer_id == volunteer_id, hours_credits.c.credited_at.is_not(None),
        hours_credits.c.revoked_at.is_(None))).scalar()


def insert_certificate(session: Session, **values) -> None:
    session.execute(insert(certificates).values(**values))


def certificate_by_code(session: Session, code: str) -> Row | None:
    return session.execute(select(certificates).where(certificates.c.verification_code == code)).first()


def certificates_of(session: Session, volunteer_id: str, position: tuple | None, limit: int) -> list[Row]:
    query = select(certificates).where(certificates.c.volunteer_id == volunteer_id)
    condition = after((certificates.c.issued_at, certificates.c.id), position)
    if condition is not None:
        query = query.where(condition)
    return session.execute(query.order_by(certificates.c.issued_at, certificates.c.id).limit(limit)).all()


# --- bulk import ----------------------------------------------------------------------------

def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _taken(session: Session, column, values: list[str]) -> set[str]:
    if not values:
        return set()
    if _is_postgresql(session):  # one array parameter instead of thousands of bound ones
        from sqlalchemy import bindparam
        from sqlalchemy.dialects.postgresql import ARRAY

        condition = column == func.any(bindparam("values", values, type_=ARRAY(column.type)))
        return set(session.execute(select(column).where(condition)).scalars())
    found: set[str] = set()
    for start in range(0, len(values), 500):  # SQLite's bound-parameter limit
        found.update(session.execute(select(column).where(column.in_(values[start:start + 500]))).scalars())
    return found


def taken_phones(session: Session, phones: list[str]) -> set[str]:
    return _taken(session, accounts.c.phone, phones)


def taken_fingerprints(session: Session, fingerprints: list[str]) -> set[str]:
    return _taken(session, volunteers.c.id_number_hash, fingerprints)


def _insert_many(session: Session, table, columns: tuple[str, ...], rows) -> None:
    """Rows of adapters.import_rows in one go: COPY text (bytes) on PostgreSQL (the bulk import's
    speed), a list of dicts by executemany elsewhere. A duplicate key raises IntegrityError either way."""
    if not rows:
        return
    if not _is_postgresql(session):
        session.execute(insert(table), rows)
        return
    import psycopg

    raw = session.connection().connection.dbapi_connection
    quoted = ", ".join(f'"{name}"' for name in columns)
    statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(rows)
    except psycopg.IntegrityError as exc:  # as SQLAlchemy would raise it (the caller retries the batch)
        raise IntegrityError(statement, None, exc) from exc


def insert_accounts_many(session: Session, rows) -> None:
    _insert_many(session, accounts, ACCOUNT_COLUMNS, rows)


def insert_volunteers_many(session: Session, rows) -> None:
    _insert_many(session, volunteers, VOLUNTEER_COLUMNS, rows)


def insert_outbox_many(session: Session, rows) -> None:
    _insert_many(session, messaging_tables().outbox, OUTBOX_COLUMNS, rows)


def import_checkpoint(session: Session, file_sha256: str, *, for_update: bool = False) -> Row | None:
    query = select(import_checkpoints).where(import_checkpoints.c.file_sha256 == file_sha256)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).first()


def save_import_checkpoint(session: Session, file_sha256: str, **values) -> None:
    result = session.execute(update(import_checkpoints)
                             .where(import_checkpoints.c.file_sha256 == file_sha256).values(**values))
    if not result.rowcount:
        session.execute(insert(import_checkpoints).values(file_sha256=file_sha256, **values))


def account_awaiting_password(session: Session, phone: str) -> Row | None:
    """The volunteer account of this phone that has no password yet (imported), locked."""
    return session.execute(
        select(accounts.c.id, volunteers.c.id_number_hash).join(volunteers, volunteers.c.id == accounts.c.id)
        .where(accounts.c.phone == phone, accounts.c.password_set.is_(False)).with_for_update()).first()


def set_first_password(session: Session, account_id: str, password_hash: str) -> bool:
    result = session.execute(update(accounts)
                             .where(accounts.c.id == account_id, accounts.c.password_set.is_(False))
                             .values(password_hash=password_hash, password_set=True))
    return bool(result.rowcount)


# --- certificate print ----------------------------------------------------------------------

def records_at(session: Session, volunteer_id: str, moment: datetime) -> list[Row]:
    """The volunteer's hours records as they counted at ``moment``: credited by then, not yet revoked."""
    return session.execute(
        select(hours_credits).where(
            hours_credits.c.volunteer_id == volunteer_id, hours_credits.c.credited_at.is_not(None),
            hours_credits.c.credited_at <= moment,
            or_(hours_credits.c.revoked_at.is_(None), hours_credits.c.revoked_at > moment))
        .order_by(hours_credits.c.served_on, hours_credits.c.record_id)).all()


def organization_names(session: Session, organization_ids: set[str]) -> dict[str, str]:
    if not organization_ids:
        return {}
    return dict(session.execute(select(organizations.c.id, organizations.c.name)
                                .where(organizations.c.id.in_(sorted(organization_ids)))).all())


def volunteer_names(session: Session, volunteer_ids: set[str]) -> dict[str, str]:
    if not volunteer_ids:
        return {}
    return dict(session.execute(select(volunteers.c.id, volunteers.c.name)
                                .where(volunteers.c.id.in_(sorted(volunteer_ids)))).all())
