"""A volunteer's profile beyond identity: weekly availability, home location, tags."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .identity import InvalidValue

# Fixed set: they drive statistics and targeted calls (e.g. party members for 党员志愿服务).
TAGS = ("party_member", "league_member", "women", "elderly", "student", "veteran", "disabled_helper")
MAX_WINDOWS = 21  # three windows a day
TIME_PATTERN = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]|24:00")


@dataclass(frozen=True)
class Window:
    """A weekly window, weekday 1 (Monday) .. 7 (Sunday), times "HH:MM" in SHANXING_TIMEZONE."""
    weekday: int
    start: str
    end: str

    def as_dict(self) -> dict:
        return {"weekday": self.weekday, "start": self.start, "end": self.end}


def parse_time(raw: str) -> str:
    if not isinstance(raw, str) or not TIME_PATTERN.fullmatch(raw.strip()):
        raise InvalidValue("must be a time HH:MM (00:00..24:00)")
    return raw.strip()


def window_problem(weekday: int, start: str, end: str) -> str | None:
    """Why a window is invalid (times already parsed), or None."""
    if not 1 <= weekday <= 7:
        return "weekday must be 1 (Monday) to 7 (Sunday)"
    if start == "24:00" or start >= end:  # "HH:MM" strings order like the times
        return "start must be before end"
    return None


def normalise_availability(windows: list[Window]) -> list[Window]:
    """Duplicates dropped, sorted by weekday and start; overlapping windows are allowed (a person
    may enter them as they like) but at most MAX_WINDOWS."""
    unique = sorted(set(windows), key=lambda w: (w.weekday, w.start, w.end))
    if len(unique) > MAX_WINDOWS:
        raise InvalidValue(f"at most {MAX_WINDOWS} windows")
    return unique


def normalise_tags(tags: list[str]) -> list[str]:
    unknown = [tag for tag in tags if tag not in TAGS]
    if unknown:
        raise InvalidValue(f"unknown tag(s) {', '.join(unknown)}; allowed: {', '.join(TAGS)}")
    return list(dict.fromkeys(tags))
