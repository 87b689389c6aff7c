from datetime import datetime, timedelta, timezone

from shanxing_activities.domain.activity import cancel_refusal, complete_refusal
from shanxing_activities.domain.signup import missing_skills, may_withdraw, overlaps

T = datetime(2030, 6, 5, 2, tzinfo=timezone.utc)
H = timedelta(hours=1)


def test_missing_skills_are_named_in_the_activitys_order_ignoring_case():
    assert missing_skills(["driving", "First_Aid", "sign_language"], ["first_aid "]) == ["driving", "sign_language"]
    assert missing_skills([], []) == [] and missing_skills(["a"], ["A"]) == []


def test_overlap_is_half_open():
    assert overlaps(T, T + 2 * H, T + H, T + 3 * H)
    assert overlaps(T, T + 3 * H, T + H, T + 2 * H)
    assert not overlaps(T, T + H, T + H, T + 2 * H)  # back to back
    assert not overlaps(T + 2 * H, T + 3 * H, T, T + H)


def test_withdrawal_is_possible_until_the_start():
    assert may_withdraw(T - timedelta(seconds=1), T) and not may_withdraw(T, T)


def test_cancel_and_complete_refusals_say_why():
    assert cancel_refusal("published", T, T + H) is None and cancel_refusal("pending_review", T, T + H) is None
    assert "completed" in cancel_refusal("completed", T, T + H)
    assert "ended" in cancel_refusal("published", T + H, T + H)
    assert complete_refusal("published", T, T) is None
    assert "not started" in complete_refusal("published", T, T + H)
    assert "cancelled" in complete_refusal("cancelled", T + H, T)
