"""Small SQL helpers shared by the repositories (both SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Table
from sqlalchemy.orm import Session

from shanxing_common.db import Prepared, as_utc, insert_if_absent_statement  # noqa: F401 - Prepared, as_utc re-exported


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def insert_if_absent(session: Session, table: Table, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when this call inserted the row (see
    shanxing_common.db.insert_if_absent_statement)."""
    stmt = insert_if_absent_statement(session.get_bind().dialect.name, table, tuple(values))
    return stmt.first(session, values) is not None
