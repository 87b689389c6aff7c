"""Calendar periods of the leaderboards (weeks start on Monday)."""
from __future__ import annotations

from datetime import date, timedelta

WEEK, MONTH, YEAR = "week", "month", "year"
PERIOD_KINDS = (WEEK, MONTH, YEAR)
SCOPES = ("volunteer",)


def period_start(kind: str, day: date) -> date:
    """First day of the period of this kind that contains ``day``."""
    if kind == WEEK:
        return day - timedelta(days=day.weekday())
    if kind == MONTH:
        return day.replace(day=1)
    if kind == YEAR:
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown period kind {kind!r}")


def period_starts(day: date) -> dict[str, date]:
    return {kind: period_start(kind, day) for kind in PERIOD_KINDS}


def competition_ranks(totals: list[int]) -> list[int]:
    """Standard competition ranking ("1224") of totals already sorted from highest to lowest."""
    ranks: list[int] = []
    for index, value in enumerate(totals):
        ranks.append(ranks[-1] if index and totals[index - 1] == value else index + 1)
    return ranks
