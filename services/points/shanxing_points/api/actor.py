"""Who acts on a merchant route (signing key or staff member) and whether their role allows it."""
from __future__ import annotations

from functools import wraps

from flask import g

from shanxing_common.internal_auth import caller, require_merchant
from shanxing_common.web import context

from ..service.staff import Actor, actor_for


def merchant_action(action: str):
    """require_merchant, then the staff role check of ``action`` (domain.staff); g.actor is set."""
    def decorator(fn):
        @require_merchant
        @wraps(fn)
        def wrapper(*args, **kwargs):
            c = caller()
            g.actor = actor_for(context().db, c.merchant_id, c.subject, action, c.credentials_version)
            return fn(*args, **kwargs)

        return wrapper

    return decorator


def actor() -> Actor:
    return g.actor
