"""Statistics of organizations and regions per month or year (plain rules, no I/O)."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .periods import MONTH, ORGANIZATION, REGION, YEAR, region_and_ancestors

STATISTICS_PERIODS = (MONTH, YEAR)
MAX_PERIODS = 120  # ten years of months in one series


def statistics_subjects(organization_id: str, region_code: str | None) -> list[tuple[str, str]]:
    """(scope, subject) pairs whose statistics a record counts in: its organization and its region
    with every enclosing region."""
    return [(ORGANIZATION, organization_id)] + [(REGION, code) for code in region_and_ancestors(region_code)]


def period_starts_between(kind: str, first: date, last: date) -> list[date]:
    """Starts of the periods of this kind from the one containing ``first`` to the one of ``last``."""
    current = first.replace(day=1) if kind == MONTH else first.replace(month=1, day=1)
    starts = []
    while current <= last:
        starts.append(current)
        if kind == MONTH:
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        else:
            current = date(current.year + 1, 1, 1)
    return starts


def ratio(numerator: int, denominator: int, places: str = "0.0001") -> Decimal | None:
    """numerator / denominator rounded half up (None when the denominator is 0)."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)
