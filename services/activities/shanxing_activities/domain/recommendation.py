"""Which open activities to suggest to a volunteer, and why (plain rules, no I/O)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from .checkin import distance_meters

DEFAULT_NEARBY_METERS = 1200  # the "15-minute circle": within it an activity scores highest
SEARCH_RADIUS_METERS = 20_000  # the bounding box of the SQL prefilter when the home is known
HORIZON_DAYS = 30  # how far ahead activities are suggested
MAX_CANDIDATES = 500  # the SQL prefilter's limit (earliest first): bounded work per request
MAX_RECOMMENDATIONS = 20
WEEKDAYS = "一二三四五六日"

SKILL_POINTS, PREFERENCE_POINTS, AVAILABLE_POINTS, NEARBY_POINTS = 30, 25, 20, 30
METERS_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Window:
    weekday: int  # ISO: 1 = Monday … 7 = Sunday
    start: time
    end: time


@dataclass(frozen=True)
class Profile:
    skills: frozenset[str]  # lower case
    preferences: frozenset[str]  # lower case
    availability: tuple[Window, ...]
    home: tuple[float, float] | None


@dataclass(frozen=True)
class Candidate:
    activity_id: str
    category: str
    skills: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    latitude: float
    longitude: float


def parse_availability(raw) -> tuple[Window, ...]:
    """The valid windows of registry's ``availability`` (anything malformed is left out)."""
    windows = []
    for item in raw if isinstance(raw, list) else []:
        try:
            weekday = int(item["weekday"])
            start, end = time.fromisoformat(item["start"]), time.fromisoformat(item["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if 1 <= weekday <= 7 and start < end:
            windows.append(Window(weekday, start, end))
    return tuple(windows)


def parse_home(raw) -> tuple[float, float] | None:
    try:
        latitude, longitude = float(raw["latitude"]), float(raw["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        return latitude, longitude
    return None


def bounding_box(home: tuple[float, float], meters: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) around ``home`` enclosing a circle of ``meters``."""
    latitude, longitude = home
    d_lat = meters / METERS_PER_DEGREE
    d_lon = meters / (METERS_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - d_lat, latitude + d_lat, longitude - d_lon, longitude + d_lon


def holds_required_skills(profile: Profile, candidate: Candidate) -> bool:
    return all(skill.strip().lower() in profile.skills for skill in candidate.skills)


def format_distance(meters: float) -> str:
    if meters < 1000:
        return f"{int(round(meters / 10.0) * 10)} 米"
    return f"{meters / 1000:.1f} 公里"


def score(profile: Profile, candidate: Candidate, zone: ZoneInfo, nearby_meters: int) -> tuple[int, list[str]]:
    """(points, reasons) of an activity the volunteer may join; higher is a better match."""
    points, reasons = 0, []
    if candidate.skills:  # the volunteer holds them all (the prefilter's caller checked)
        points += SKILL_POINTS
        reasons.append(f"需要{'、'.join(candidate.skills)}技能")
    if candidate.category.strip().lower() in profile.preferences:
        points += PREFERENCE_POINTS
        reasons.append(f"符合您的偏好：{candidate.category}")
    starts, ends = candidate.starts_at.astimezone(zone), candidate.ends_at.astimezone(zone)
    for window in profile.availability:
        if (window.weekday == starts.isoweekday() and starts.date() == ends.date()
                and window.start <= starts.time() and ends.time() <= window.end):
            points += AVAILABLE_POINTS
            reasons.append(f"周{WEEKDAYS[window.weekday - 1]} {starts:%H:%M} 有空")
            break
    if profile.home is not None:
        meters = distance_meters(profile.home[0], profile.home[1], candidate.latitude, candidate.longitude)
        # Full points inside the nearby circle, then shrinking with the distance.
        points += NEARBY_POINTS if meters <= nearby_meters else int(NEARBY_POINTS * nearby_meters / meters)
        reasons.append(format_distance(meters))
    return points, reasons


def rank(profile: Profile, candidates: list[Candidate], zone: ZoneInfo, nearby_meters: int,
         limit: int = MAX_RECOMMENDATIONS) -> list[tuple[Candidate, int, str]]:
    """The joinable candidates, best first (then the earliest), with their reason."""
    scored = []
    for candidate in candidates:
        if not holds_required_skills(profile, candidate):
            continue  # a sign-up would be refused
        points, reasons = score(profile, candidate, zone, nearby_meters)
        scored.append((candidate, points, " · ".join(reasons)))
    scored.sort(key=lambda item: (-item[1], item[0].starts_at, item[0].activity_id))
    return scored[:limit]
