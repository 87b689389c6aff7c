"""The five-order loop of a resident's service demand (seed 003: 点单 → 派单 → 买单 → 接单 → 评单).

ordered (点单) → dispatched to an organization by the region's centre (派单) → funded (买单) →
accepted by that organization (接单) → in_service once it runs an activity for it → served when
that activity completes → rated by the resident (评单). The resident may cancel before acceptance.
When the activity is rejected in review or cancelled, the demand goes back to accepted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .transitions import StateMachine, Transition

ORDERED, DISPATCHED, FUNDED, ACCEPTED = "ordered", "dispatched", "funded", "accepted"
IN_SERVICE, SERVED, RATED, CANCELLED = "in_service", "served", "rated", "cancelled"
STATUSES = (ORDERED, DISPATCHED, FUNDED, ACCEPTED, IN_SERVICE, SERVED, RATED, CANCELLED)

DISPATCH, FUND, ACCEPT, START_SERVICE = "dispatch", "fund", "accept", "start_service"
FINISH_SERVICE, RATE, CANCEL = "finish_service", "rate", "cancel"
REOPEN = "reopen"  # its activity was rejected or cancelled: the organization runs another one

DEMAND_LOOP = StateMachine(STATUSES, (
    Transition(DISPATCH, (ORDERED,), DISPATCHED),
    Transition(FUND, (DISPATCHED,), FUNDED),
    Transition(ACCEPT, (FUNDED,), ACCEPTED),
    Transition(START_SERVICE, (ACCEPTED,), IN_SERVICE),
    Transition(FINISH_SERVICE, (IN_SERVICE,), SERVED),
    Transition(REOPEN, (IN_SERVICE,), ACCEPTED),
    Transition(RATE, (SERVED,), RATED),
    Transition(CANCEL, (ORDERED, DISPATCHED, FUNDED), CANCELLED),
))

MAX_WANTED_SPAN = timedelta(days=90)
SCORES = range(1, 6)


@dataclass
class DemandDraft:
    category: str
    description: str
    address: str
    latitude: float
    longitude: float
    wanted_from: datetime
    wanted_until: datetime
    region_code: str


def _length(errors: dict, name: str, value: str, low: int, high: int) -> None:
    if not low <= len(value.strip()) <= high:
        errors.setdefault(name, []).append(f"must be {low} to {high} characters long")


def validate_demand(draft: DemandDraft, moment: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _length(errors, "category", draft.category, 1, 30)
    _length(errors, "description", draft.description, 1, 2000)
    _length(errors, "address", draft.address, 1, 200)
    if not -90 <= draft.latitude <= 90:
        errors["latitude"] = ["must be between -90 and 90"]
    if not -180 <= draft.longitude <= 180:
        errors["longitude"] = ["must be between -180 and 180"]
    if not (draft.region_code.isdigit() and 2 <= len(draft.region_code) <= 12):
        errors["region_code"] = ["must be 2 to 12 digits (an administrative division code)"]
    if draft.wanted_until <= draft.wanted_from:
        errors["wanted_until"] = ["must be after wanted_from"]
    elif draft.wanted_until - draft.wanted_from > MAX_WANTED_SPAN:
        errors["wanted_until"] = ["must be at most 90 days after wanted_from"]
    elif draft.wanted_until <= moment:
        errors["wanted_until"] = ["must be in the future"]
    return errors


def funding_errors(amount_cents, source: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        errors["amount_cents"] = ["must be a positive whole number of cents"]
    if not 1 <= len(source.strip()) <= 100:
        errors["source"] = ["must be 1 to 100 characters long"]
    return errors


def rating_errors(score, comment: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        errors["score"] = ["must be a whole number from 1 to 5"]
    if len(comment) > 500:
        errors["comment"] = ["must be at most 500 characters long"]
    return errors
