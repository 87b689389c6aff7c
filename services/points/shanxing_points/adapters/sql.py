"""Small SQL helpers shared by the repositories (both SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Table
from sqlalchemy.orm import Session

from shanxing_common.db import as_utc  # noqa: F401 - re-exported for the repositories


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



def insert_if_absent(session: Session, table: Table, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when this call inserted the row.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and then
    does nothing, so exactly one of them inserts."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # RETURNING, not rowcount: the PostgreSQL driver reports rowcount -1 for this statement.
    stmt = insert(table).values(**values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return session.execute(stmt).first() is not None
