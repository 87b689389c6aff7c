"""Failed-login throttling per account: a fixed window that opens at the first failure (registry's
people and points' merchant staff alike).

After ``max_failures`` failures inside ``window_seconds`` the account refuses further attempts,
without a password check, until the window closes. A success clears the count.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window_seconds: int = 900


@dataclass(frozen=True)
class FailureWindow:
    failures: int
    opened_at: datetime | None

    def current(self, policy: ThrottlePolicy, now: datetime) -> "FailureWindow":
        """The window as it stands at ``now`` (an expired one counts nothing)."""
        if self.opened_at is None or now >= self.opened_at + timedelta(seconds=policy.window_seconds):
            return FailureWindow(0, None)
        return self

    def retry_after(self, policy: ThrottlePolicy, now: datetime) -> int | None:
        """Seconds until an attempt is allowed again, or None when one is allowed now."""
        window = self.current(policy, now)
        if window.failures < policy.max_failures:
            return None
        remaining = (window.opened_at + timedelta(seconds=policy.window_seconds) - now).total_seconds()
        return max(1, math.ceil(remaining))

    def after_attempt(self, policy: ThrottlePolicy, now: datetime) -> "FailureWindow":
        """Counts an attempt as failed (it is counted before the check, so racing attempts
        cannot exceed the limit); a success then calls ``cleared``."""
        window = self.current(policy, now)
        return FailureWindow(window.failures + 1, window.opened_at or now)

    @staticmethod
    def cleared() -> "FailureWindow":
        return FailureWindow(0, None)
