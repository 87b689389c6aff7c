"""Who must decide an organization application now, and whether it can go higher."""
from datetime import datetime, timezone

from shanxing_registry.domain.organizations import may_escalate, responsible_reviewer, review_due_at

CHAIN = ["street", "district", "city"]  # the applicant's parent first


def test_the_parent_is_responsible_first_then_one_ancestor_up_per_escalation():
    assert [responsible_reviewer(CHAIN, level) for level in range(3)] == ["street", "district", "city"]


def test_never_above_the_root():
    assert responsible_reviewer(CHAIN, 7) == "city"
    assert [may_escalate(CHAIN, level) for level in range(4)] == [True, True, False, False]


def test_a_root_application_is_ops_and_cannot_escalate():
    assert responsible_reviewer([], 0) is None and not may_escalate([], 0)


def test_the_deadline_is_hours_after_the_moment():
    moment = datetime(2030, 6, 5, 2, 0, tzinfo=timezone.utc)
    assert review_due_at(moment, 48) == datetime(2030, 6, 7, 2, 0, tzinfo=timezone.utc)
