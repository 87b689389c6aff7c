"""Merchant signing keys: an id the till sends, and a secret it signs with."""
from __future__ import annotations

import secrets


def new_key_id() -> str:
    return "mk_" + secrets.token_hex(10)


def new_key_secret() -> str:
    return secrets.token_urlsafe(32)


# Rotation: issue the new key, move the tills over, then revoke the old one. Two active keys at
# most, so a leaked key cannot quietly live on beside its replacement.
MAX_ACTIVE_KEYS = 2


def may_issue_another(active_keys: int) -> bool:
    return active_keys < MAX_ACTIVE_KEYS
