"""Questions answered from the local read model of registry's data.

A miss may only mean registry's event is still in flight, so on a miss the service reads
registry's feed once (``catch_up``) and asks again before answering 400/403/404.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from shanxing_common.internal_auth import Caller
from shanxing_common.web import ServiceContext

from ..adapters import repository

T = TypeVar("T")
PRODUCER = "registry"


def _ask_with_catch_up(ctx: ServiceContext, question: Callable[[], T]) -> T:
    answer = question()
    if not answer:
        ctx.catch_up(PRODUCER)
        answer = question()
    return answer


def is_volunteer(ctx: ServiceContext, person_id: str | None) -> bool:
    if not person_id:
        return False

    def ask() -> bool:
        with ctx.db.read() as s:
            return repository.volunteer(s, person_id) is not None

    return _ask_with_catch_up(ctx, ask)


def approved_organization(ctx: ServiceContext, organization_id: str):
    def ask():
        with ctx.db.read() as s:
            return repository.approved_organization(s, organization_id)

    return _ask_with_catch_up(ctx, ask)


def is_organization_admin(ctx: ServiceContext, caller: Caller, organization_id: str) -> bool:
    if caller.kind != "person" or not caller.subject:
        return False

    def ask() -> bool:
        with ctx.db.read() as s:
            return repository.is_organization_admin(s, organization_id, caller.subject)

    return _ask_with_catch_up(ctx, ask)


def may_manage(ctx: ServiceContext, caller: Caller, organization_id: str) -> bool:
    """Ops and the organization's admins see its activities in every status."""
    return caller.is_ops or is_organization_admin(ctx, caller, organization_id)


def volunteer(ctx: ServiceContext, person_id: str):
    """The volunteer's read-model row (skills, preferences, availability, home), or None."""
    def ask():
        with ctx.db.read() as s:
            return repository.volunteer(s, person_id)

    return _ask_with_catch_up(ctx, ask)
