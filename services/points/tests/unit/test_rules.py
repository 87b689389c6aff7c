from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from shanxing_points.domain import rules


@pytest.mark.parametrize("raw, expected", [("2.50", Decimal("2.50")), ("1", Decimal("1")),
                                           (" 0.01 ", Decimal("0.01")), ("10000", Decimal("10000"))])
def test_parse_hours_accepts_decimal_strings(raw, expected):
    assert rules.parse_hours(raw) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "0.001", "abc", "NaN", "Infinity", "10000.01", "", None, 2.5])
def test_parse_hours_refuses_what_is_not_positive_hours_with_two_places(raw):
    with pytest.raises(ValueError):
        rules.parse_hours(raw)


@pytest.mark.parametrize("hours, rate, points", [
    ("2.50", 10, 25), ("2.25", 10, 23), ("2.24", 10, 22), ("0.05", 10, 1), ("0.04", 10, 0),
    ("1.15", 3, 3), ("1.50", 1, 2), ("2.50", 1, 3), ("8", 0, 0),
])
def test_points_for_hours_round_half_up(hours, rate, points):
    assert rules.points_for_hours(Decimal(hours), rate) == points


def test_points_for_hours_refuses_a_negative_rate():
    with pytest.raises(ValueError):
        rules.points_for_hours(Decimal("1"), -1)


def test_a_credit_settles_debt_first():
    assert rules.split_credit(100, 30) == rules.CreditSplit(settles_debt=30, to_balance=70)
    assert rules.split_credit(20, 30) == rules.CreditSplit(settles_debt=20, to_balance=0)
    assert rules.split_credit(50, 0) == rules.CreditSplit(settles_debt=0, to_balance=50)


def test_a_revocation_takes_what_the_balance_allows_and_the_rest_becomes_debt():
    assert rules.split_revocation(100, 250) == rules.RevocationSplit(from_balance=100, becomes_debt=0)
    assert rules.split_revocation(100, 40) == rules.RevocationSplit(from_balance=40, becomes_debt=60)
    assert rules.split_revocation(100, 0) == rules.RevocationSplit(from_balance=0, becomes_debt=100)


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_splits_conserve_points(points, other):
    credit = rules.split_credit(points, other)
    assert credit.settles_debt + credit.to_balance == points and credit.settles_debt <= other
    revocation = rules.split_revocation(points, other)
    assert revocation.from_balance + revocation.becomes_debt == points
    assert 0 <= revocation.from_balance <= other
