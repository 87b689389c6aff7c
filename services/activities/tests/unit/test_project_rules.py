import pytest

from shanxing_activities.domain.projects import (PROJECT_LIFECYCLE, STATUSES, ProjectDraft, evaluation_errors,
                                                 validate_project)

ALLOWED = {
    ("declared", "approve"): "published",
    ("declared", "reject"): "rejected",
    ("published", "claim"): "claimed",
    ("claimed", "evaluate"): "evaluated",
}


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("action", ("approve", "reject", "claim", "evaluate"))
def test_every_transition_is_allowed_or_refused_as_the_lifecycle_says(current, action):
    expected = ALLOWED.get((current, action))
    assert PROJECT_LIFECYCLE.next_status(current, action) == expected
    if expected is None:
        assert not PROJECT_LIFECYCLE.allows(current, action)


@pytest.mark.parametrize("level, code", [("city", "1101"), ("district", "110105"), ("street", "110105001"),
                                         ("community", "110105001001")])
def test_each_level_takes_its_own_code_length(level, code):
    assert validate_project(ProjectDraft("长者食堂", "elderly", "互助", level, code)) == {}


@pytest.mark.parametrize("level, code", [("city", "110105"), ("street", "110105"), ("community", "1101050010a1")])
def test_a_code_of_another_level_is_refused(level, code):
    assert "region_code" in validate_project(ProjectDraft("长者食堂", "elderly", "互助", level, code))


def test_other_fields_are_named():
    errors = validate_project(ProjectDraft("x", "", "", "province", "11"))
    assert set(errors) == {"title", "category", "description", "level"}


def test_evaluation_grades():
    assert all(evaluation_errors(g, "") == {} for g in ("excellent", "qualified", "unqualified"))
    assert set(evaluation_errors("good", "x" * 1001)) == {"grade", "comment"}
