"""Queries of the project library."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .models import hours_records, project_activities, projects


def insert_project(session: Session, values: dict) -> None:
    session.execute(insert(projects).values(**values))


def project(session: Session, project_id: str):
    return session.execute(select(projects).where(projects.c.id == project_id)).first()


def move(session: Session, project_id: str, sources: tuple[str, ...], target: str, changes: dict) -> bool:
    result = session.execute(update(projects).where(projects.c.id == project_id, projects.c.status.in_(sources))
                             .values(status=target, **changes))
    return result.rowcount == 1


def link_activity(session: Session, project_id: str, activity_id: str) -> None:
    session.execute(insert(project_activities).values(project_id=project_id, activity_id=activity_id))


def activity_summary(session: Session, project_id: str) -> tuple[int, int]:
    """(activities in the project, unrevoked confirmed hours of them in hundredths)."""
    count = session.execute(select(func.count()).select_from(project_activities)
                            .where(project_activities.c.project_id == project_id)).scalar_one()
    hours = session.execute(select(func.coalesce(func.sum(hours_records.c.hours), 0))
                            .select_from(hours_records.join(project_activities,
                                                            project_activities.c.activity_id == hours_records.c.activity_id))
                            .where(project_activities.c.project_id == project_id,
                                   hours_records.c.revoked_at.is_(None))).scalar_one()
    return int(count), int(hours)


def list_projects(session: Session, *, statuses: list[str], level: str | None, region_code: str | None,
                  region_prefixes: list[str] | None, after: tuple[datetime, str] | None, limit: int):
    query = select(projects).where(projects.c.status.in_(statuses))
    if level:
        query = query.where(projects.c.level == level)
    if region_code:
        query = query.where(projects.c.region_code.startswith(region_code, autoescape=True))
    if region_prefixes is not None:
        query = query.where(or_(*[projects.c.region_code.startswith(p, autoescape=True) for p in region_prefixes]))
    if after:
        moment, last_id = after
        query = query.where(or_(projects.c.created_at > moment,
                                and_(projects.c.created_at == moment, projects.c.id > last_id)))
    return session.execute(query.order_by(projects.c.created_at, projects.c.id).limit(limit)).all()
