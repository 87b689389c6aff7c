"""Use case: open activities suggested to a volunteer (skills, preferences, free time, distance)."""
from __future__ import annotations

from datetime import timedelta

from shanxing_common.internal_auth import Caller
from shanxing_common.web import ServiceContext

from ..adapters import repository
from ..domain.errors import Forbidden
from ..domain.recommendation import (HORIZON_DAYS, MAX_CANDIDATES, SEARCH_RADIUS_METERS, Candidate, Profile,
                                     bounding_box, parse_availability, rank)
from . import read_model
from .clock import local_zone, nearby_meters, now

CITY_CODE_LENGTH = 4


def recommendations(ctx: ServiceContext, caller: Caller) -> dict:
    volunteer = read_model.volunteer(ctx, caller.subject)
    if volunteer is None:
        raise Forbidden("only a registered volunteer gets recommendations")
    home = (None if volunteer.home_latitude is None or volunteer.home_longitude is None
            else (volunteer.home_latitude, volunteer.home_longitude))
    profile = Profile(skills=frozenset(s.strip().lower() for s in volunteer.skills or []),
                      preferences=frozenset(p.strip().lower() for p in volunteer.preferences or []),
                      availability=parse_availability(volunteer.availability), home=home)
    moment = now(ctx)
    # Without a home, the volunteer's city (4-digit region prefix) bounds the candidates instead.
    region_prefix = (volunteer.region_code or "")[:CITY_CODE_LENGTH] or None
    with ctx.db.read() as s:
        rows = repository.recommendation_candidates(
            s, caller.subject, now=moment, until=moment + timedelta(days=HORIZON_DAYS),
            box=bounding_box(home, max(SEARCH_RADIUS_METERS, nearby_meters(ctx))) if home else None,
            region_prefix=region_prefix, limit=MAX_CANDIDATES)
    by_id = {row.id: row for row in rows}
    candidates = [Candidate(row.id, row.category, tuple(row.skills or ()), row.starts_at, row.ends_at,
                            row.latitude, row.longitude) for row in rows]
    items = []
    for candidate, points, reason in rank(profile, candidates, local_zone(ctx), nearby_meters(ctx)):
        row = by_id[candidate.activity_id]
        items.append({"activity_id": row.id, "title": row.title, "category": row.category,
                      "address": row.address, "starts_at": row.starts_at, "ends_at": row.ends_at,
                      "latitude": row.latitude, "longitude": row.longitude, "skills": list(row.skills or []),
                      "capacity": row.capacity, "signed_up": row.signed_up, "score": points, "reason": reason})
    return {"items": items}
