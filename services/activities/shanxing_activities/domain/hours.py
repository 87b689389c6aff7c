"""Service hours: exact decimals with at most two places, kept as integer hundredths."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

SECONDS_PER_HUNDREDTH = 36  # 3600 s / 100
MAX_RECORDS_PER_BATCH = 500


class InvalidHours(ValueError):
    pass


def parse_hours(value) -> int:
    """A JSON number or a decimal string ("2.5", "2.50") → integer hundredths of an hour."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise InvalidHours("must be a number or a decimal string")
    try:
        # str() of a float is its shortest round-tripping form, i.e. what the client wrote.
        amount = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise InvalidHours("must be a number or a decimal string") from None
    if not amount.is_finite():
        raise InvalidHours("must be a finite number")
    hundredths = amount * 100
    if hundredths != hundredths.to_integral_value():
        raise InvalidHours("at most two decimal places")
    return int(hundredths)


def format_hours(hundredths: int) -> str:
    """Hundredths → the decimal string of the event contract ("2.50")."""
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{part:02d}"


def hours_as_number(hundredths: int) -> float:
    """For JSON replies: int/100 is the double closest to the decimal, so it prints exactly."""
    return hundredths / 100


def hours_limit_error(hundredths: int, activity_length: timedelta) -> str | None:
    """Why these hours cannot be confirmed for an activity of this length (None if they can)."""
    if hundredths <= 0:
        return "must be greater than 0"
    if timedelta(seconds=hundredths * SECONDS_PER_HUNDREDTH) > activity_length:
        return f"must not exceed the activity's length ({format_hours(max_hundredths(activity_length))} h)"
    return None


def max_hundredths(activity_length: timedelta) -> int:
    return int(activity_length.total_seconds()) // SECONDS_PER_HUNDREDTH


# How a record came about, carried by the record and its event: hours backed by the volunteer's own
# check-in and check-out (and the organizer's confirmation) are verified; hours an admin entered
# without them — typed in afterwards from a paper sheet or memory — are marked as such.
SELF_CHECKIN, ADMIN_ENTRY = "self_checkin", "admin_entry"


def entry_mark(verified: bool) -> str:
    return SELF_CHECKIN if verified else ADMIN_ENTRY
