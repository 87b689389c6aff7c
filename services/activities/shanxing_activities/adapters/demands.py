"""Queries of the demands table (the five-order loop)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .models import demands


def insert_demand(session: Session, values: dict) -> None:
    session.execute(insert(demands).values(**values))


def demand(session: Session, demand_id: str):
    return session.execute(select(demands).where(demands.c.id == demand_id)).first()


def demand_of_activity(session: Session, activity_id: str):
    return session.execute(select(demands).where(demands.c.activity_id == activity_id)).first()


def move(session: Session, demand_id: str, sources: tuple[str, ...], target: str, changes: dict) -> bool:
    """One conditional UPDATE: only a demand still in one of ``sources`` moves (a concurrent step loses)."""
    result = session.execute(update(demands).where(demands.c.id == demand_id, demands.c.status.in_(sources))
                             .values(status=target, **changes))
    return result.rowcount == 1


def finish_service_of_activity(session: Session, activity_id: str, moment: datetime) -> None:
    session.execute(update(demands).where(demands.c.activity_id == activity_id, demands.c.status == "in_service")
                    .values(status="served", served_at=moment))


def reopen_for_activity(session: Session, activity_id: str) -> None:
    """The activity serving a demand was rejected or cancelled: the organization owes another one."""
    session.execute(update(demands).where(demands.c.activity_id == activity_id, demands.c.status == "in_service")
                    .values(status="accepted", activity_id=None))


def list_demands(session: Session, *, resident_id: str | None, region_prefixes: list[str] | None,
                 status: str | None, region_code: str | None, after: tuple[datetime, str] | None, limit: int):
    """``region_prefixes`` None: every region; otherwise only demands within one of them."""
    query = select(demands)
    if resident_id is not None:
        query = query.where(demands.c.resident_id == resident_id)
    if region_prefixes is not None:
        query = query.where(or_(*[demands.c.region_code.startswith(p, autoescape=True) for p in region_prefixes]))
    if status:
        query = query.where(demands.c.status == status)
    if region_code:
        query = query.where(demands.c.region_code.startswith(region_code, autoescape=True))
    if after:
        moment, last_id = after
        query = query.where(or_(demands.c.created_at > moment,
                                and_(demands.c.created_at == moment, demands.c.id > last_id)))
    return session.execute(query.order_by(demands.c.created_at, demands.c.id).limit(limit)).all()


def organization_evaluation(session: Session, organization_id: str) -> tuple[int, int]:
    """(number of ratings, sum of their scores) of the demands this organization served."""
    count, total = session.execute(select(func.count(demands.c.score), func.coalesce(func.sum(demands.c.score), 0))
                                   .where(demands.c.organization_id == organization_id,
                                          demands.c.status == "rated")).one()
    return int(count), int(total)
