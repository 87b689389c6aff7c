"""Rules of settlement periods: calendar dates in SHANXING_TIMEZONE, inclusive at both ends."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import InvalidInput

MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive


def query_period(first: date | None, last: date | None, today: date) -> Period:
    """from/to of a report: default the current month up to today; at most a year."""
    first = first or today.replace(day=1)
    last = last or today
    return _checked(first, last, "from", "to")


def closing_period(first: date, last: date, today: date) -> Period:
    """A statement closes days that are over: its last day is before today."""
    period = _checked(first, last, "period_start", "period_end")
    if period.last >= today:
        raise InvalidInput(f"must be before today ({today.isoformat()}): a statement closes days that are over",
                           field="period_end")
    return period


def _checked(first: date, last: date, first_field: str, last_field: str) -> Period:
    if last < first:
        raise InvalidInput(f"must not be before {first_field}", field=last_field)
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"a period spans at most {MAX_PERIOD_DAYS} days", field=last_field)
    return Period(first, last)


def overlaps(a: Period, b: Period) -> bool:
    return a.first <= b.last and b.first <= a.last
