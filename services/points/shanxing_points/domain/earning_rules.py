"""Versioned earning rules: what confirmed hours, star upgrades and commendations are worth.

Policy (README "Earning rules"):
- A record earns ``hours × rate`` rounded half up, where the rate is the record's category rate if
  the rules name its category, else ``points_per_hour``.
- With a daily cap, a volunteer earns at most the cap from the records served on one date; a record
  earns what is left of the cap and the rest is recorded as capped (0 points).
- A star upgrade earns the bonus of the level reached (upward moves only); a commendation earns the
  bonus of its level. A missing or zero bonus moves nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .errors import InvalidInput
from .rules import points_for_hours

MAX_RATE = 100_000
MAX_BONUS = 1_000_000
MAX_CAP = 10_000_000
MAX_MAP_ENTRIES = 100
_KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_STAR_LEVEL_RE = re.compile(r"^[1-9][0-9]?$")

# Reasons a confirmed record earned less than its rate gives.
NOT_EARNED_DAILY_CAP = "daily_cap"
NOT_EARNED_UNVERIFIED = "unverified"


@dataclass(frozen=True)
class EarningRules:
    version: int
    points_per_hour: int
    category_rates: dict[str, int] = field(default_factory=dict)
    daily_cap_per_volunteer: int | None = None
    star_upgrade_bonus: dict[str, int] = field(default_factory=dict)
    commendation_bonus: dict[str, int] = field(default_factory=dict)
    effective_from: datetime | None = None  # None: the built-in version 0, in force from the start

    def rate_for(self, category: str | None) -> int:
        if category is not None and category in self.category_rates:
            return self.category_rates[category]
        return self.points_per_hour

    def star_bonus(self, old_level: int, new_level: int) -> int:
        """The bonus for reaching ``new_level``; nothing for a move down or sideways."""
        if new_level <= old_level:
            return 0
        return self.star_upgrade_bonus.get(str(new_level), 0)

    def commendation_bonus_for(self, level: str | None) -> int:
        return self.commendation_bonus.get(str(level), 0) if level is not None else 0


def default_rules(points_per_hour: int) -> EarningRules:
    """Version 0: what holds until ops publishes a version (the deployment's rate, no cap, no bonus)."""
    return EarningRules(version=0, points_per_hour=points_per_hour)


@dataclass(frozen=True)
class HoursCredit:
    points: int  # what the record earns now
    not_earned: int  # what the rate gave but the cap or the verification rule withheld
    reason: str | None  # NOT_EARNED_* when not_earned > 0 (or the record was unverified)


def credit_for_hours(rules: EarningRules, hours: Decimal, category: str | None, *,
                     already_earned_that_day: int, verified: bool, verified_only: bool) -> HoursCredit:
    """What one confirmed record earns under ``rules``."""
    full = points_for_hours(hours, rules.rate_for(category))
    if verified_only and not verified:
        return HoursCredit(points=0, not_earned=full, reason=NOT_EARNED_UNVERIFIED)
    cap = rules.daily_cap_per_volunteer
    if cap is None:
        return HoursCredit(points=full, not_earned=0, reason=None)
    left = max(cap - max(already_earned_that_day, 0), 0)
    points = min(full, left)
    return HoursCredit(points=points, not_earned=full - points,
                       reason=NOT_EARNED_DAILY_CAP if points < full else None)


# --- validation of a version ops publishes -----------------------------------------------------

def _check_int(field_name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"must be a whole number from {low} to {high}", field=field_name)
    return value


def _check_map(field_name: str, raw, key_re: re.Pattern, key_hint: str, high: int) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise InvalidInput("must be an object of {key: points}", field=field_name)
    if len(raw) > MAX_MAP_ENTRIES:
        raise InvalidInput(f"at most {MAX_MAP_ENTRIES} entries", field=field_name)
    checked = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not key_re.match(key):
            raise InvalidInput(f"key {key!r}: {key_hint}", field=field_name)
        checked[key] = _check_int(f"{field_name}.{key}", value, 0, high)
    return checked


def validated_rules(version: int, *, points_per_hour, category_rates, daily_cap_per_volunteer,
                    star_upgrade_bonus, commendation_bonus, effective_from: datetime) -> EarningRules:
    """A new version from ops' input; InvalidInput names the field at fault."""
    if effective_from.tzinfo is None:
        raise InvalidInput("must carry a time zone", field="effective_from")
    cap = daily_cap_per_volunteer
    if cap is not None:
        cap = _check_int("daily_cap_per_volunteer", cap, 1, MAX_CAP)
    return EarningRules(
        version=version,
        points_per_hour=_check_int("points_per_hour", points_per_hour, 0, MAX_RATE),
        category_rates=_check_map("category_rates", category_rates, _KEY_RE,
                                  "1-40 letters, digits, '_', '.', '-'", MAX_RATE),
        daily_cap_per_volunteer=cap,
        star_upgrade_bonus=_check_map("star_upgrade_bonus", star_upgrade_bonus, _STAR_LEVEL_RE,
                                      "a star level from 1 to 99", MAX_BONUS),
        commendation_bonus=_check_map("commendation_bonus", commendation_bonus, _KEY_RE,
                                      "1-40 letters, digits, '_', '.', '-'", MAX_BONUS),
        effective_from=effective_from,
    )
