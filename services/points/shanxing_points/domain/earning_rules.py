"""Versioned earning rules: what confirmed hours, star upgrades and commendations are worth.

Policy (README "Earning rules"):
- A record earns ``hours × rate × organizer factor`` rounded half up once, where the rate is the
  record's category rate if the rules name its category, else ``points_per_hour``, and the factor is
  the one the rules set for the record's organization (1.00 when none is set).
- With a daily cap, a volunteer earns at most the cap from the records served on one date; a record
  earns what is left of the cap and the rest is recorded as capped (0 points).
- A star upgrade earns the bonus of the level reached (upward moves only); a commendation earns the
  bonus of its level. A missing or zero bonus moves nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from .errors import InvalidInput
from .rules import points_for_hours

NO_FACTOR = Decimal("1.00")
MIN_FACTOR, MAX_FACTOR = Decimal("0.50"), Decimal("3.00")
MAX_ORGANIZATIONS = 10_000  # a province's organizations with a factor of their own

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
    organization_factors: dict[str, Decimal] = field(default_factory=dict)  # two places each

    def rate_for(self, category: str | None) -> int:
        if category is not None and category in self.category_rates:
            return self.category_rates[category]
        return self.points_per_hour

    def factor_for(self, organization_id: str | None) -> Decimal:
        if organization_id is not None and organization_id in self.organization_factors:
            return self.organization_factors[organization_id]
        return NO_FACTOR

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
    factor: Decimal = NO_FACTOR  # the organizer factor that priced it


def credit_for_hours(rules: EarningRules, hours: Decimal, category: str | None, *,
                     already_earned_that_day: int, verified: bool, verified_only: bool,
                     organization_id: str | None = None) -> HoursCredit:
    """What one confirmed record earns under ``rules``. The factor multiplies before the single
    rounding (1.25 h × 10 × 1.50 = 18.75 → 19), and the daily cap counts factored points."""
    factor = rules.factor_for(organization_id)
    full = points_for_hours(hours * factor, rules.rate_for(category))
    if verified_only and not verified:
        return HoursCredit(points=0, not_earned=full, reason=NOT_EARNED_UNVERIFIED, factor=factor)
    cap = rules.daily_cap_per_volunteer
    if cap is None:
        return HoursCredit(points=full, not_earned=0, reason=None, factor=factor)
    left = max(cap - max(already_earned_that_day, 0), 0)
    points = min(full, left)
    return HoursCredit(points=points, not_earned=full - points,
                       reason=NOT_EARNED_DAILY_CAP if points < full else None, factor=factor)


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


def parse_factor(field_name: str, raw) -> Decimal:
    """A factor as ops send it: a JSON number or a decimal string, 0.50–3.00, two places at most."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
        raise InvalidInput("must be a decimal from 0.5 to 3.0", field=field_name)
    try:
        factor = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InvalidInput("must be a decimal from 0.5 to 3.0", field=field_name) from None
    if not factor.is_finite() or not MIN_FACTOR <= factor <= MAX_FACTOR:
        raise InvalidInput("must be a decimal from 0.5 to 3.0", field=field_name)
    if factor != factor.quantize(Decimal("0.01")):
        raise InvalidInput("at most two decimal places", field=field_name)
    return factor.quantize(Decimal("0.01"))


def _check_factors(raw) -> dict[str, Decimal]:
    if not isinstance(raw, dict):
        raise InvalidInput("must be an object of {organization_id: factor}", field="organization_factors")
    if len(raw) > MAX_ORGANIZATIONS:
        raise InvalidInput(f"at most {MAX_ORGANIZATIONS} entries", field="organization_factors")
    checked = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise InvalidInput(f"key {key!r}: an organization id (1-40 letters, digits, '_', '.', '-')",
                               field="organization_factors")
        checked[key] = parse_factor(f"organization_factors.{key}", value)
    return checked


def validated_rules(version: int, *, points_per_hour, category_rates, daily_cap_per_volunteer,
                    star_upgrade_bonus, commendation_bonus, effective_from: datetime,
                    organization_factors=None) -> EarningRules:
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
        organization_factors=_check_factors(organization_factors if organization_factors is not None else {}),
    )
