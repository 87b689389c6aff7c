"""Idempotent consumption: a handler's effect and the event id commit in one transaction.

``Inbox.process`` is used by the broker consumer (fast path) and by the feed follower (gap fill);
whichever arrives second finds the id in processed_events and does nothing.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Callable

import requests
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import internal_auth
from ..db import Database
from .envelope import Event
from .outbox import tables

log = logging.getLogger("shanxing.consumer")

Handler = Callable[[Session, Event], None]

DONE, RETRY, DEAD, IGNORED = "done", "retry", "dead", "ignored"


def _now():
    return datetime.now(timezone.utc)


class Inbox:
    def __init__(self, service: str, db: Database, handlers: dict[str, Handler], max_attempts: int = 5):
        self.service = service
        self.db = db
        self.handlers = handlers
        self.max_attempts = max_attempts

    @property
    def types(self) -> list[str]:
        return sorted(self.handlers)

    def process(self, envelope: dict) -> str:
        try:
            event = Event.from_dict(envelope)
        except (ValueError, TypeError) as exc:
            log.error("malformed envelope dropped to dead letters: %s", exc)
            return DEAD
        handler = self.handlers.get(event.type)
        if handler is None:
            return IGNORED  # a consumer ignores types it does not know
        t = tables()
        try:
            with self.db.transaction() as s:
                if s.execute(select(t.processed_events.c.event_id)
                             .where(t.processed_events.c.event_id == event.id)).first():
                    return DONE
                parked = s.execute(select(t.delivery_failures.c.dead)
                                   .where(t.delivery_failures.c.event_id == event.id)).scalar()
                if parked:
                    return DEAD
                handler(s, event)
                s.execute(insert(t.processed_events).values(
                    event_id=event.id, type=event.type, producer=event.producer, processed_at=_now()))
            return DONE
        except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then parked
            if isinstance(exc, IntegrityError) and self._already_processed(event.id):
                return DONE  # a concurrent delivery of the same event won the race
            return self._record_failure(event, envelope, exc)

    def _already_processed(self, event_id: str) -> bool:
        t = tables()
        with self.db.read() as s:
            return s.execute(select(t.processed_events.c.event_id)
                             .where(t.processed_events.c.event_id == event_id)).first() is not None

    def _record_failure(self, event: Event, envelope: dict, exc: Exception) -> str:
        t = tables()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        with self.db.transaction() as s:
            attempts = s.execute(select(t.delivery_failures.c.attempts)
                                 .where(t.delivery_failures.c.event_id == event.id)).scalar()
            attempts = (attempts or 0) + 1
            dead = 1 if attempts >= self.max_attempts else 0
            values = dict(type=event.type, producer=event.producer, attempts=attempts, last_error=error,
                          dead=dead, updated_at=_now(), envelope=json.dumps(envelope, ensure_ascii=False))
            if attempts == 1:
                s.execute(insert(t.delivery_failures).values(event_id=event.id, **values))
            else:
                s.execute(update(t.delivery_failures).where(t.delivery_failures.c.event_id == event.id)
                          .values(**values))
        if dead:
            log.error("event %s (%s) parked as dead letter after %d attempts: %s",
                      event.id, event.type, attempts, error)
            return DEAD
        log.warning("event %s (%s) failed (attempt %d): %s", event.id, event.type, attempts, error)
        return RETRY

    def replay_dead(self, event_id: str | None = None) -> list[tuple[str, str]]:
        """Ops: run parked events again (all, or one); returns (event_id, outcome) pairs."""
        t = tables()
        with self.db.read() as s:
            q = select(t.delivery_failures.c.event_id, t.delivery_failures.c.envelope).where(
                t.delivery_failures.c.dead == 1)
            if event_id:
                q = q.where(t.delivery_failures.c.event_id == event_id)
            rows = s.execute(q).all()
        results = []
        for eid, envelope in rows:
            with self.db.transaction() as s:
                s.execute(update(t.delivery_failures).where(t.delivery_failures.c.event_id == eid)
                          .values(dead=0, attempts=0))
            results.append((eid, self.process(json.loads(envelope))))
        return results


class FeedFollower:
    """Fills gaps from each producer's outbox feed, remembering a cursor per producer.

    The broker is the fast path; this makes delivery complete even on brokerless transports,
    which lose a message whose consumer dies before acking.
    """

    def __init__(self, inbox: Inbox, internal_key: str, peers: dict[str, str], page: int = 200,
                 timeout: float = 5.0):
        self.inbox = inbox
        self.internal_key = internal_key
        self.peers = peers
        self.page = page
        self.timeout = timeout
        self._http = None

    @property
    def producers(self) -> list[str]:
        return sorted({t.split(".", 1)[0] for t in self.inbox.types})

    def _session(self) -> requests.Session:
        if self._http is None:
            self._http = requests.Session()
        return self._http

    def cursor(self, producer: str) -> int:
        t = tables()
        with self.inbox.db.read() as s:
            return s.execute(select(t.feed_cursors.c.position)
                             .where(t.feed_cursors.c.producer == producer)).scalar() or 0

    def _save_cursor(self, producer: str, position: int) -> None:
        t = tables()
        with self.inbox.db.transaction() as s:
            current = s.execute(select(t.feed_cursors.c.position)
                                .where(t.feed_cursors.c.producer == producer)).scalar()
            if current is None:
                s.execute(insert(t.feed_cursors).values(producer=producer, position=position,
                                                        updated_at=_now()))
            elif position > current:
                s.execute(update(t.feed_cursors).where(t.feed_cursors.c.producer == producer)
                          .values(position=position, updated_at=_now()))

    def follow(self, producer: str) -> int:
        """Read the producer's feed to its head; returns how many events were newly handled."""
        base = self.peers[producer]
        types = [t for t in self.inbox.types if t.startswith(producer + ".")]
        handled = 0
        after = self.cursor(producer)
        while True:
            token = internal_auth.mint(self.internal_key, kind="service", subject=self.inbox.service)
            resp = self._session().get(
                f"{base}/internal/feed", params={"after": after, "types": ",".join(types), "limit": self.page},
                headers={internal_auth.HEADER: token}, timeout=self.timeout)
            resp.raise_for_status()
            page = resp.json()
            for item in page["items"]:
                outcome = self.inbox.process(item)
                if outcome == RETRY:
                    self._save_cursor(producer, after)
                    return handled  # this one is tried again on the next round
                handled += 1
                after = item["position"]
            after = max(after, page["next_after"])
            self._save_cursor(producer, after)
            if len(page["items"]) < self.page:
                return handled

    def follow_all(self) -> int:
        total = 0
        for producer in self.producers:
            try:
                total += self.follow(producer)
            except requests.RequestException as exc:
                log.info("feed of %s not reachable now: %s", producer, exc)
        return total
