"""Stored versions of the earning rules, and what the cap and the bonuses need to look up."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.earning_rules import EarningRules
from .models import bonus_awards, earning_rules, hour_credits
from .sql import as_utc, insert_if_absent, utcnow


def _rules(row) -> EarningRules:
    return EarningRules(
        version=row.version, points_per_hour=row.points_per_hour,
        category_rates=json.loads(row.category_rates),
        daily_cap_per_volunteer=row.daily_cap_per_volunteer,
        star_upgrade_bonus=json.loads(row.star_upgrade_bonus),
        commendation_bonus=json.loads(row.commendation_bonus),
        effective_from=as_utc(row.effective_from),
        organization_factors={k: Decimal(v) for k, v in json.loads(row.organization_factors).items()})


def in_force(session: Session, at: datetime) -> EarningRules | None:
    """The published version in force at ``at`` (the latest effective_from not after it), if any."""
    row = session.execute(select(earning_rules).where(earning_rules.c.effective_from <= at)
                          .order_by(earning_rules.c.effective_from.desc(), earning_rules.c.version.desc())
                          .limit(1)).first()
    return _rules(row) if row else None


def latest(session: Session) -> EarningRules | None:
    row = session.execute(select(earning_rules).order_by(earning_rules.c.version.desc()).limit(1)).first()
    return _rules(row) if row else None


def all_versions(session: Session) -> list[EarningRules]:
    return [_rules(r) for r in session.execute(select(earning_rules).order_by(earning_rules.c.version.desc()))]


def insert_version(session: Session, rules: EarningRules, published_by: str | None) -> bool:
    """False when another publisher took this version number first."""
    return insert_if_absent(session, earning_rules, dict(
        version=rules.version, points_per_hour=rules.points_per_hour,
        category_rates=json.dumps(rules.category_rates, sort_keys=True),
        daily_cap_per_volunteer=rules.daily_cap_per_volunteer,
        star_upgrade_bonus=json.dumps(rules.star_upgrade_bonus, sort_keys=True),
        commendation_bonus=json.dumps(rules.commendation_bonus, sort_keys=True, ensure_ascii=False),
        organization_factors=json.dumps({k: str(v) for k, v in rules.organization_factors.items()},
                                        sort_keys=True),
        effective_from=rules.effective_from, published_by=published_by, created_at=utcnow()))


def earned_on(session: Session, volunteer_id: str, served_on: date) -> int:
    """Points the volunteer's standing records of that date earned (what the daily cap counts)."""
    return int(session.execute(
        select(func.coalesce(func.sum(hour_credits.c.points), 0))
        .where(hour_credits.c.volunteer_id == volunteer_id, hour_credits.c.served_on == served_on,
               hour_credits.c.status == "credited")).scalar_one())


def record_bonus(session: Session, *, award_id: str, volunteer_id: str, kind: str, level: str,
                 points: int, rule_version: int) -> bool:
    """True when this cause is seen for the first time."""
    return insert_if_absent(session, bonus_awards, dict(
        id=award_id, volunteer_id=volunteer_id, kind=kind, level=level, points=points,
        rule_version=rule_version, created_at=utcnow()))
