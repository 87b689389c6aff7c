"""Use case: time series of an organization's or a region's activities, participants and hours
(read from the statistics kept in the hours transaction)."""
from __future__ import annotations

from datetime import date

from shanxing_common.internal_auth import Caller
from shanxing_common.web import ServiceContext

from ..adapters import repository
from ..domain.errors import Forbidden, ValidationFailed
from ..domain.periods import MONTH, ORGANIZATION, REGION, REGION_LEVELS
from ..domain.statistics import MAX_PERIODS, period_starts_between, ratio
from . import read_model
from .clock import local_zone, now

DEFAULT_PERIODS = {"month": 12, "year": 5}
REGIONAL = "regional"


def statistics(ctx: ServiceContext, caller: Caller, *, organization_id: str | None, region_code: str | None,
               period: str, first: date | None, last: date | None) -> dict:
    if (organization_id is None) == (region_code is None):
        raise ValidationFailed.of({"organization_id": ["give organization_id or region_code, not both"],
                                   "region_code": ["give organization_id or region_code, not both"]})
    if region_code is not None and not (region_code.isdigit() and len(region_code) in REGION_LEVELS):
        raise ValidationFailed.field("region_code", "must be a 2, 4, 6, 9 or 12 digit region code")
    if organization_id is not None:
        organization = read_model.approved_organization(ctx, organization_id)
        if organization is None:
            raise ValidationFailed.field("organization_id", "no approved organization has this id")
        scope, subject_id, region = ORGANIZATION, organization_id, organization.region_code
    else:
        scope, subject_id, region = REGION, region_code, region_code
    if not _may_see(ctx, caller, organization_id, region):
        raise Forbidden("statistics are for ops, the organization's admins and its region's centres")

    today = now(ctx).astimezone(local_zone(ctx)).date()
    last = last or today
    if first is None:
        back = DEFAULT_PERIODS[period] - 1
        month_index = last.year * 12 + last.month - 1 - back
        first = date(month_index // 12, month_index % 12 + 1, 1) if period == MONTH else date(last.year - back, 1, 1)
    if first > last:
        raise ValidationFailed.field("from", "must not be after to")
    starts = period_starts_between(period, first, last)
    if len(starts) > MAX_PERIODS:
        raise ValidationFailed.field("from", f"at most {MAX_PERIODS} periods in one series")
    with ctx.db.read() as s:
        rows = {row.period_start: row for row in repository.statistics_series(
            s, period_kind=period, scope=scope, subject_id=subject_id, first=starts[0], last=starts[-1])}
        volunteers = repository.volunteers_in_region(s, region) if region else 0
    items = []
    for start in starts:
        row = rows.get(start)
        activities, participants, hundredths = (row.activities, row.participants, row.hours) if row else (0, 0, 0)
        items.append({"period_start": start, "activities": activities, "participants": participants,
                      "hundredths": hundredths, "participation_rate": ratio(participants, volunteers),
                      "hours_per_capita": ratio(hundredths, participants * 100, "0.01")})
    return {"scope": scope, "organization_id": organization_id, "region_code": region, "period": period,
            "volunteers": volunteers, "items": items}


def _may_see(ctx: ServiceContext, caller: Caller, organization_id: str | None, region: str | None) -> bool:
    if caller.is_ops:
        return True
    if not caller.subject:
        return False
    with ctx.db.read() as s:
        administered = repository.administered_organizations(s, caller.subject)
    if organization_id is not None and any(o.organization_id == organization_id for o in administered):
        return True
    # A regional centre sees its region and every region below it.
    return bool(region) and any(o.kind == REGIONAL and o.region_code and region.startswith(o.region_code)
                                for o in administered)
