"""A volunteer's move to another region: hours and records follow; history is kept."""
from __future__ import annotations


def transfer_problem(current_region: str, to_region: str) -> str | None:
    if current_region == to_region:
        return f"the volunteer is already in region {to_region}"
    return None
