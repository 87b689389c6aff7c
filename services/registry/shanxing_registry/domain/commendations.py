"""Commendations (嘉许) granted to a volunteer at a level of the regional tree or by an organization."""
from __future__ import annotations

LEVELS = ("city", "district", "street", "community", "organization")
TITLE_MAX = 60
REASON_MAX = 500


def may_commend(*, is_ops: bool, administers_an_organization: bool) -> bool:
    return is_ops or administers_an_organization
