from datetime import datetime, timezone
from decimal import Decimal

import pytest

from shanxing_points.domain.earning_rules import (NOT_EARNED_DAILY_CAP, NOT_EARNED_UNVERIFIED, EarningRules,
                                                  credit_for_hours, default_rules, validated_rules)
from shanxing_points.domain.errors import InvalidInput

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _credit(rules, hours, category=None, earned=0, verified=True, verified_only=False, organization_id=None):
    return credit_for_hours(rules, Decimal(hours), category, already_earned_that_day=earned,
                            verified=verified, verified_only=verified_only, organization_id=organization_id)


def test_the_default_is_the_contract_rate_with_no_cap_and_no_bonus():
    rules = default_rules(10)
    assert rules.version == 0 and rules.effective_from is None
    assert _credit(rules, "2.25").points == 23
    assert rules.star_bonus(1, 2) == 0 and rules.commendation_bonus_for("city") == 0


def test_a_category_rate_overrides_the_general_rate():
    rules = EarningRules(version=2, points_per_hour=10, category_rates={"elderly": 15})
    assert _credit(rules, "2.00", "elderly").points == 30
    assert _credit(rules, "2.00", "environment").points == 20
    assert _credit(rules, "2.00", None).points == 20


def test_the_daily_cap_gives_what_is_left_and_records_the_rest():
    rules = EarningRules(version=3, points_per_hour=10, daily_cap_per_volunteer=50)
    first = _credit(rules, "3.00", earned=0)
    assert (first.points, first.not_earned, first.reason) == (30, 0, None)
    second = _credit(rules, "3.00", earned=30)
    assert (second.points, second.not_earned, second.reason) == (20, 10, NOT_EARNED_DAILY_CAP)
    third = _credit(rules, "1.00", earned=50)
    assert (third.points, third.not_earned, third.reason) == (0, 10, NOT_EARNED_DAILY_CAP)


def test_unverified_hours_earn_nothing_only_when_the_setting_is_on():
    rules = default_rules(10)
    assert _credit(rules, "1.00", verified=False).points == 10
    withheld = _credit(rules, "1.00", verified=False, verified_only=True)
    assert (withheld.points, withheld.not_earned, withheld.reason) == (0, 10, NOT_EARNED_UNVERIFIED)
    assert _credit(rules, "1.00", verified=True, verified_only=True).points == 10


def test_star_bonus_only_upward_and_by_the_level_reached():
    rules = EarningRules(version=1, points_per_hour=10, star_upgrade_bonus={"2": 100, "3": 200})
    assert rules.star_bonus(1, 2) == 100
    assert rules.star_bonus(1, 3) == 200
    assert rules.star_bonus(3, 2) == 0 and rules.star_bonus(2, 2) == 0
    assert rules.star_bonus(0, 1) == 0  # no bonus named for level 1


def _publish(**changes):
    values = dict(points_per_hour=10, category_rates={}, daily_cap_per_volunteer=None,
                  star_upgrade_bonus={}, commendation_bonus={}, effective_from=NOW)
    values.update(changes)
    return validated_rules(1, **values)


@pytest.mark.parametrize("changes, field", [
    ({"points_per_hour": -1}, "points_per_hour"),
    ({"points_per_hour": True}, "points_per_hour"),
    ({"daily_cap_per_volunteer": 0}, "daily_cap_per_volunteer"),
    ({"category_rates": {"elderly": -5}}, "category_rates.elderly"),
    ({"category_rates": {"bad key!": 5}}, "category_rates"),
    ({"star_upgrade_bonus": {"one": 5}}, "star_upgrade_bonus"),
    ({"star_upgrade_bonus": {"0": 5}}, "star_upgrade_bonus"),
    ({"commendation_bonus": {"city": 10_000_001}}, "commendation_bonus.city"),
    ({"effective_from": datetime(2026, 1, 1)}, "effective_from"),
    ({"organization_factors": {"o1": "0.49"}}, "organization_factors.o1"),
    ({"organization_factors": {"o1": 3.5}}, "organization_factors.o1"),
    ({"organization_factors": {"o1": "1.005"}}, "organization_factors.o1"),
    ({"organization_factors": {"o1": None}}, "organization_factors.o1"),
    ({"organization_factors": {"o1": "NaN"}}, "organization_factors.o1"),
    ({"organization_factors": {"": 1}}, "organization_factors"),
    ({"organization_factors": "o1=2"}, "organization_factors"),
])
def test_a_bad_version_names_the_field(changes, field):
    with pytest.raises(InvalidInput) as raised:
        _publish(**changes)
    assert raised.value.field == field


def test_a_good_version_keeps_its_values():
    rules = _publish(category_rates={"elderly": 15}, daily_cap_per_volunteer=80,
                     star_upgrade_bonus={"2": 100}, commendation_bonus={"city": 500})
    assert rules.rate_for("elderly") == 15 and rules.daily_cap_per_volunteer == 80
    assert rules.commendation_bonus_for("city") == 500


def test_the_organizer_factor_multiplies_before_the_single_rounding():
    rules = EarningRules(version=4, points_per_hour=10, category_rates={"elderly": 15},
                         organization_factors={"o1": Decimal("1.50"), "o2": Decimal("0.50")})
    assert _credit(rules, "1.25", organization_id="o1").points == 19  # 18.75 → 19, not 13 × 1.5
    assert _credit(rules, "1.25", organization_id="o1").factor == Decimal("1.50")
    assert _credit(rules, "0.50", organization_id="o2").points == 3  # 2.5 → 3 (half up)
    assert _credit(rules, "0.07", organization_id="o2").points == 0  # 0.35 → 0
    assert _credit(rules, "2.00", "elderly", organization_id="o1").points == 45  # category rate too
    unnamed = _credit(rules, "1.25", organization_id="o3")
    assert (unnamed.points, unnamed.factor) == (13, Decimal("1.00"))
    assert _credit(rules, "1.25", organization_id=None).factor == Decimal("1.00")


def test_the_cap_and_the_verified_rule_count_factored_points():
    rules = EarningRules(version=5, points_per_hour=10, daily_cap_per_volunteer=25,
                         organization_factors={"o1": Decimal("2.00")})
    capped = _credit(rules, "2.00", earned=0, organization_id="o1")
    assert (capped.points, capped.not_earned, capped.reason) == (25, 15, NOT_EARNED_DAILY_CAP)
    withheld = _credit(rules, "1.00", verified=False, verified_only=True, organization_id="o1")
    assert (withheld.points, withheld.not_earned) == (0, 20)


def test_factors_are_kept_to_two_places_from_numbers_or_strings():
    rules = _publish(organization_factors={"o1": 1.5, "o2": "3", "o3": "0.5", "o4": 2})
    assert {k: str(v) for k, v in rules.organization_factors.items()} == {
        "o1": "1.50", "o2": "3.00", "o3": "0.50", "o4": "2.00"}
    assert _publish().organization_factors == {}
