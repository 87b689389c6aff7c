"""Outbox relay: publishes outbox rows in position order and marks them sent only after the
broker accepted them (publisher confirms on RabbitMQ). A crash between publish and mark re-sends:
at-least-once, which the consumers' processed_events table turns into exactly-once effects."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import exists, select, update

from ..db import Database
from .broker import Publisher
from .outbox import assign_positions, purge_sent, tables

log = logging.getLogger("shanxing.relay")


class Relay:
    def __init__(self, db: Database, batch: int = 200, retention: timedelta = timedelta(days=7)):
        self.db = db
        self.batch = batch
        self.retention = retention
        self._last_purge = datetime.min.replace(tzinfo=timezone.utc)

    def tick(self, publisher: Publisher) -> int:
        """One pass; returns how many events were published."""
        t = tables()
        with self.db.read() as s:
            # Nearly every tick finds nothing: answer that with one read instead of the write
            # transaction (SQLite's write lock, PostgreSQL's head-row lock) assign_positions takes.
            unpositioned, unsent = s.execute(select(
                exists().where(t.outbox.c.sent_at.is_(None), t.outbox.c.position.is_(None)),
                exists().where(t.outbox.c.sent_at.is_(None)))).one()
        if not unsent:
            self._maybe_purge()
            return 0
        if unpositioned:
            with self.db.transaction() as s:
                assign_positions(s)
        with self.db.read() as s:
            rows = s.execute(
                select(t.outbox.c.id, t.outbox.c.envelope)
                .where(t.outbox.c.sent_at.is_(None), t.outbox.c.position.is_not(None))
                .order_by(t.outbox.c.position).limit(self.batch)
            ).all()
        sent: list[int] = []
        try:
            for row_id, envelope in rows:
                publisher.publish(json.loads(envelope))
                sent.append(row_id)
        except Exception as exc:
            log.warning("publish failed after %d of %d: %s", len(sent), len(rows), exc)
            if rows[len(sent):]:
                failed_id = rows[len(sent)][0]
                with self.db.transaction() as s:
                    s.execute(update(t.outbox).where(t.outbox.c.id == failed_id)
                              .values(attempts=t.outbox.c.attempts + 1, last_error=str(exc)[:2000]))
            raise
        finally:
            if sent:
                now = datetime.now(timezone.utc)
                with self.db.transaction() as s:
                    s.execute(update(t.outbox).where(t.outbox.c.id.in_(sent)).values(sent_at=now))
        self._maybe_purge()
        return len(sent)

    def _maybe_purge(self) -> None:
        now = datetime.now(timezone.utc)
        if now - self._last_purge < timedelta(hours=1):
            return
        self._last_purge = now
        with self.db.transaction() as s:
            purged = purge_sent(s, self.retention)
        if purged:
            log.info("purged %d sent outbox rows older than %s", purged, self.retention)
