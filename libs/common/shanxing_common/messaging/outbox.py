"""Transactional outbox (producer side) and inbox bookkeeping (consumer side).

Every service adds these tables to its own metadata with ``MessagingTables(metadata)``; they live in
the service's own database and are created by its own migrations.

Outbox rows get a dense, gap-free ``position`` from one counter row, assigned under that row's lock
in commit order, so the outbox is an ordered, replayable feed: a consumer that remembers the last
position it has seen can fill any gap the broker left.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import (BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text,
                        bindparam, delete, func, insert, select, update)
from sqlalchemy.orm import Session

from ..db import Prepared
from .envelope import Event, new_event


def _now() -> datetime:
    return datetime.now(timezone.utc)


class MessagingTables:
    """The outbox/inbox tables. Each service's migrations create them in its own database
    (alembic's target_metadata lists ``metadata`` beside the service's own)."""

    def __init__(self, metadata: MetaData):
        self.metadata = metadata
        self.outbox = Table(
            "outbox", metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("event_id", String(36), nullable=False, unique=True),
            Column("type", String(120), nullable=False),
            Column("envelope", Text, nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("position", BigInteger, nullable=True, unique=True),
            Column("sent_at", DateTime(timezone=True), nullable=True, index=True),
            Column("attempts", Integer, nullable=False, default=0),
            Column("last_error", Text, nullable=True),
        )
        self.outbox_head = Table(
            "outbox_head", metadata,
            Column("id", Integer, primary_key=True),
            Column("position", BigInteger, nullable=False),
        )
        self.processed_events = Table(
            "processed_events", metadata,
            Column("event_id", String(36), primary_key=True),
            Column("type", String(120), nullable=False),
            Column("producer", String(40), nullable=False),
            Column("processed_at", DateTime(timezone=True), nullable=False),
        )
        self.feed_cursors = Table(
            "feed_cursors", metadata,
            Column("producer", String(40), primary_key=True),
            Column("position", BigInteger, nullable=False),
            Column("updated_at", DateTime(timezone=True), nullable=False),
        )
        self.delivery_failures = Table(
            "delivery_failures", metadata,
            Column("event_id", String(36), primary_key=True),
            Column("type", String(120), nullable=False),
            Column("producer", String(40), nullable=False),
            Column("envelope", Text, nullable=False),
            Column("attempts", Integer, nullable=False),
            Column("last_error", Text, nullable=True),
            Column("dead", Integer, nullable=False, default=0),  # 1 = parked as a dead letter
            Column("updated_at", DateTime(timezone=True), nullable=False),
        )


metadata = MetaData()
_T = MessagingTables(metadata)


def tables() -> MessagingTables:
    return _T


# Compiled once: every write that records an event runs the INSERT (the redemption hot path too).
_INSERT_OUTBOX_ROW = Prepared(insert(_T.outbox), column_keys=["event_id", "type", "envelope", "created_at", "attempts"])
_SET_POSITION = Prepared(update(_T.outbox).where(_T.outbox.c.id == bindparam("b_id")), column_keys=["position"])


def record_event(session: Session, type_: str, data: dict, *, producer: str,
                 trace_id: str | None = None, event_id: str | None = None) -> Event:
    """Write an event into the outbox inside the caller's transaction."""
    event = new_event(type_, data, producer=producer, trace_id=trace_id, event_id=event_id)
    _INSERT_OUTBOX_ROW.rows(session, outbox_row(event))
    return event


def outbox_row(event: Event, created_at: datetime | None = None) -> dict:
    """The outbox row of an event: what record_event inserts, for writers that insert in bulk."""
    return dict(event_id=event.id, type=event.type, envelope=json.dumps(event.as_dict(), ensure_ascii=False),
                created_at=created_at or _now(), attempts=0)


def assign_positions(session: Session, limit: int = 1000) -> int:
    """Give committed, unpositioned outbox rows the next positions, in one locked step.

    The counter row is locked first (PostgreSQL row lock; on SQLite the write transaction itself),
    so positions are dense and become visible in order. Returns the head position.
    """
    t = tables()
    head_row = session.execute(
        select(t.outbox_head.c.position).where(t.outbox_head.c.id == 1).with_for_update()
    ).first()
    if head_row is None:
        session.execute(insert(t.outbox_head).values(id=1, position=0))
        head = 0
    else:
        head = head_row[0]
    ids = session.execute(
        select(t.outbox.c.id).where(t.outbox.c.position.is_(None)).order_by(t.outbox.c.id).limit(limit)
    ).scalars().all()
    if ids:
        _SET_POSITION.execute_many(session, [{"b_id": row_id, "position": head + n}
                                               for n, row_id in enumerate(ids, start=1)])
        head += len(ids)
        session.execute(update(t.outbox_head).where(t.outbox_head.c.id == 1).values(position=head))
    return head


def read_feed(session: Session, after: int, types: list[str] | None, limit: int) -> dict:
    """Events after a position, oldest first; ``next_after`` is where the reader continues."""
    t = tables()
    head = session.execute(select(t.outbox_head.c.position).where(t.outbox_head.c.id == 1)).scalar() or 0
    query = (select(t.outbox.c.position, t.outbox.c.envelope)
             .where(t.outbox.c.position > after, t.outbox.c.position <= head)
             .order_by(t.outbox.c.position).limit(limit))
    if types:
        query = query.where(t.outbox.c.type.in_(types))
    rows = session.execute(query).all()
    items = [dict(json.loads(env), position=pos) for pos, env in rows]
    next_after = rows[-1][0] if len(rows) == limit else head
    return {"items": items, "next_after": max(next_after, after), "head": head}


def purge_sent(session: Session, older_than: timedelta) -> int:
    """Drop sent rows past retention; the feed serves consumers that were down up to that long."""
    t = tables()
    result = session.execute(delete(t.outbox).where(t.outbox.c.sent_at.is_not(None),
                                                    t.outbox.c.sent_at < _now() - older_than))
    return result.rowcount or 0


def outbox_backlog(session: Session) -> int:
    t = tables()
    return session.execute(select(func.count()).select_from(t.outbox).where(t.outbox.c.sent_at.is_(None))).scalar() or 0


__all__ = ["MessagingTables", "metadata", "tables", "record_event", "outbox_row", "assign_positions", "read_feed",
           "purge_sent", "outbox_backlog"]
