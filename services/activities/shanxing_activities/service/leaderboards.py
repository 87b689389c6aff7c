"""Use case: the leaders of the current week, month or year (read from pre-aggregated totals)."""
from __future__ import annotations

from shanxing_common.web import ServiceContext

from ..adapters import repository
from ..domain.periods import competition_ranks, period_start
from .clock import local_zone, now


def leaderboard(ctx: ServiceContext, *, period: str, scope: str, limit: int) -> dict:
    today = now(ctx).astimezone(local_zone(ctx)).date()
    start = period_start(period, today)
    with ctx.db.read() as s:
        rows = repository.top_volunteers(s, period_kind=period, period_start=start, limit=limit)
    ranks = competition_ranks([row.hours for row in rows])
    items = [{"rank": rank, "volunteer_id": row.subject_id, "name": row.display_name, "hundredths": row.hours}
             for rank, row in zip(ranks, rows)]
    return {"items": items, "period": period, "period_start": start, "scope": scope}
