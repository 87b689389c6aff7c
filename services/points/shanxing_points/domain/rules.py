"""Earning rules and the debt policy, as plain functions of integers and decimals.

Policy (README "Rounding and debt"):
- A confirmed hours record earns ``hours × rate`` points, rounded half up to a whole point.
- A credit first settles any debt the account carries; only the rest reaches the balance.
- A revocation takes back what the record earned, as much as the balance allows; the remainder
  becomes debt (a balance is never negative).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_HOURS = Decimal("10000")


def parse_hours(raw) -> Decimal:
    """Hours as sent in events: a decimal string with at most two places, > 0."""
    if isinstance(raw, float):
        raise ValueError("hours must be a decimal string, not a float")
    try:
        hours = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ValueError(f"hours {raw!r} is not a decimal") from exc
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise ValueError(f"hours {raw!r} must be greater than 0 and at most {MAX_HOURS}")
    if hours != hours.quantize(Decimal("0.01")):
        raise ValueError(f"hours {raw!r} has more than two decimal places")
    return hours


def points_for_hours(hours: Decimal, rate: int) -> int:
    """``hours × rate`` rounded half up to a whole point (2.25 h × 10 = 22.5 → 23)."""
    if rate < 0:
        raise ValueError("the points rate must not be negative")
    return int((hours * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class CreditSplit:
    settles_debt: int  # points that pay down debt
    to_balance: int  # points the volunteer can spend


def split_credit(points: int, debt: int) -> CreditSplit:
    """A credit settles debt first."""
    if points < 0 or debt < 0:
        raise ValueError("points and debt are not negative")
    settles = min(points, debt)
    return CreditSplit(settles_debt=settles, to_balance=points - settles)


@dataclass(frozen=True)
class RevocationSplit:
    from_balance: int  # points taken back from the balance now
    becomes_debt: int  # points the balance could not cover


def split_revocation(points: int, balance: int) -> RevocationSplit:
    """A revocation takes what the balance allows; the rest becomes debt."""
    if points < 0 or balance < 0:
        raise ValueError("points and balance are not negative")
    taken = min(points, balance)
    return RevocationSplit(from_balance=taken, becomes_debt=points - taken)
