"""Queries of the activities database. Functions take the caller's session (its unit of work)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..domain.activity import PENDING_REVIEW, PUBLISHED
from .models import (activities, hours_records, hours_totals, organization_admins_view,
                     organizations_view, signups, volunteers_view)

CONFIRMED = "confirmed"


def _insert_for(session: Session, table):
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite both do)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upserts are written for postgresql and sqlite, not {dialect}")


# --- read model ---

def upsert_volunteer(session: Session, values: dict) -> None:
    """Insert or refresh a volunteer, unless the row already reflects a newer event."""
    stmt = _insert_for(session, volunteers_view).values(**values)
    changed = {k: stmt.excluded[k] for k in values if k != "volunteer_id"}
    session.execute(stmt.on_conflict_do_update(
        index_elements=[volunteers_view.c.volunteer_id], set_=changed,
        where=volunteers_view.c.source_version <= stmt.excluded.source_version))


def upsert_organization(session: Session, values: dict) -> None:
    stmt = _insert_for(session, organizations_view).values(**values)
    changed = {k: stmt.excluded[k] for k in values if k != "organization_id"}
    session.execute(stmt.on_conflict_do_update(
        index_elements=[organizations_view.c.organization_id], set_=changed))


def add_organization_admin(session: Session, organization_id: str, volunteer_id: str) -> None:
    stmt = _insert_for(session, organization_admins_view).values(
        organization_id=organization_id, volunteer_id=volunteer_id)
    session.execute(stmt.on_conflict_do_nothing())


def volunteer(session: Session, volunteer_id: str):
    return session.execute(select(volunteers_view).where(
        volunteers_view.c.volunteer_id == volunteer_id)).first()


def approved_organization(session: Session, organization_id: str):
    return session.execute(select(organizations_view).where(
        organizations_view.c.organization_id == organization_id,
        organizations_view.c.status == "approved")).first()


def is_organization_admin(session: Session, organization_id: str, person_id: str) -> bool:
    return session.execute(select(organization_admins_view.c.volunteer_id).where(
        organization_admins_view.c.organization_id == organization_id,
        organization_admins_view.c.volunteer_id == person_id)).first() is not None


# --- activities ---

def insert_activity(session: Session, values: dict) -> None:
    session.execute(insert(activities).values(**values))


def activity(session: Session, activity_id: str):
    return session.execute(select(activities).where(activities.c.id == activity_id)).first()


def publish_if_pending(session: Session, activity_id: str, reviewer: str, now: datetime) -> bool:
    """Move pending_review → published in one conditional statement (two reviewers cannot both win)."""
    result = session.execute(update(activities).where(
        activities.c.id == activity_id, activities.c.status == PENDING_REVIEW,
    ).values(status=PUBLISHED, reviewed_at=now, reviewed_by=reviewer))
    return result.rowcount == 1


def list_activities(session: Session, *, statuses: list[str], organization_id: str | None,
                    category: str | None, after: tuple[datetime, str] | None, limit: int) -> list:
    """Activities ordered by (starts_at, id), the page after the keyset ``after``."""
    query = select(activities).where(activities.c.status.in_(statuses))
    if organization_id:
        query = query.where(activities.c.organization_id == organization_id)
    if category:
        query = query.where(activities.c.category == category)
    if after:
        starts_at, last_id = after
        query = query.where(or_(activities.c.starts_at > starts_at,
                                and_(activities.c.starts_at == starts_at, activities.c.id > last_id)))
    return session.execute(query.order_by(activities.c.starts_at, activities.c.id).limit(limit)).all()


# --- sign-ups ---

def take_place(session: Session, activity_id: str, now: datetime) -> bool:
    """Claim one place in a single conditional UPDATE: the database decides, never a prior read."""
    result = session.execute(update(activities).where(
        activities.c.id == activity_id,
        activities.c.status == PUBLISHED,
        activities.c.signed_up < activities.c.capacity,
        activities.c.ends_at > now,
    ).values(signed_up=activities.c.signed_up + 1))
    return result.rowcount == 1


def insert_signup(session: Session, values: dict) -> None:
    session.execute(insert(signups).values(**values))


def has_signed_up(session: Session, activity_id: str, volunteer_id: str) -> bool:
    return session.execute(select(signups.c.id).where(
        signups.c.activity_id == activity_id, signups.c.volunteer_id == volunteer_id)).first() is not None


def confirmed_signups_among(session: Session, activity_id: str, volunteer_ids: list[str]) -> set[str]:
    return set(session.execute(select(signups.c.volunteer_id).where(
        signups.c.activity_id == activity_id, signups.c.status == CONFIRMED,
        signups.c.volunteer_id.in_(volunteer_ids))).scalars())


# --- hours ---

def hours_already_confirmed_among(session: Session, activity_id: str, volunteer_ids: list[str]) -> set[str]:
    return set(session.execute(select(hours_records.c.volunteer_id).where(
        hours_records.c.activity_id == activity_id,
        hours_records.c.volunteer_id.in_(volunteer_ids))).scalars())


def insert_hours_records(session: Session, rows: list[dict]) -> None:
    session.execute(insert(hours_records), rows)


def add_to_total(session: Session, *, period_kind: str, period_start: date, scope: str,
                 subject_id: str, hundredths: int) -> None:
    stmt = _insert_for(session, hours_totals).values(
        period_kind=period_kind, period_start=period_start, scope=scope, subject_id=subject_id,
        hours=hundredths)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[hours_totals.c.period_kind, hours_totals.c.period_start, hours_totals.c.scope,
                        hours_totals.c.subject_id],
        set_={"hours": hours_totals.c.hours + stmt.excluded.hours}))


def top_volunteers(session: Session, *, period_kind: str, period_start: date, limit: int) -> list:
    """(subject_id, hours, display_name) of the period's leaders, highest first."""
    query = (select(hours_totals.c.subject_id, hours_totals.c.hours, volunteers_view.c.display_name)
             .select_from(hours_totals.outerjoin(
                 volunteers_view, volunteers_view.c.volunteer_id == hours_totals.c.subject_id))
             .where(hours_totals.c.period_kind == period_kind,
                    hours_totals.c.period_start == period_start,
                    hours_totals.c.scope == "volunteer")
             .order_by(hours_totals.c.hours.desc(), hours_totals.c.subject_id)
             .limit(limit))
    return session.execute(query).all()
