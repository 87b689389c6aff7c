"""Use cases: the leaders of the current week, month or year, and the caller's own rank (both read
from the pre-aggregated totals kept in the hours transaction)."""
from __future__ import annotations

from shanxing_common.internal_auth import Caller
from shanxing_common.web import ServiceContext

from ..adapters import repository
from ..domain.errors import ValidationFailed
from ..domain.periods import REGION, REGION_LEVELS, VOLUNTEER, child_level, competition_ranks, period_start
from .clock import local_zone, now

# The field naming the subject of each scope in the items.
SUBJECT_FIELDS = {"volunteer": "volunteer_id", "team": "team_id", "organization": "organization_id",
                  "region": "region_code"}


def _current_start(ctx: ServiceContext, period: str):
    return period_start(period, now(ctx).astimezone(local_zone(ctx)).date())


def leaderboard(ctx: ServiceContext, *, period: str, scope: str, limit: int,
                region_code: str | None = None) -> dict:
    """scope=region ranks the regions directly below ``region_code`` (provinces without it)."""
    region_length = None
    if region_code is not None:
        if scope != REGION:
            raise ValidationFailed.field("region_code", "applies to scope=region only")
        if not (region_code.isdigit() and len(region_code) in REGION_LEVELS):
            raise ValidationFailed.field("region_code", "must be a 2, 4, 6, 9 or 12 digit region code")
    if scope == REGION:
        region_length = child_level(region_code)
        if region_length is None:
            raise ValidationFailed.field("region_code", "a community (12 digits) has no regions below it")
    start = _current_start(ctx, period)
    with ctx.db.read() as s:
        rows = repository.top_subjects(s, period_kind=period, period_start=start, scope=scope, limit=limit,
                                       region_prefix=region_code, region_length=region_length)
    ranks = competition_ranks([row.hours for row in rows])
    subject_field = SUBJECT_FIELDS[scope]
    items = [{"rank": rank, subject_field: row.subject_id, "name": row.name, "hundredths": row.hours}
             for rank, row in zip(ranks, rows)]
    reply = {"items": items, "period": period, "period_start": start, "scope": scope}
    if scope == REGION:
        reply["region_code"] = region_code
    return reply


def my_rank(ctx: ServiceContext, caller: Caller, *, period: str) -> dict:
    """rank = 1 + the volunteers with more hours this period (null without hours); total_ranked =
    the volunteers with any hours. Both are sums over the distribution of totals."""
    start = _current_start(ctx, period)
    with ctx.db.read() as s:
        mine = repository.total_of(s, period_kind=period, period_start=start, scope=VOLUNTEER,
                                   subject_id=caller.subject)
        above, ranked = repository.subjects_above(s, period_kind=period, period_start=start, scope=VOLUNTEER,
                                                  hundredths=max(mine, 0))
    return {"period": period, "period_start": start, "rank": above + 1 if mine > 0 else None,
            "hundredths": max(mine, 0), "total_ranked": ranked}
