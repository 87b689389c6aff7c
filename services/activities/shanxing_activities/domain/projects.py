"""The four-level project library (seed 000: 市、区县、镇街、社区四级志愿服务项目库): projects are
declared, reviewed by the reviewers of their level and region, published, claimed by one
organization that runs activities under them, and finally graded 优秀/合格/不合格."""
from __future__ import annotations

from dataclasses import dataclass

from .transitions import StateMachine, Transition

DECLARED, PUBLISHED, REJECTED, CLAIMED, EVALUATED = "declared", "published", "rejected", "claimed", "evaluated"
STATUSES = (DECLARED, PUBLISHED, REJECTED, CLAIMED, EVALUATED)
PUBLIC_STATUSES = (PUBLISHED, CLAIMED, EVALUATED)
APPROVE, REJECT, CLAIM, EVALUATE = "approve", "reject", "claim", "evaluate"

PROJECT_LIFECYCLE = StateMachine(STATUSES, (
    Transition(APPROVE, (DECLARED,), PUBLISHED),
    Transition(REJECT, (DECLARED,), REJECTED),
    Transition(CLAIM, (PUBLISHED,), CLAIMED),
    Transition(EVALUATE, (CLAIMED,), EVALUATED),
))

# A level's region code has the length of that administrative level's code.
LEVEL_CODE_LENGTHS = {"city": 4, "district": 6, "street": 9, "community": 12}
LEVELS = tuple(LEVEL_CODE_LENGTHS)
GRADES = ("excellent", "qualified", "unqualified")  # 优秀 / 合格 / 不合格
# Activities may join a project while its claimant runs it.
ACCEPTS_ACTIVITIES = (CLAIMED,)


@dataclass
class ProjectDraft:
    title: str
    category: str
    description: str
    level: str
    region_code: str


def validate_project(draft: ProjectDraft) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value, low, high in (("title", draft.title, 2, 100), ("category", draft.category, 1, 30),
                                   ("description", draft.description, 1, 5000)):
        if not low <= len(value.strip()) <= high:
            errors[name] = [f"must be {low} to {high} characters long"]
    if draft.level not in LEVEL_CODE_LENGTHS:
        errors["level"] = [f"must be one of {', '.join(LEVELS)}"]
    elif not (draft.region_code.isdigit() and len(draft.region_code) == LEVEL_CODE_LENGTHS[draft.level]):
        errors["region_code"] = [f"a {draft.level} project needs a {LEVEL_CODE_LENGTHS[draft.level]}-digit "
                                 "administrative code"]
    return errors


def evaluation_errors(grade: str, comment: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if grade not in GRADES:
        errors["grade"] = [f"must be one of {', '.join(GRADES)}"]
    if len(comment) > 1000:
        errors["comment"] = ["must be at most 1000 characters long"]
    return errors
