"""Sign-up rules: statuses, skills eligibility, double-booking, cancellation."""
from __future__ import annotations

from datetime import datetime

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"
SIGNUP_STATUSES = (CONFIRMED, WAITLISTED, CANCELLED)
# A volunteer holding a sign-up in these statuses is expected at the activity (or next in line).
ACTIVE_STATUSES = (CONFIRMED, WAITLISTED)


def missing_skills(required: list[str], held: list[str]) -> list[str]:
    """The activity's required skills the volunteer lacks (case-insensitive), in the activity's order."""
    have = {s.strip().casefold() for s in held}
    return [s for s in required if s.strip().casefold() not in have]


def overlaps(starts_at: datetime, ends_at: datetime, other_starts_at: datetime, other_ends_at: datetime) -> bool:
    """Half-open intervals: one activity ending at 10:00 and another starting at 10:00 do not clash."""
    return starts_at < other_ends_at and other_starts_at < ends_at


def may_withdraw(moment: datetime, starts_at: datetime) -> bool:
    """A volunteer withdraws until the activity starts; after that the organizer needs to know."""
    return moment < starts_at
