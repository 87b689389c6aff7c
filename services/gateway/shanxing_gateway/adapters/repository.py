"""SQL of the gateway: the merchant nonce store and the request counters of the rate limits."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import merchant_nonces, merchant_rate_windows, rate_windows


def _insert(session: Session, table):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def remember_nonce(session: Session, key_id: str, nonce: str, seen_at: datetime) -> bool:
    """Record a nonce; False when the (key_id, nonce) primary key already holds it (a replay).

    ON CONFLICT DO NOTHING lets the primary key decide without aborting the transaction; a
    concurrent insert of the same pair waits for the first one and then sees the conflict."""
    stmt = _insert(session, merchant_nonces).values(key_id=key_id, nonce=nonce, seen_at=seen_at)
    stmt = stmt.on_conflict_do_nothing(index_elements=["key_id", "nonce"]).returning(merchant_nonces.c.nonce)
    return session.execute(stmt).first() is not None


def count_request(session: Session, key_id: str, window_start: int, amount: int = 1) -> int:
    """Add ``amount`` requests to the key's window and return the window's count so far."""
    t = merchant_rate_windows
    stmt = _insert(session, t).values(key_id=key_id, window_start=window_start, requests=amount)
    stmt = stmt.on_conflict_do_update(index_elements=["key_id", "window_start"],
                                      set_={"requests": t.c.requests + amount}).returning(t.c.requests)
    return session.execute(stmt).scalar_one()


def purge_nonces(session: Session, seen_before: datetime) -> int:
    return session.execute(delete(merchant_nonces).where(merchant_nonces.c.seen_at < seen_before)).rowcount


def purge_rate_windows(session: Session, window_before: int) -> int:
    t = merchant_rate_windows
    return session.execute(delete(t).where(t.c.window_start < window_before)).rowcount


def count_scoped_request(session: Session, scope: str, subject: str, window_start: int, amount: int = 1) -> int:
    """Add ``amount`` requests to (scope, subject)'s window and return the window's count so far."""
    t = rate_windows
    stmt = _insert(session, t).values(scope=scope, subject=subject, window_start=window_start, requests=amount)
    stmt = stmt.on_conflict_do_update(index_elements=["scope", "subject", "window_start"],
                                      set_={"requests": t.c.requests + amount}).returning(t.c.requests)
    return session.execute(stmt).scalar_one()


def purge_scoped_windows(session: Session, window_before: int) -> int:
    t = rate_windows
    return session.execute(delete(t).where(t.c.window_start < window_before)).rowcount
