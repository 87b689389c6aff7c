"""A plain state machine: which action moves which statuses to which status."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str


class StateMachine:
    def __init__(self, statuses: tuple[str, ...], transitions: tuple[Transition, ...]):
        self.statuses = statuses
        self.transitions = {t.action: t for t in transitions}

    def sources(self, action: str) -> tuple[str, ...]:
        return self.transitions[action].sources

    def target(self, action: str) -> str:
        return self.transitions[action].target

    def allows(self, current: str, action: str) -> bool:
        return current in self.transitions[action].sources

    def next_status(self, current: str, action: str) -> str | None:
        """The status after ``action``, or None when ``current`` refuses it."""
        return self.target(action) if self.allows(current, action) else None

    def refusal(self, current: str, action: str) -> str:
        allowed = ", ".join(self.sources(action))
        return f"the status is {current}; {action} needs {allowed}"
