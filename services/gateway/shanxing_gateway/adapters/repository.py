"""SQL of the gateway: the merchant nonce store and the request counters of the rate limits."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shanxing_common.db import Prepared

from .models import merchant_nonces, merchant_rate_windows, rate_windows


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _insert(dialect: str, table):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


# Built and compiled once per dialect: every signed request runs the nonce insert, and every
# lease-th one a counter upsert (building the statement per call cost more than running it).
@lru_cache(maxsize=None)
def _remember_nonce(dialect: str) -> Prepared:
    stmt = _insert(dialect, merchant_nonces)
    return Prepared(stmt.on_conflict_do_nothing(index_elements=["key_id", "nonce"])
                    .returning(merchant_nonces.c.nonce), column_keys=["key_id", "nonce", "seen_at"])


@lru_cache(maxsize=None)
def _count_request(dialect: str) -> Prepared:
    t = merchant_rate_windows
    stmt = _insert(dialect, t)
    return Prepared(stmt.on_conflict_do_update(index_elements=["key_id", "window_start"],
                                               set_={"requests": t.c.requests + stmt.excluded.requests})
                    .returning(t.c.requests), column_keys=["key_id", "window_start", "requests"])


@lru_cache(maxsize=None)
def _count_scoped_request(dialect: str) -> Prepared:
    t = rate_windows
    stmt = _insert(dialect, t)
    return Prepared(stmt.on_conflict_do_update(index_elements=["scope", "subject", "window_start"],
                                               set_={"requests": t.c.requests + stmt.excluded.requests})
                    .returning(t.c.requests), column_keys=["scope", "subject", "window_start", "requests"])


def remember_nonce(session: Session, key_id: str, nonce: str, seen_at: datetime) -> bool:
    """Record a nonce; False when the (key_id, nonce) primary key already holds it (a replay).

    ON CONFLICT DO NOTHING lets the primary key decide without aborting the transaction; a
    concurrent insert of the same pair waits for the first one and then sees the conflict."""
    return _remember_nonce(_dialect(session)).first(
        session, {"key_id": key_id, "nonce": nonce, "seen_at": seen_at}) is not None


def count_request(session: Session, key_id: str, window_start: int, amount: int = 1) -> int:
    """Add ``amount`` requests to the key's window and return the window's count so far."""
    return _count_request(_dialect(session)).first(
        session, {"key_id": key_id, "window_start": window_start, "requests": amount})["requests"]


def purge_nonces(session: Session, seen_before: datetime) -> int:
    return session.execute(delete(merchant_nonces).where(merchant_nonces.c.seen_at < seen_before)).rowcount


def purge_rate_windows(session: Session, window_before: int) -> int:
    t = merchant_rate_windows
    return session.execute(delete(t).where(t.c.window_start < window_before)).rowcount


def count_scoped_request(session: Session, scope: str, subject: str, window_start: int, amount: int = 1) -> int:
    """Add ``amount`` requests to (scope, subject)'s window and return the window's count so far."""
    return _count_scoped_request(_dialect(session)).first(
        session, {"scope": scope, "subject": subject, "window_start": window_start, "requests": amount})["requests"]


def purge_scoped_windows(session: Session, window_before: int) -> int:
    t = rate_windows
    return session.execute(delete(t).where(t.c.window_start < window_before)).rowcount
