"""Calendar periods of the leaderboards (weeks start on Monday)."""
from __future__ import annotations

from datetime import date, timedelta

WEEK, MONTH, YEAR = "week", "month", "year"
PERIOD_KINDS = (WEEK, MONTH, YEAR)
VOLUNTEER, TEAM, ORGANIZATION, REGION = "volunteer", "team", "organization", "region"
SCOPES = (VOLUNTEER, TEAM, ORGANIZATION, REGION)
# Lengths of Chinese administrative codes: province, city, district, street, community.
REGION_LEVELS = (2, 4, 6, 9, 12)


def period_start(kind: str, day: date) -> date:
    """First day of the period of this kind that contains ``day``."""
    if kind == WEEK:
        return day - timedelta(days=day.weekday())
    if kind == MONTH:
        return day.replace(day=1)
    if kind == YEAR:
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown period kind {kind!r}")


def period_starts(day: date) -> dict[str, date]:
    return {kind: period_start(kind, day) for kind in PERIOD_KINDS}


def competition_ranks(totals: list[int]) -> list[int]:
    """Standard competition ranking ("1224") of totals already sorted from highest to lowest."""
    ranks: list[int] = []
    for index, value in enumerate(totals):
        ranks.append(ranks[-1] if index and totals[index - 1] == value else index + 1)
    return ranks


def region_and_ancestors(region_code: str | None) -> list[str]:
    """The code and its prefixes at each shorter administrative level (12 → 9, 6, 4, 2)."""
    if not region_code:
        return []
    return [region_code[:n] for n in REGION_LEVELS if n < len(region_code)] + [region_code]


def child_level(region_code: str | None) -> int | None:
    """Code length of the regions directly below ``region_code`` (provinces below none)."""
    if not region_code:
        return REGION_LEVELS[0]
    deeper = [n for n in REGION_LEVELS if n > len(region_code)]
    return deeper[0] if deeper else None


def credited_subjects(*, volunteer_id: str, team_id: str | None, organization_id: str,
                      region_code: str | None) -> list[tuple[str, str]]:
    """(scope, subject) pairs whose totals a record of hours adds to (and a revocation takes from)."""
    subjects = [(VOLUNTEER, volunteer_id), (ORGANIZATION, organization_id)]
    if team_id:
        subjects.append((TEAM, team_id))
    subjects += [(REGION, code) for code in region_and_ancestors(region_code)]
    return subjects
