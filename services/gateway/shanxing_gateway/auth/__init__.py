"""How callers prove who they are: people with a JWT, merchants with signed requests."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Identity:
    """Who is calling, as forwarded to the services in the internal token."""

    kind: str  # anonymous | person | merchant
    subject: str | None = None
    roles: tuple[str, ...] = field(default_factory=tuple)
    merchant_id: str | None = None
    # Staff only: the account's credentials version at sign-in (points refuses it after a reset).
    credentials_version: int | None = None


ANONYMOUS = Identity(kind="anonymous")
