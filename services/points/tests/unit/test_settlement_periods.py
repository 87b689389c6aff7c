from datetime import date

import pytest

from shanxing_points.domain.errors import InvalidInput
from shanxing_points.domain.settlement import Period, closing_period, overlaps, query_period

TODAY = date(2026, 3, 15)


def test_a_report_defaults_to_this_month_so_far():
    assert query_period(None, None, TODAY) == Period(date(2026, 3, 1), TODAY)


@pytest.mark.parametrize("first, last, field", [
    (date(2026, 3, 10), date(2026, 3, 1), "to"),
    (date(2025, 1, 1), date(2026, 3, 1), "to"),
])
def test_bad_report_periods(first, last, field):
    with pytest.raises(InvalidInput) as raised:
        query_period(first, last, TODAY)
    assert raised.value.field == field


def test_a_statement_closes_days_that_are_over():
    assert closing_period(date(2026, 3, 1), date(2026, 3, 14), TODAY) == Period(date(2026, 3, 1), date(2026, 3, 14))
    with pytest.raises(InvalidInput) as raised:
        closing_period(date(2026, 3, 1), TODAY, TODAY)
    assert raised.value.field == "period_end"


def test_overlaps_are_inclusive():
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert overlaps(march, Period(date(2026, 3, 31), date(2026, 4, 5)))
    assert not overlaps(march, Period(date(2026, 4, 1), date(2026, 4, 5)))
