"""Small SQL helpers shared by the repositories (both SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import Table
from sqlalchemy.orm import Session

from shanxing_common.db import Prepared, as_utc  # noqa: F401 - as_utc re-exported for the repositories


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def insert_if_absent(session: Session, table: Table, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when this call inserted the row.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and then
    does nothing, so exactly one of them inserts."""
    stmt = _insert_if_absent_statement(session.get_bind().dialect.name, table, tuple(values))
    return stmt.first(session, values) is not None


@lru_cache(maxsize=None)
def _insert_if_absent_statement(dialect: str, table: Table, keys: tuple[str, ...]) -> Prepared:
    """Built and compiled once per table and column set (the redemption hot path runs two)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # RETURNING, not rowcount: the PostgreSQL driver reports rowcount -1 for this statement.
    return Prepared(insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns),
                    column_keys=list(keys))
