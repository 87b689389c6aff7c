"""SQL of the gateway: the merchant nonce store and the request counters of the rate limits."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import delete
from sqlalchemy.orm import Session

from shanxing_common.db import Database, Prepared, dialect_insert, insert_if_absent_statement

from .models import merchant_nonces, merchant_rate_windows, rate_windows


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@lru_cache(maxsize=None)
def _add_requests(dialect: str, table, key_columns: tuple[str, ...]) -> Prepared:
    """Upsert adding ``requests`` to the window's row, returning its count; compiled once (every
    lease-th signed or personal request runs one)."""
    stmt = dialect_insert(dialect, table)
    return Prepared(stmt.on_conflict_do_update(index_elements=list(key_columns),
                                               set_={"requests": table.c.requests + stmt.excluded.requests})
                    .returning(table.c.requests), column_keys=[*key_columns, "requests"])


def _nonce_insert(dialect: str, key_id: str, nonce: str, seen_at: datetime) -> tuple[Prepared, dict]:
    values = {"key_id": key_id, "nonce": nonce, "seen_at": seen_at}
    return insert_if_absent_statement(dialect, merchant_nonces, tuple(values)), values


def remember_nonce(session: Session, key_id: str, nonce: str, seen_at: datetime) -> bool:
    """Record a nonce; False when the (key_id, nonce) primary key already holds it (a replay).

    ON CONFLICT DO NOTHING lets the primary key decide without aborting the transaction; a
    concurrent insert of the same pair waits for the first one and then sees the conflict."""
    statement, values = _nonce_insert(_dialect(session), key_id, nonce, seen_at)
    return statement.first(session, values) is not None


def remember_nonce_alone(db: Database, key_id: str, nonce: str, seen_at: datetime) -> bool:
    """remember_nonce as a statement of its own (autocommit): when the nonce is all a request writes."""
    statement, values = _nonce_insert(db.engine.dialect.name, key_id, nonce, seen_at)
    return bool(db.run_alone(statement, values))


def count_request(session: Session, key_id: str, window_start: int, amount: int = 1) -> int:
    """Add ``amount`` requests to the key's window and return the window's count so far."""
    return _add_requests(_dialect(session), merchant_rate_windows, ("key_id", "window_start")).first(
        session, {"key_id": key_id, "window_start": window_start, "requests": amount})["requests"]


def purge_nonces(session: Session, seen_before: datetime) -> int:
    return session.execute(delete(merchant_nonces).where(merchant_nonces.c.seen_at < seen_before)).rowcount


def purge_rate_windows(session: Session, window_before: int) -> int:
    t = merchant_rate_windows
    return session.execute(delete(t).where(t.c.window_start < window_before)).rowcount


def count_scoped_request(session: Session, scope: str, subject: str, window_start: int, amount: int = 1) -> int:
    """Add ``amount`` requests to (scope, subject)'s window and return the window's count so far."""
    return _add_requests(_dialect(session), rate_windows, ("scope", "subject", "window_start")).first(
        session, {"scope": scope, "subject": subject, "window_start": window_start, "requests": amount})["requests"]


def purge_scoped_windows(session: Session, window_before: int) -> int:
    t = rate_windows
    return session.execute(delete(t).where(t.c.window_start < window_before)).rowcount
