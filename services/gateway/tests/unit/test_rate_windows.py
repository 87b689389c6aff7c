import pytest

from shanxing_gateway.ratelimit import FixedWindow, LeasedSlots, RateLimited, RateLimiter


@pytest.mark.parametrize("now, start, retry_after", [
    (120.0, 120, 60), (120.2, 120, 60), (179.9, 120, 1), (179.0, 120, 1), (150.0, 120, 30),
])
def test_a_minute_window(now, start, retry_after):
    window = FixedWindow(60)
    assert window.start(now) == start
    assert window.retry_after(now) == retry_after


class CountingWindows:
    """In-memory stand-in for RateWindows (the database version is tested in integration)."""

    def __init__(self):
        self.counts = {}
        self.writes = 0

    def count(self, scope, subject, window_start, now, amount=1):
        key = (scope, subject, window_start)
        self.counts[key] = self.counts.get(key, 0) + amount
        self.writes += 1
        return self.counts[key]


def test_the_limit_admits_that_many_per_window_and_then_refuses():
    limiter = RateLimiter(CountingWindows(), "person", 2, 60, "requests of this person")
    limiter.hit("p1", 100.0)
    limiter.hit("p1", 101.0)
    with pytest.raises(RateLimited) as refused:
        limiter.hit("p1", 110.0)
    assert refused.value.retry_after == 10
    assert "2 requests of this person per 60 s" in refused.value.detail
    limiter.hit("p2", 110.0)  # someone else
    limiter.hit("p1", 120.0)  # the next window


def test_a_zero_limit_counts_nothing():
    windows = CountingWindows()
    limiter = RateLimiter(windows, "address", 0, 60, "requests")
    for _ in range(5):
        limiter.hit("203.0.113.9", 100.0)
    assert windows.counts == {}


def test_overlong_subjects_are_hashed_to_fit_the_column():
    windows = CountingWindows()
    RateLimiter(windows, "person", 5, 60, "requests").hit("x" * 500, 100.0)
    ((_, subject, _),) = windows.counts
    assert len(subject) == 64


def admitted(limiter, subject, now, attempts):
    count = 0
    for _ in range(attempts):
        try:
            limiter.hit(subject, now)
            count += 1
        except RateLimited:
            pass
    return count


def test_a_refused_subject_is_refused_locally_until_the_window_ends():
    windows = CountingWindows()
    limiter = RateLimiter(windows, "person", 2, 60, "requests")
    assert admitted(limiter, "p1", 100.0, 10) == 2
    assert windows.writes == 3  # two admitted, one that found the counter full; then no more writes
    assert admitted(limiter, "p1", 120.0, 1) == 1


def test_leased_slots_save_writes_and_never_exceed_the_limit_across_processes():
    windows = CountingWindows()  # shared, like the database
    first = RateLimiter(windows, "person", 25, 60, "requests", lease=10)
    second = RateLimiter(windows, "person", 25, 60, "requests", lease=10)
    assert admitted(first, "p1", 100.0, 12) == 12  # slots 1-10, then 11-20
    assert windows.writes == 2
    assert admitted(second, "p1", 100.0, 12) == 5  # slots 21-25 are within the limit, 26-30 are not
    assert admitted(first, "p1", 100.0, 12) == 8  # what is left of its second lease: 25 in all
    assert admitted(second, "p1", 160.0, 1) == 1  # the next window


def test_the_last_lease_is_cut_at_the_limit():
    windows = CountingWindows()
    limiter = RateLimiter(windows, "person", 7, 60, "requests", lease=5)
    assert admitted(limiter, "p1", 100.0, 20) == 7


def test_the_local_table_stays_bounded_and_forgetting_never_loosens_the_limit(monkeypatch):
    monkeypatch.setattr(LeasedSlots, "LOCAL_ENTRIES", 10)
    windows = CountingWindows()
    limiter = RateLimiter(windows, "person", 20, 60, "requests", lease=5)
    for round_ in range(3):
        for subject in range(30):
            limiter.hit(f"p{subject}", 100.0 + round_)
        assert len(limiter.slots._held) <= 10
    assert admitted(limiter, "p0", 100.0, 40) <= 20 - 3
