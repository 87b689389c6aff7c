"""Queries of the activities database. Functions take the caller's session (its unit of work)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import String, and_, case, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..domain.activity import CANCELLABLE_STATUSES, CANCELLED, COMPLETED, PENDING_REVIEW, PUBLISHED, REJECTED
from ..domain.signup import ACTIVE_STATUSES, WAITLISTED
from .models import (activities, hours_distribution, hours_records, hours_totals, organization_admins_view,
                     organizations_view, signups, statistics_members, statistics_totals, volunteers_view)

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
    # A transfer newer than this event has the last word on the region.
    changed["region_code"] = case(
        (or_(volunteers_view.c.region_changed_at.is_(None),
             volunteers_view.c.region_changed_at <= stmt.excluded.source_version), stmt.excluded.region_code),
        else_=volunteers_view.c.region_code)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[volunteers_view.c.volunteer_id], set_=changed,
        where=volunteers_view.c.source_version <= stmt.excluded.source_version))


def transfer_volunteer(session: Session, volunteer_id: str, region_code: str | None,
                       transferred_at: datetime, placeholder_version: datetime) -> None:
    """Move a volunteer to another region, unless a newer transfer already did. A transfer that
    arrives before the registration leaves a placeholder row the registration then fills in."""
    stmt = _insert_for(session, volunteers_view).values(
        volunteer_id=volunteer_id, display_name="", region_code=region_code, skills=[], preferences=[],
        source_version=placeholder_version, region_changed_at=transferred_at)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[volunteers_view.c.volunteer_id],
        set_={"region_code": stmt.excluded.region_code, "region_changed_at": stmt.excluded.region_changed_at},
        where=or_(volunteers_view.c.region_changed_at.is_(None),
                  volunteers_view.c.region_changed_at <= stmt.excluded.region_changed_at)))


def upsert_organization(session: Session, values: dict) -> None:
    stmt = _insert_for(session, organizations_view).values(**values)
    changed = {k: stmt.excluded[k] for k in values if k != "organization_id"}
    session.execute(stmt.on_conflict_do_update(
        index_elements=[organizations_view.c.organization_id], set_=changed))


def add_organization_admin(session: Session, organization_id: str, volunteer_id: str) -> None:
    stmt = _insert_for(session, organization_admins_view).values(
        organization_id=organization_id, volunteer_id=volunteer_id)
    session.execute(stmt.on_conflict_do_nothing())


def volunteer(session: Session, volunteer_id: str, *, lock: bool = False):
    """``lock``: hold the volunteer's row to the end of the transaction, so that one volunteer's
    concurrent sign-ups queue (double-booking is checked under this lock; SQLite locks anyway)."""
    query = select(volunteers_view).where(volunteers_view.c.volunteer_id == volunteer_id)
    return session.execute(query.with_for_update() if lock else query).first()


def administered_organizations(session: Session, person_id: str) -> list:
    """(organization_id, kind, region_code) of the approved organizations this person administers."""
    return session.execute(
        select(organizations_view.c.organization_id, organizations_view.c.kind, organizations_view.c.region_code)
        .select_from(organization_admins_view.join(
            organizations_view, organizations_view.c.organization_id == organization_admins_view.c.organization_id))
        .where(organization_admins_view.c.volunteer_id == person_id,
               organizations_view.c.status == "approved")).all()


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


def activity(session: Session, activity_id: str, *, lock: bool = False):
    """``lock``: hold the row to the end of the transaction (writers take volunteer, then
    activity, then sign-up rows, in that order, so they cannot deadlock)."""
    query = select(activities).where(activities.c.id == activity_id)
    return session.execute(query.with_for_update() if lock else query).first()


def publish_if_pending(session: Session, activity_id: str, reviewer: str, now: datetime,
                       level: int | None = None) -> bool:
    """Move pending_review → published in one conditional statement (two reviewers cannot both win).
    ``level``: only if the review is still at the escalation level the reviewer was checked for."""
    return _review(session, activity_id, level, status=PUBLISHED, reviewed_at=now, reviewed_by=reviewer)


def reject_if_pending(session: Session, activity_id: str, reviewer: str, now: datetime, reason: str,
                      level: int | None = None) -> bool:
    return _review(session, activity_id, level, status=REJECTED, reviewed_at=now, reviewed_by=reviewer,
                   rejection_reason=reason)


def _review(session: Session, activity_id: str, level: int | None, **values) -> bool:
    query = update(activities).where(activities.c.id == activity_id, activities.c.status == PENDING_REVIEW)
    if level is not None:
        query = query.where(activities.c.escalation_level == level)
    return session.execute(query.values(**values)).rowcount == 1


def pending_reviews(session: Session, *, scopes: list[str] | None, excluded_organizations: list[str],
                    due_by: datetime | None, after: tuple[datetime, str] | None, limit: int) -> list:
    """Activities awaiting review ordered by (review_due_at, id). ``scopes`` None: all of them;
    else those whose review scope starts with one of these region codes."""
    query = select(activities).where(activities.c.status == PENDING_REVIEW)
    if scopes is not None:
        if not scopes:
            return []
        query = query.where(or_(*[activities.c.review_scope.startswith(code, autoescape=True) for code in scopes]))
    if excluded_organizations:
        query = query.where(activities.c.organization_id.notin_(excluded_organizations))
    if due_by is not None:
        query = query.where(activities.c.review_due_at <= due_by)
    if after:
        due_at, last_id = after
        query = query.where(or_(activities.c.review_due_at > due_at,
                                and_(activities.c.review_due_at == due_at, activities.c.id > last_id)))
    return session.execute(query.order_by(activities.c.review_due_at, activities.c.id).limit(limit)).all()


def overdue_escalatable(session: Session, now: datetime, limit: int) -> list:
    """Overdue reviews that still have a wider region to go to (scopes longer than a province)."""
    return session.execute(
        select(activities.c.id, activities.c.escalation_level, activities.c.review_scope)
        .where(activities.c.status == PENDING_REVIEW, activities.c.review_due_at <= now,
               func.length(activities.c.review_scope) > 2)
        .order_by(activities.c.review_due_at, activities.c.id).limit(limit)).all()


def escalate(session: Session, activity_id: str, from_level: int, scope: str, due_at: datetime) -> bool:
    """One level up, unless it was reviewed or escalated meanwhile."""
    return session.execute(update(activities).where(
        activities.c.id == activity_id, activities.c.status == PENDING_REVIEW,
        activities.c.escalation_level == from_level,
    ).values(escalation_level=from_level + 1, review_scope=scope, review_due_at=due_at)).rowcount == 1


def cancel_if_open(session: Session, activity_id: str, by: str, now: datetime, reason: str) -> bool:
    """Cancel a pending or published activity that has not ended; its places are all released."""
    return session.execute(update(activities).where(
        activities.c.id == activity_id, activities.c.status.in_(CANCELLABLE_STATUSES), activities.c.ends_at > now,
    ).values(status=CANCELLED, cancelled_at=now, cancelled_by=by, cancel_reason=reason,
             signed_up=0)).rowcount == 1


def complete_if_started(session: Session, activity_id: str, now: datetime) -> bool:
    return session.execute(update(activities).where(
        activities.c.id == activity_id, activities.c.status == PUBLISHED, activities.c.starts_at <= now,
    ).values(status=COMPLETED, completed_at=now)).rowcount == 1


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


def signup_of(session: Session, activity_id: str, volunteer_id: str):
    return session.execute(select(signups).where(
        signups.c.activity_id == activity_id, signups.c.volunteer_id == volunteer_id)).first()


def rejoin(session: Session, signup_id: str, *, status: str, now: datetime, added_by: str | None) -> bool:
    """Reuse a cancelled sign-up row (unique per activity and volunteer) for a new sign-up."""
    return session.execute(update(signups).where(
        signups.c.id == signup_id, signups.c.status == "cancelled",
    ).values(status=status, created_at=now, cancelled_at=None, added_by=added_by)).rowcount == 1


def clashing_signup(session: Session, volunteer_id: str, activity_id: str, starts_at: datetime,
                    ends_at: datetime):
    """Another activity whose time overlaps and which this volunteer holds a place (or a waitlist
    spot) for: (id, title, starts_at, ends_at), or None."""
    return session.execute(
        select(activities.c.id, activities.c.title, activities.c.starts_at, activities.c.ends_at)
        .select_from(signups.join(activities, activities.c.id == signups.c.activity_id))
        .where(signups.c.volunteer_id == volunteer_id, signups.c.status.in_(ACTIVE_STATUSES),
               activities.c.id != activity_id, activities.c.status != CANCELLED,
               activities.c.starts_at < ends_at, activities.c.ends_at > starts_at)
        .order_by(activities.c.starts_at).limit(1)).first()


def withdraw(session: Session, signup_id: str, from_status: str, now: datetime) -> bool:
    return session.execute(update(signups).where(
        signups.c.id == signup_id, signups.c.status == from_status,
    ).values(status="cancelled", cancelled_at=now)).rowcount == 1


def release_place(session: Session, activity_id: str) -> None:
    session.execute(update(activities).where(activities.c.id == activity_id, activities.c.signed_up > 0)
                    .values(signed_up=activities.c.signed_up - 1))


def waitlist(session: Session, activity_id: str, limit: int) -> list:
    """The earliest waitlisted sign-ups of an activity, first come first served."""
    return session.execute(select(signups).where(
        signups.c.activity_id == activity_id, signups.c.status == WAITLISTED,
    ).order_by(signups.c.created_at, signups.c.id).limit(limit)).all()


def promote(session: Session, signup_id: str) -> bool:
    return session.execute(update(signups).where(
        signups.c.id == signup_id, signups.c.status == WAITLISTED).values(status=CONFIRMED)).rowcount == 1


def active_signup_volunteers(session: Session, activity_id: str) -> list[str]:
    return list(session.execute(select(signups.c.volunteer_id).where(
        signups.c.activity_id == activity_id, signups.c.status.in_(ACTIVE_STATUSES),
    ).order_by(signups.c.created_at, signups.c.id)).scalars())


def cancel_signups_of(session: Session, activity_id: str, now: datetime) -> None:
    session.execute(update(signups).where(
        signups.c.activity_id == activity_id, signups.c.status.in_(ACTIVE_STATUSES),
    ).values(status="cancelled", cancelled_at=now))


def has_signed_up(session: Session, activity_id: str, volunteer_id: str) -> bool:
    return session.execute(select(signups.c.id).where(
        signups.c.activity_id == activity_id, signups.c.volunteer_id == volunteer_id,
        signups.c.status.in_(ACTIVE_STATUSES))).first() is not None


def confirmed_signups_among(session: Session, activity_id: str, volunteer_ids: list[str]) -> set[str]:
    return set(session.execute(select(signups.c.volunteer_id).where(
        signups.c.activity_id == activity_id, signups.c.status == CONFIRMED,
        signups.c.volunteer_id.in_(volunteer_ids))).scalars())


def set_checkin_secret_if_missing(session: Session, activity_id: str, secret: str) -> None:
    session.execute(update(activities).where(activities.c.id == activity_id, activities.c.checkin_secret.is_(None))
                    .values(checkin_secret=secret))


def check_in(session: Session, signup_id: str, now: datetime) -> bool:
    return session.execute(update(signups).where(
        signups.c.id == signup_id, signups.c.status == CONFIRMED, signups.c.checked_in_at.is_(None),
    ).values(checked_in_at=now)).rowcount == 1


def check_out(session: Session, signup_id: str, now: datetime) -> bool:
    return session.execute(update(signups).where(
        signups.c.id == signup_id, signups.c.status == CONFIRMED, signups.c.checked_in_at.isnot(None),
        signups.c.checked_out_at.is_(None),
    ).values(checked_out_at=now)).rowcount == 1


def signups_of(session: Session, activity_id: str, after: tuple[datetime, str] | None, limit: int) -> list:
    """An activity's sign-ups with the volunteers' masked names, ordered by (created_at, id)."""
    query = (select(signups, volunteers_view.c.display_name)
             .select_from(signups.outerjoin(volunteers_view, volunteers_view.c.volunteer_id == signups.c.volunteer_id))
             .where(signups.c.activity_id == activity_id))
    if after:
        created_at, last_id = after
        query = query.where(or_(signups.c.created_at > created_at,
                                and_(signups.c.created_at == created_at, signups.c.id > last_id)))
    return session.execute(query.order_by(signups.c.created_at, signups.c.id).limit(limit)).all()


def checked_in_and_out_among(session: Session, activity_id: str, volunteer_ids: list[str]) -> set[str]:
    """Volunteers whose presence the check-in and check-out codes attest (their hours are verified)."""
    return set(session.execute(select(signups.c.volunteer_id).where(
        signups.c.activity_id == activity_id, signups.c.volunteer_id.in_(volunteer_ids),
        signups.c.checked_in_at.isnot(None), signups.c.checked_out_at.isnot(None))).scalars())


# --- hours ---

def hours_already_confirmed_among(session: Session, activity_id: str, volunteer_ids: list[str]) -> set[str]:
    return set(session.execute(select(hours_records.c.volunteer_id).where(
        hours_records.c.activity_id == activity_id, hours_records.c.revoked_at.is_(None),
        hours_records.c.volunteer_id.in_(volunteer_ids))).scalars())


def hours_record(session: Session, activity_id: str, record_id: str):
    return session.execute(select(hours_records).where(
        hours_records.c.id == record_id, hours_records.c.activity_id == activity_id)).first()


def revoke_if_active(session: Session, record_id: str, by: str, now: datetime, reason: str) -> bool:
    """Mark the record revoked in one conditional statement (two revocations cannot both win)."""
    return session.execute(update(hours_records).where(
        hours_records.c.id == record_id, hours_records.c.revoked_at.is_(None),
    ).values(revoked_at=now, revoked_by=by, revoke_reason=reason)).rowcount == 1


def insert_hours_records(session: Session, rows: list[dict]) -> None:
    session.execute(insert(hours_records), rows)


def add_to_totals(session: Session, changes: dict[tuple[str, date, str, str], int]) -> None:
    """Add (or, negative, take) hundredths to totals keyed (period_kind, period_start, scope,
    subject_id), and move the volunteers between the totals of hours_distribution. Rows are
    changed in key order, as by every writer: concurrent batches queue instead of deadlocking."""
    moves: dict[tuple, int] = defaultdict(int)
    for key in sorted(changes):
        period_kind, period_start, scope, subject_id = key
        hundredths = changes[key]
        new_total = _add_to_total(session, period_kind=period_kind, period_start=period_start, scope=scope,
                                  subject_id=subject_id, hundredths=hundredths)
        if scope == "volunteer":
            old_total = new_total - hundredths
            if old_total > 0:
                moves[(period_kind, period_start, scope, old_total)] -= 1
            if new_total > 0:
                moves[(period_kind, period_start, scope, new_total)] += 1
    for (period_kind, period_start, scope, total), change in sorted(moves.items()):
        if change:
            _count_at(session, dict(period_kind=period_kind, period_start=period_start, scope=scope), total,
                      change)


def _add_to_total(session: Session, *, period_kind: str, period_start: date, scope: str,
                  subject_id: str, hundredths: int) -> int:
    stmt = _insert_for(session, hours_totals).values(
        period_kind=period_kind, period_start=period_start, scope=scope, subject_id=subject_id,
        hours=hundredths)
    new_total = session.execute(stmt.on_conflict_do_update(
        index_elements=[hours_totals.c.period_kind, hours_totals.c.period_start, hours_totals.c.scope,
                        hours_totals.c.subject_id],
        set_={"hours": hours_totals.c.hours + stmt.excluded.hours}).returning(hours_totals.c.hours)).scalar_one()
    return new_total


def _count_at(session: Session, period: dict, total: int, change: int) -> None:
    stmt = _insert_for(session, hours_distribution).values(**period, hours=total, subjects=change)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[hours_distribution.c.period_kind, hours_distribution.c.period_start,
                        hours_distribution.c.scope, hours_distribution.c.hours],
        set_={"subjects": hours_distribution.c.subjects + stmt.excluded.subjects}))


def total_of(session: Session, *, period_kind: str, period_start: date, scope: str, subject_id: str) -> int:
    return session.execute(select(hours_totals.c.hours).where(
        hours_totals.c.period_kind == period_kind, hours_totals.c.period_start == period_start,
        hours_totals.c.scope == scope, hours_totals.c.subject_id == subject_id)).scalar() or 0


def subjects_above(session: Session, *, period_kind: str, period_start: date, scope: str,
                   hundredths: int) -> tuple[int, int]:
    """(subjects with a higher total, subjects with any positive total) from the distribution."""
    d = hours_distribution
    above, ranked = session.execute(select(
        func.coalesce(func.sum(case((d.c.hours > hundredths, d.c.subjects), else_=0)), 0),
        func.coalesce(func.sum(d.c.subjects), 0),
    ).where(d.c.period_kind == period_kind, d.c.period_start == period_start, d.c.scope == scope,
            d.c.hours > 0)).one()
    return int(above), int(ranked)


def top_subjects(session: Session, *, period_kind: str, period_start: date, scope: str, limit: int,
                 region_prefix: str | None = None, region_length: int | None = None) -> list:
    """(subject_id, hours, name) of the period's leaders of a scope, highest first. Names: the
    volunteer's masked name or the organization's name from the read model (teams have none)."""
    t = hours_totals
    conditions = [t.c.period_kind == period_kind, t.c.period_start == period_start, t.c.scope == scope,
                  t.c.hours > 0]
    if scope == "volunteer":
        name, source = volunteers_view.c.display_name, t.outerjoin(
            volunteers_view, volunteers_view.c.volunteer_id == t.c.subject_id)
    elif scope == "organization":
        name, source = organizations_view.c.name, t.outerjoin(
            organizations_view, organizations_view.c.organization_id == t.c.subject_id)
    else:
        name, source = literal(None, String).label("name"), t
    if scope == "region":
        if region_prefix:
            conditions.append(t.c.subject_id.startswith(region_prefix, autoescape=True))
        conditions.append(func.length(t.c.subject_id) == region_length)
    query = (select(t.c.subject_id, t.c.hours, name.label("name")).select_from(source)
             .where(*conditions).order_by(t.c.hours.desc(), t.c.subject_id).limit(limit))
    return session.execute(query).all()


def top_volunteers(session: Session, *, period_kind: str, period_start: date, limit: int) -> list:
    """(subject_id, hours, display_name) of the period's leaders, highest first."""
    query = (select(hours_totals.c.subject_id, hours_totals.c.hours, volunteers_view.c.display_name)
             .select_from(hours_totals.outerjoin(
                 volunteers_view, volunteers_view.c.volunteer_id == hours_totals.c.subject_id))
             .where(hours_totals.c.period_kind == period_kind,
                    hours_totals.c.period_start == period_start,
                    hours_totals.c.scope == "volunteer", hours_totals.c.hours > 0)
             .order_by(hours_totals.c.hours.desc(), hours_totals.c.subject_id)
             .limit(limit))
    return session.execute(query).all()


# --- recommendations ---

def recommendation_candidates(session: Session, volunteer_id: str, *, now: datetime, until: datetime,
                              box: tuple[float, float, float, float] | None, region_prefix: str | None,
                              limit: int) -> list:
    """Published activities starting in (now, until] with a free place, which the volunteer has not
    joined and whose time does not overlap one of the volunteer's confirmed sign-ups; inside the
    bounding box (min_lat, max_lat, min_lon, max_lon) or the region prefix when given; earliest
    first, at most ``limit``. The (status, starts_at) index bounds the scan."""
    mine = signups.alias("mine")
    booked = activities.alias("booked")
    conditions = [
        activities.c.status == PUBLISHED, activities.c.starts_at > now, activities.c.starts_at <= until,
        activities.c.signed_up < activities.c.capacity,
        ~select(mine.c.id).where(mine.c.activity_id == activities.c.id, mine.c.volunteer_id == volunteer_id,
                                 mine.c.status.in_(ACTIVE_STATUSES)).exists(),
        ~select(mine.c.id).select_from(mine.join(booked, booked.c.id == mine.c.activity_id)).where(
            mine.c.volunteer_id == volunteer_id, mine.c.status == CONFIRMED, booked.c.status != CANCELLED,
            booked.c.starts_at < activities.c.ends_at, booked.c.ends_at > activities.c.starts_at).exists(),
    ]
    if box is not None:
        min_lat, max_lat, min_lon, max_lon = box
        conditions += [activities.c.latitude.between(min_lat, max_lat),
                       activities.c.longitude.between(min_lon, max_lon)]
    elif region_prefix:
        conditions.append(activities.c.region_code.startswith(region_prefix, autoescape=True))
    return session.execute(
        select(activities.c.id, activities.c.title, activities.c.category, activities.c.skills,
               activities.c.starts_at, activities.c.ends_at, activities.c.latitude, activities.c.longitude,
               activities.c.address, activities.c.capacity, activities.c.signed_up,
               activities.c.organization_id, activities.c.region_code)
        .where(*conditions).order_by(activities.c.starts_at, activities.c.id).limit(limit)).all()


# --- statistics ---

def _change_members(session: Session, key: dict, member_kind: str, hundredths_by_member: dict[str, int]) -> int:
    """Add hours to members of a subject's period; returns members that appeared minus those gone."""
    m = statistics_members
    stmt = _insert_for(session, m).values([
        key | {"member_kind": member_kind, "member_id": member_id, "hours": hundredths_by_member[member_id]}
        for member_id in sorted(hundredths_by_member)])
    rows = session.execute(stmt.on_conflict_do_update(
        index_elements=[m.c.period_kind, m.c.period_start, m.c.scope, m.c.subject_id, m.c.member_kind,
                        m.c.member_id],
        set_={"hours": m.c.hours + stmt.excluded.hours}).returning(m.c.member_id, m.c.hours)).all()
    change = 0
    for member_id, new in rows:
        old = new - hundredths_by_member[member_id]
        change += (old <= 0 < new) - (new <= 0 < old)
    return change


def add_to_statistics(session: Session, *, period_kind: str, period_start: date, scope: str, subject_id: str,
                      activity_id: str, hundredths_by_volunteer: dict[str, int]) -> None:
    """Hours of one activity's volunteers (negative: revoked) added to a subject's period."""
    key = {"period_kind": period_kind, "period_start": period_start, "scope": scope, "subject_id": subject_id}
    total = sum(hundredths_by_volunteer.values())
    participants = _change_members(session, key, "volunteer", hundredths_by_volunteer)
    activities_change = _change_members(session, key, "activity", {activity_id: total})
    t = statistics_totals
    stmt = _insert_for(session, t).values(**key, activities=activities_change, participants=participants,
                                          hours=total)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[t.c.period_kind, t.c.period_start, t.c.scope, t.c.subject_id],
        set_={"activities": t.c.activities + stmt.excluded.activities,
              "participants": t.c.participants + stmt.excluded.participants,
              "hours": t.c.hours + stmt.excluded.hours}))


def statistics_series(session: Session, *, period_kind: str, scope: str, subject_id: str, first: date,
                      last: date) -> list:
    t = statistics_totals
    return session.execute(
        select(t.c.period_start, t.c.activities, t.c.participants, t.c.hours)
        .where(t.c.period_kind == period_kind, t.c.scope == scope, t.c.subject_id == subject_id,
               t.c.period_start >= first, t.c.period_start <= last)
        .order_by(t.c.period_start)).all()


def volunteers_in_region(session: Session, region_code: str) -> int:
    """Volunteers of the read model living in the region (its code is a prefix of theirs)."""
    return session.execute(select(func.count()).select_from(volunteers_view).where(
        volunteers_view.c.region_code.startswith(region_code, autoescape=True))).scalar_one()
