"""Hours are counted in integer hundredths; the API and events show them as decimal strings."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .identity import InvalidValue

HUNDRED = Decimal(100)
DEFAULT_STAR_THRESHOLDS_HOURS = (100, 300, 600, 1000, 1500)


def parse_hours(raw) -> int:
    """A positive number of hours with at most two places (string or number) → hundredths."""
    if isinstance(raw, bool) or raw is None:
        raise InvalidValue("hours must be a number")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise InvalidValue(f"hours {raw!r} is not a number") from exc
    if not value.is_finite() or value <= 0:
        raise InvalidValue("hours must be positive")
    hundredths = value * HUNDRED
    if hundredths != hundredths.to_integral_value():
        raise InvalidValue("hours have at most two decimal places")
    return int(hundredths)


def format_hours(hundredths: int) -> str:
    """12.5 h (1250) → "12.50"."""
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{part:02d}"


def star_level_for(hundredths: int, thresholds_hours=DEFAULT_STAR_THRESHOLDS_HOURS) -> int:
    """How many thresholds (in whole hours, ascending) the total has reached: 0..len(thresholds)."""
    return sum(1 for threshold in thresholds_hours if hundredths >= threshold * 100)


def star_change(old_level: int, hundredths: int, thresholds_hours) -> int | None:
    """The new level when the total moves across a threshold (up or down), else None."""
    level = star_level_for(hundredths, thresholds_hours)
    return level if level != old_level else None
