"""The worker process of a service: outbox relay, broker consumer, feed follower, scheduled jobs.

One thread, two broker connections (one to consume, one to publish) so a publish that waits for its
confirm never runs a consumer callback re-entrantly. Stops cleanly on SIGTERM/SIGINT: the message
being handled is finished and acked first.
"""
from __future__ import annotations

import logging
import signal
import socket
import time
from dataclasses import dataclass
from typing import Callable

from kombu import Consumer

from ..db import Database
from . import topology
from .broker import Publisher, connect, is_amqp
from .consumer import DEAD, DONE, IGNORED, RETRY, FeedFollower, Inbox
from .relay import Relay

log = logging.getLogger("shanxing.worker")


@dataclass
class Job:
    name: str
    every_seconds: float
    run: Callable[[], object]
    next_at: float = 0.0


class Worker:
    def __init__(self, *, service: str, db: Database, broker_url: str, inbox: Inbox | None,
                 follower: FeedFollower | None, jobs: list[Job] | None = None,
                 relay_poll_seconds: float = 0.2, feed_poll_seconds: float = 5.0):
        self.service = service
        self.db = db
        self.broker_url = broker_url
        self.inbox = inbox
        self.follower = follower
        self.relay = Relay(db)
        self.jobs = list(jobs or [])
        if follower is not None:
            self.jobs.append(Job("feed-follower", feed_poll_seconds, follower.follow_all))
        if broker_url.startswith("sqla+"):
            self.jobs.append(Job("embedded-bus-housekeeping", 3600, self._purge_embedded_bus))
        self.relay_poll_seconds = relay_poll_seconds
        self.should_stop = False
        self._consume_conn = None
        self._publish_conn = None
        self._publisher: Publisher | None = None
        self._consumer = None

    # -- lifecycle -------------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        def stop(signum, _frame):
            log.info("worker %s stopping on signal %s", self.service, signum)
            self.should_stop = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def _open(self) -> None:
        self._close()
        self._publish_conn = connect(self.broker_url)
        self._publisher = Publisher(self._publish_conn)
        if self.inbox is not None:
            self._consume_conn = connect(self.broker_url)
            queue = topology.consumer_queue(self.service, is_amqp(self.broker_url))
            self._consumer = Consumer(self._consume_conn.default_channel, queues=[queue],
                                      callbacks=[self._on_message], accept=["json"], prefetch_count=10)
            self._consumer.consume()
        log.info("worker %s connected to broker", self.service)

    def _close(self) -> None:
        for conn in (self._consume_conn, self._publish_conn):
            if conn is not None:
                try:
                    conn.release()
                except Exception:  # noqa: BLE001 - closing a broken connection
                    pass
        self._consume_conn = self._publish_conn = None
        self._publisher = self._consumer = None

    def _purge_embedded_bus(self) -> int:
        """kombu's SQLAlchemy transport only hides delivered messages; drop those older than a day
        so the embedded bus file does not grow without end (the outbox feed keeps the history)."""
        from datetime import datetime, timedelta

        from sqlalchemy import create_engine, text

        engine = create_engine(self.broker_url[len("sqla+"):], connect_args={"timeout": 30})
        try:
            with engine.begin() as conn:
                result = conn.execute(text("DELETE FROM kombu_message WHERE visible = :hidden AND sent_at < :cutoff"),
                                      {"hidden": False, "cutoff": datetime.now() - timedelta(days=1)})
            return result.rowcount or 0
        except Exception as exc:  # noqa: BLE001 - no table yet, or locked: next hour
            log.info("embedded bus housekeeping skipped: %s", exc)
            return 0
        finally:
            engine.dispose()

    # -- message handling ------------------------------------------------------------------
    def _on_message(self, body, message) -> None:
        outcome = self.inbox.process(body) if isinstance(body, dict) else DEAD
        if outcome in (DONE, IGNORED):
            message.ack()
        elif outcome == RETRY:
            time.sleep(0.2)
            message.requeue()
        else:  # DEAD: parked in delivery_failures; RabbitMQ also routes it to the dead-letter queue
            message.reject(requeue=False)

    # -- loop ------------------------------------------------------------------------------
    def run_once(self, drain_timeout: float = 0.2) -> None:
        if self._publish_conn is None:
            self._open()
        if self._consume_conn is not None:
            try:
                self._consume_conn.drain_events(timeout=drain_timeout)
            except socket.timeout:
                pass
        else:
            time.sleep(drain_timeout)
        self.relay.tick(self._publisher)
        now = time.monotonic()
        for job in self.jobs:
            if now >= job.next_at:
                job.next_at = now + job.every_seconds
                try:
                    job.run()
                except Exception:  # noqa: BLE001 - a failing job must not stop the worker
                    log.exception("job %s failed", job.name)
        for conn in (self._consume_conn, self._publish_conn):
            if conn is not None and is_amqp(self.broker_url):
                conn.heartbeat_check()

    def run(self) -> None:
        self.install_signal_handlers()
        backoff = 0.5
        while not self.should_stop:
            try:
                self.run_once(self.relay_poll_seconds)
                backoff = 0.5
            except Exception as exc:  # noqa: BLE001 - reconnect on any broker or database error
                log.warning("worker %s loop error, reconnecting in %.1fs: %s", self.service, backoff, exc)
                self._close()
                time.sleep(backoff)
                backoff = min(backoff * 2, 10)
        self._close()
        log.info("worker %s stopped", self.service)
