"""argon2id password hashes (argon2-cffi's defaults, which follow RFC 9106): plumbing for every
service that signs someone in (registry: people; points: merchant staff)."""
from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def spend_dummy_verification(password: str) -> None:
    """Costs what a real check costs, so an unknown phone cannot be told apart by timing."""
    verify_password(_dummy_hash(), password)
