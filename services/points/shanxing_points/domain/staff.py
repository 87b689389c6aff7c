"""Merchant staff: who may do what at a merchant's POS page, and who made a redemption.

A ``cashier`` lists goods and stores, redeems and lists redemptions; a ``manager`` may also refund
and add or change goods. Managing staff, settlement and everything else stays with the merchant's
signing key (and ops).
"""
from __future__ import annotations

import re

CASHIER, MANAGER = "cashier", "manager"
ROLES = (CASHIER, MANAGER)
ACTIVE, INACTIVE = "active", "inactive"

# What a staff member asks to do on a merchant route.
LIST_GOODS, LIST_STORES, REDEEM, LIST_REDEMPTIONS = "list_goods", "list_stores", "redeem", "list_redemptions"
REFUND, MANAGE_GOODS = "refund", "manage_goods"
KEY_ONLY = "key_only"  # staff management, settlement: never a staff member

PERMISSIONS: dict[str, frozenset[str]] = {
    CASHIER: frozenset({LIST_GOODS, LIST_STORES, REDEEM, LIST_REDEMPTIONS}),
    MANAGER: frozenset({LIST_GOODS, LIST_STORES, REDEEM, LIST_REDEMPTIONS, REFUND, MANAGE_GOODS}),
}

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
STAFF_SUBJECT_PREFIX = "staff:"  # the internal token's subject for a staff member
KEY_ACTOR_PREFIX = "key:"


def may(role: str, action: str) -> bool:
    return action in PERMISSIONS.get(role, frozenset())


def normalise_login(login: str) -> str:
    """Logins are case-insensitive: stored and compared lower-cased, without surrounding spaces."""
    return login.strip().lower()


def staff_id_of(subject: str | None) -> str | None:
    """The staff id in an internal token's subject (``staff:<id>``), None for a signing key."""
    if subject and subject.startswith(STAFF_SUBJECT_PREFIX):
        return subject[len(STAFF_SUBJECT_PREFIX):]
    return None


def made_by(subject: str | None) -> str:
    """What a redemption or refund records as its maker: ``staff:<id>`` or ``key:<key_id>``."""
    if staff_id_of(subject) is not None:
        return subject
    return KEY_ACTOR_PREFIX + (subject or "")
