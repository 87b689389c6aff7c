"""Merchant signing keys: an id the till sends, and a secret it signs with."""
from __future__ import annotations

import secrets


def new_key_id() -> str:
    return "mk_" + secrets.token_hex(10)


def new_key_secret() -> str:
    return secrets.token_urlsafe(32)
