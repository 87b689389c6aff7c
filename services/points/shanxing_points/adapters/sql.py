"""Small SQL helpers shared by the repositories (both SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import Table
from sqlalchemy.orm import Session

from shanxing_common.db import as_utc  # noqa: F401 - re-exported for the repositories


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def insert_if_absent(session: Session, table: Table, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when this call inserted the row.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and then
    does nothing, so exactly one of them inserts."""
    stmt = _insert_if_absent_statement(session.get_bind().dialect.name, table)
    return session.execute(stmt, values).first() is not None


@lru_cache(maxsize=None)
def _insert_if_absent_statement(dialect: str, table: Table):
    """Built once per table: the values come as parameters, so SQLAlchemy neither rebuilds the
    statement nor recomputes its cache key on every call (the redemption hot path)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # RETURNING, not rowcount: the PostgreSQL driver reports rowcount -1 for this statement.
    return insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
