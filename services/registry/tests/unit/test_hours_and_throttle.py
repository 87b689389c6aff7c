from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from shanxing_registry.domain.hours import format_hours, parse_hours, star_level_for
from shanxing_registry.domain.identity import InvalidValue
from shanxing_common.login_throttle import FailureWindow, ThrottlePolicy


@pytest.mark.parametrize("raw, hundredths", [("2.50", 250), (2.5, 250), ("3", 300), (1, 100),
                                             (Decimal("0.01"), 1), ("12.5", 1250)])
def test_parse_hours(raw, hundredths):
    assert parse_hours(raw) == hundredths


@pytest.mark.parametrize("raw", ["0", "-1", "1.005", "abc", None, True, "NaN", "Infinity", ""])
def test_parse_hours_refuses(raw):
    with pytest.raises(InvalidValue):
        parse_hours(raw)


def test_format_hours():
    assert format_hours(0) == "0.00"
    assert format_hours(1250) == "12.50"
    assert format_hours(5) == "0.05"
    assert format_hours(123456) == "1234.56"


def test_star_levels_follow_thresholds():
    assert star_level_for(0) == 0
    assert star_level_for(99_99) == 0
    assert star_level_for(100_00) == 1
    assert star_level_for(1500_00) == 5
    assert star_level_for(250, (1, 2, 3)) == 2


POLICY = ThrottlePolicy(max_failures=3, window_seconds=60)
T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_throttle_allows_until_the_limit_then_waits_for_the_window():
    window = FailureWindow.cleared()
    for i in range(3):
        assert window.retry_after(POLICY, T0 + timedelta(seconds=i)) is None
        window = window.after_attempt(POLICY, T0 + timedelta(seconds=i))
    assert window == FailureWindow(3, T0)  # the window opened at the first failure
    assert window.retry_after(POLICY, T0 + timedelta(seconds=10)) == 50
    assert window.retry_after(POLICY, T0 + timedelta(seconds=59.5)) == 1
    assert window.retry_after(POLICY, T0 + timedelta(seconds=60)) is None
    # After the window a failure opens a new one.
    assert window.after_attempt(POLICY, T0 + timedelta(seconds=61)) == FailureWindow(1, T0 + timedelta(seconds=61))


def test_cleared_window_counts_nothing():
    assert FailureWindow.cleared().current(POLICY, T0) == FailureWindow(0, None)
