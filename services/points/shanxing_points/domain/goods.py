"""Rules of a merchant's goods: stock changes and the per-volunteer daily limit."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

from .errors import Conflict, InvalidInput

MAX_STOCK = 1_000_000


def stock_change(*, stock: int | None, stock_delta: int | None) -> tuple[str, int] | None:
    """("set", n) or ("add", n) from a PATCH body; both at once is ambiguous."""
    if stock is not None and stock_delta is not None:
        raise InvalidInput("give either stock or stock_delta, not both", field="stock_delta")
    if stock is not None:
        return ("set", stock)
    if stock_delta is not None:
        return ("add", stock_delta)
    return None


class DailyLimitReached(Conflict):
    def __init__(self, sku: str, limit: int, already: int):
        super().__init__(f"sku {sku} may be redeemed {limit} per volunteer per day; "
                         f"{already} already today", field="items")
        self.sku = sku


def check_daily_limit(sku: str, limit: int | None, already_today: int, requested: int) -> None:
    if limit is not None and already_today + requested > limit:
        raise DailyLimitReached(sku, limit, already_today)


def local_day_bounds(moment: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC start and end of the calendar day (in ``zone``) that contains ``moment``."""
    day = moment.astimezone(zone).date()
    return day_bounds(day, day, zone)


def day_bounds(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """UTC [start of ``first``, start of the day after ``last``) for calendar days in ``zone``."""
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
