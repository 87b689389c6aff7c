from dataclasses import replace
from datetime import datetime, timedelta, timezone

from shanxing_activities.domain.activity import ActivityDraft, validate_draft, visible_to_public

NOW = datetime(2030, 6, 5, 2, 0, tzinfo=timezone.utc)
GOOD = ActivityDraft(title="社区助老服务", category="elderly", description="", address="朝阳区某社区服务站",
                     latitude=39.92, longitude=116.44, starts_at=NOW + timedelta(hours=1),
                     ends_at=NOW + timedelta(hours=4), capacity=10, skills=["first_aid"])


def errors_of(**changes):
    return validate_draft(replace(GOOD, **changes), NOW)


def test_a_good_draft_breaks_no_rule():
    assert validate_draft(GOOD, NOW) == {}


def test_text_lengths():
    assert "title" in errors_of(title="x") and "title" in errors_of(title="x" * 101)
    assert errors_of(title="xx") == {} and errors_of(title="x" * 100) == {}
    assert "title" in errors_of(title="  x  ")  # blanks do not count
    assert "category" in errors_of(category="") and "category" in errors_of(category="c" * 31)
    assert "description" in errors_of(description="d" * 5001) and errors_of(description="d" * 5000) == {}
    assert "address" in errors_of(address="") and "address" in errors_of(address="a" * 201)


def test_coordinates_and_capacity_ranges():
    assert errors_of(latitude=90, longitude=-180) == {}
    assert set(errors_of(latitude=-90.01, longitude=180.5)) == {"latitude", "longitude"}
    assert "capacity" in errors_of(capacity=0) and "capacity" in errors_of(capacity=100_001)
    assert errors_of(capacity=1) == {} and errors_of(capacity=100_000) == {}


def test_skills():
    assert "skills" in errors_of(skills=["s"] * 21) and errors_of(skills=["s"] * 20) == {}
    assert "skills" in errors_of(skills=[""])


def test_times():
    assert "starts_at" in errors_of(starts_at=NOW - timedelta(minutes=5))
    assert errors_of(starts_at=NOW, ends_at=NOW + timedelta(hours=1)) == {}  # urgent calls are normal
    assert errors_of(starts_at=NOW - timedelta(seconds=30)) == {}  # clock skew is not the past
    assert "ends_at" in errors_of(ends_at=GOOD.starts_at)
    assert errors_of(ends_at=GOOD.starts_at + timedelta(days=30)) == {}
    assert "ends_at" in errors_of(ends_at=GOOD.starts_at + timedelta(days=30, seconds=1))


def test_only_public_statuses_are_visible_to_everyone():
    assert visible_to_public("published") and visible_to_public("completed")
    assert not visible_to_public("pending_review") and not visible_to_public("rejected")
