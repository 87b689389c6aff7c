"""What an activity is allowed to look like, and who may see it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

PENDING_REVIEW = "pending_review"
PUBLISHED = "published"
REJECTED = "rejected"
CANCELLED = "cancelled"
COMPLETED = "completed"
STATUSES = (PENDING_REVIEW, PUBLISHED, REJECTED, CANCELLED, COMPLETED)
# Statuses anyone may see; the others only the organization's admins and ops.
PUBLIC_STATUSES = frozenset({PUBLISHED, CANCELLED, COMPLETED})
# Hours may be confirmed for activities in these statuses.
HOURS_STATUSES = frozenset({PUBLISHED, COMPLETED})

TITLE_LENGTH = (2, 100)
CATEGORY_LENGTH = (1, 30)
DESCRIPTION_MAX = 5000
ADDRESS_LENGTH = (1, 200)
CAPACITY_RANGE = (1, 100_000)
SKILLS_MAX = 20
SKILL_LENGTH = (1, 50)
MAX_DURATION = timedelta(days=30)
# A start a moment before "now" is the client's clock or the network, not a past activity.
START_CLOCK_SKEW = timedelta(seconds=60)


@dataclass(frozen=True)
class ActivityDraft:
    title: str
    category: str
    description: str
    address: str
    latitude: float
    longitude: float
    starts_at: datetime
    ends_at: datetime
    capacity: int
    skills: list[str] = field(default_factory=list)
    team_id: str | None = None  # a registry team running it (ranks on the team leaderboard)


def _length(errors: dict, name: str, value: str, low: int, high: int) -> None:
    if not low <= len(value) <= high:
        errors.setdefault(name, []).append(f"must be {low} to {high} characters long")


def validate_draft(draft: ActivityDraft, now: datetime) -> dict[str, list[str]]:
    """Every rule the draft breaks, by field (empty when it is acceptable)."""
    errors: dict[str, list[str]] = {}
    _length(errors, "title", draft.title.strip(), *TITLE_LENGTH)
    _length(errors, "category", draft.category.strip(), *CATEGORY_LENGTH)
    if len(draft.description) > DESCRIPTION_MAX:
        errors.setdefault("description", []).append(f"must be at most {DESCRIPTION_MAX} characters long")
    _length(errors, "address", draft.address.strip(), *ADDRESS_LENGTH)
    if not -90 <= draft.latitude <= 90:
        errors.setdefault("latitude", []).append("must be between -90 and 90")
    if not -180 <= draft.longitude <= 180:
        errors.setdefault("longitude", []).append("must be between -180 and 180")
    if not CAPACITY_RANGE[0] <= draft.capacity <= CAPACITY_RANGE[1]:
        errors.setdefault("capacity", []).append(
            f"must be between {CAPACITY_RANGE[0]} and {CAPACITY_RANGE[1]}")
    if len(draft.skills) > SKILLS_MAX:
        errors.setdefault("skills", []).append(f"at most {SKILLS_MAX} skills")
    elif any(not SKILL_LENGTH[0] <= len(s.strip()) <= SKILL_LENGTH[1] for s in draft.skills):
        errors.setdefault("skills", []).append(
            f"each skill must be {SKILL_LENGTH[0]} to {SKILL_LENGTH[1]} characters long")
    if draft.team_id is not None and not 1 <= len(draft.team_id.strip()) <= 36:
        errors.setdefault("team_id", []).append("must be 1 to 36 characters long")
    if draft.starts_at < now - START_CLOCK_SKEW:
        errors.setdefault("starts_at", []).append("must not be in the past")
    if draft.ends_at <= draft.starts_at:
        errors.setdefault("ends_at", []).append("must be after starts_at")
    elif draft.ends_at - draft.starts_at > MAX_DURATION:
        errors.setdefault("ends_at", []).append(f"an activity lasts at most {MAX_DURATION.days} days")
    return errors


def visible_to_public(status: str) -> bool:
    return status in PUBLIC_STATUSES


# Statuses an organizer may still cancel from, and the one that may be completed.
CANCELLABLE_STATUSES = frozenset({PENDING_REVIEW, PUBLISHED})


def cancel_refusal(status: str, moment: datetime, ends_at: datetime) -> str | None:
    """Why the activity cannot be cancelled now (None if it can)."""
    if status not in CANCELLABLE_STATUSES:
        return f"the activity is {status}; only a pending_review or published activity can be cancelled"
    if moment >= ends_at:
        return "the activity has already ended"
    return None


def complete_refusal(status: str, moment: datetime, starts_at: datetime) -> str | None:
    """Why the activity cannot be marked completed now (None if it can)."""
    if status != PUBLISHED:
        return f"the activity is {status}; only a published activity can be completed"
    if moment < starts_at:
        return "the activity has not started yet"
    return None
