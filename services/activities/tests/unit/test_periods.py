from datetime import date

import pytest

from shanxing_activities.domain.periods import competition_ranks, period_start, period_starts


@pytest.mark.parametrize("day, monday", [
    (date(2030, 6, 3), date(2030, 6, 3)),   # a Monday is its own week's start
    (date(2030, 6, 9), date(2030, 6, 3)),   # Sunday belongs to the week begun on Monday
    (date(2030, 1, 1), date(2029, 12, 31)), # a week may straddle two years
])
def test_weeks_start_on_monday(day, monday):
    assert period_start("week", day) == monday


def test_months_and_years():
    assert period_start("month", date(2030, 2, 28)) == date(2030, 2, 1)
    assert period_start("year", date(2030, 12, 31)) == date(2030, 1, 1)
    assert period_starts(date(2030, 6, 5)) == {"week": date(2030, 6, 3), "month": date(2030, 6, 1),
                                               "year": date(2030, 1, 1)}
    with pytest.raises(ValueError):
        period_start("day", date(2030, 6, 5))


def test_standard_competition_ranking():
    assert competition_ranks([]) == []
    assert competition_ranks([500, 300, 300, 100]) == [1, 2, 2, 4]
    assert competition_ranks([7, 7, 7]) == [1, 1, 1]
    assert competition_ranks([9, 8, 7]) == [1, 2, 3]
