from datetime import datetime, timedelta, timezone

from shanxing_activities.domain.review import (ReviewerRole, covers, is_overdue, next_scope, reason_error,
                                               review_due_at, scope_at_level)


def test_each_escalation_cuts_the_scope_to_the_next_administrative_level():
    assert next_scope("110105001001") == "110105001"
    assert next_scope("110105001") == "110105"
    assert next_scope("110105") == "1101"
    assert next_scope("1101") == "11"
    assert next_scope("11") is None and next_scope(None) is None and next_scope("") is None
    assert next_scope("1101050") == "110105"  # an odd length joins the ladder below it


def test_scope_at_a_level_stops_at_the_province():
    assert scope_at_level("110105001", 0) == "110105001"
    assert scope_at_level("110105001", 2) == "1101"
    assert scope_at_level("110105001", 9) == "11"
    assert scope_at_level(None, 1) is None


def test_a_centre_covers_its_own_region_and_those_below():
    assert covers("110105", "110105") and covers("110105", "110105001") and covers("11", "110105001")
    assert not covers("110106", "110105001") and not covers("110105001", "110105")
    assert not covers(None, "110105") and not covers("110105", None)


def test_reviewer_role_excludes_the_organizations_own_admins():
    role = ReviewerRole(is_ops=False, regions=["110105"], own_organizations=["org-a"])
    assert role.may_review("org-b", "110105001") and not role.may_review("org-a", "110105001")
    assert not role.may_review("org-b", "110106")
    assert ReviewerRole(is_ops=True, regions=[], own_organizations=["org-a"]).may_review("org-a", None)
    assert not ReviewerRole(is_ops=False, regions=[None], own_organizations=[]).reviews_anything


def test_deadline_and_overdue():
    moment = datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert review_due_at(moment, 48) == moment + timedelta(hours=48)
    assert is_overdue(moment, moment) and not is_overdue(moment + timedelta(seconds=1), moment)
    assert not is_overdue(None, moment)


def test_reasons_are_one_to_five_hundred_characters():
    assert reason_error("名额不足") is None and reason_error("x" * 500) is None
    assert reason_error("") and reason_error("   ") and reason_error("x" * 501)
