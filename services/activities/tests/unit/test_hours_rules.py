from datetime import timedelta
from decimal import Decimal

import pytest

from shanxing_activities.domain.hours import (InvalidHours, format_hours, hours_as_number, hours_limit_error,
                                              parse_hours)


@pytest.mark.parametrize("value, hundredths", [
    (2.5, 250), ("2.50", 250), ("2.5", 250), (2, 200), ("0.01", 1), (0.1, 10), (123.45, 12345),
    (Decimal("1.10"), 110), (" 3 ", 300), (0, 0), (-1, -100),
])
def test_hours_parse_exactly_into_hundredths(value, hundredths):
    assert parse_hours(value) == hundredths


@pytest.mark.parametrize("value", ["1.234", 2.505, "abc", "", True, None, [], "NaN", "inf", float("nan")])
def test_unparsable_hours_are_refused(value):
    with pytest.raises(InvalidHours):
        parse_hours(value)


def test_hours_are_formatted_with_two_places_and_answered_as_exact_numbers():
    assert format_hours(250) == "2.50" and format_hours(1) == "0.01" and format_hours(12345) == "123.45"
    assert hours_as_number(250) == 2.5 and repr(hours_as_number(1)) == "0.01"
    # int/100 is the double nearest the decimal, so its shortest repr is the decimal itself.
    assert all(Decimal(repr(hours_as_number(h))) == Decimal(h) / 100 for h in range(1, 100_000))


def test_hours_limits_follow_the_activity_length():
    three_hours = timedelta(hours=3)
    assert hours_limit_error(300, three_hours) is None and hours_limit_error(1, three_hours) is None
    assert "greater than 0" in hours_limit_error(0, three_hours)
    assert "length" in hours_limit_error(301, three_hours)
    assert hours_limit_error(150, timedelta(minutes=90)) is None
    assert hours_limit_error(151, timedelta(minutes=90)) is not None
