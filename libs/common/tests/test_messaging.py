"""The event plumbing end to end: outbox → relay → broker → idempotent consumer, and the feed that
fills what a brokerless transport loses. Runs on SQLite + the embedded transport, and on
PostgreSQL + RabbitMQ when DATABASE_URL / BROKER_URL are set."""
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import insert, select, func
from werkzeug.serving import make_server

from shanxing_common import internal_auth
from shanxing_common.config import Settings
from shanxing_common.messaging import record_event
from shanxing_common.messaging.broker import Publisher, connect
from shanxing_common.messaging.consumer import DEAD, DONE, RETRY, FeedFollower, Inbox
from shanxing_common.messaging.outbox import tables
from shanxing_common.messaging.worker import Worker
from shanxing_common.web import create_service_app

from .conftest import effects

HOURS = "activities.hours_confirmed.v1"
KEY = "k" * 48


def remember(session, event):
    session.execute(insert(effects).values(event_id=event.id, value=event.data["record_id"]))


def effect_count(db) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(effects)).scalar()


def write_events(db, n, start=0):
    with db.transaction() as s:
        return [record_event(s, HOURS, {"record_id": f"r{start + i}"}, producer="activities").id
                for i in range(n)]


def run_until(worker, condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        worker.run_once(0.1)
        if condition():
            return True
    return False


RELAY_CHILD = """
import sys, time
from sqlalchemy import select
from shanxing_common.db import Database
from shanxing_common.messaging.outbox import tables
from shanxing_common.messaging.worker import Worker

# A separate process that only publishes; it declares the topology itself.
worker = Worker(service="activities", db=Database(sys.argv[1]), broker_url=sys.argv[2], inbox=None,
                follower=None)
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    worker.run_once(0.05)
    with worker.db.read() as s:
        t = tables().outbox
        if not s.execute(select(t.c.id).where(t.c.sent_at.is_(None))).first():
            break
worker._close()
"""


def consumer_worker(consumer_db, broker_url, handler=remember):
    inbox = Inbox("registry", consumer_db, {HOURS: handler}, max_attempts=3)
    return Worker(service="registry", db=consumer_db, broker_url=broker_url, inbox=inbox, follower=None)


def test_cross_process_delivery_exactly_once(producer_db, consumer_db, broker_url):
    consumer = consumer_worker(consumer_db, broker_url)
    consumer.run_once(0.05)  # the consumer's queue exists before anything is published
    write_events(producer_db, 5)
    child = subprocess.run([sys.executable, "-c", RELAY_CHILD, producer_db.url, broker_url], timeout=60)
    assert child.returncode == 0
    assert run_until(consumer, lambda: effect_count(consumer_db) == 5)
    with producer_db.read() as s:
        t = tables().outbox
        assert s.execute(select(func.count()).select_from(t).where(t.c.sent_at.is_(None))).scalar() == 0
    consumer._close()


def test_same_event_delivered_twice_has_one_effect(consumer_db):
    inbox = Inbox("registry", consumer_db, {HOURS: remember})
    envelope = {"id": "11111111-1111-1111-1111-111111111111", "type": HOURS, "producer": "activities",
                "occurred_at": "2026-11-23T10:00:00+00:00", "trace_id": "t", "data": {"record_id": "r1"}}
    assert inbox.process(envelope) == DONE
    assert inbox.process(dict(envelope)) == DONE
    assert effect_count(consumer_db) == 1


def test_outbox_row_written_before_a_crash_is_published_after_restart(producer_db, consumer_db, broker_url):
    consumer = consumer_worker(consumer_db, broker_url)
    consumer.run_once(0.05)
    write_events(producer_db, 2)  # committed, then the process "dies" before any relay ran
    restarted = Worker(service="activities", db=producer_db, broker_url=broker_url, inbox=None, follower=None)
    restarted.run_once(0.05)
    assert run_until(consumer, lambda: effect_count(consumer_db) == 2)
    restarted._close()
    consumer._close()


def test_relay_crash_between_publish_and_mark_republishes_and_consumer_dedupes(
        producer_db, consumer_db, broker_url):
    consumer = consumer_worker(consumer_db, broker_url)
    consumer.run_once(0.05)
    write_events(producer_db, 1)
    # A relay that publishes and then dies before marking the row sent.
    import json

    from shanxing_common.messaging.outbox import assign_positions

    with producer_db.transaction() as s:
        assign_positions(s)
    with producer_db.read() as s:
        envelope = json.loads(s.execute(select(tables().outbox.c.envelope)).scalar())
    conn = connect(broker_url)
    Publisher(conn).publish(envelope)
    conn.release()
    relay = Worker(service="activities", db=producer_db, broker_url=broker_url, inbox=None, follower=None)
    relay.run_once(0.05)  # publishes the same event again
    assert run_until(consumer, lambda: effect_count(consumer_db) >= 1, seconds=5)
    run_until(consumer, lambda: False, seconds=1.5)  # let the duplicate arrive
    assert effect_count(consumer_db) == 1
    with consumer_db.read() as s:
        assert s.execute(select(func.count()).select_from(tables().processed_events)).scalar() == 1
    relay._close()
    consumer._close()


def test_failing_handler_is_retried_then_parked_and_can_be_replayed(consumer_db):
    calls = {"n": 0, "fail": True}

    def flaky(session, event):
        calls["n"] += 1
        if calls["fail"]:
            raise RuntimeError("downstream table locked")
        remember(session, event)

    inbox = Inbox("registry", consumer_db, {HOURS: flaky}, max_attempts=3)
    envelope = {"id": "22222222-2222-2222-2222-222222222222", "type": HOURS, "producer": "activities",
                "data": {"record_id": "r9"}}
    assert [inbox.process(envelope) for _ in range(3)] == [RETRY, RETRY, DEAD]
    assert inbox.process(envelope) == DEAD  # parked: not retried by later deliveries
    assert calls["n"] == 3 and effect_count(consumer_db) == 0
    calls["fail"] = False
    assert inbox.replay_dead() == [(envelope["id"], DONE)]
    assert effect_count(consumer_db) == 1


@pytest.fixture
def producer_feed(producer_db, broker_url, tmp_path):
    settings = Settings.from_env("activities", database_url=producer_db.url, broker_url=broker_url,
                                 internal_key=KEY, data_dir=tmp_path, dev=True)
    app = create_service_app(settings, title="producer")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_feed_fills_what_the_broker_lost(producer_db, consumer_db, producer_feed):
    """Brokerless transports hand a message over before the ack: a consumer killed then loses it.
    Here no broker delivers anything at all; the follower still handles every event once."""
    write_events(producer_db, 7)
    inbox = Inbox("registry", consumer_db, {HOURS: remember})
    follower = FeedFollower(inbox, KEY, {"activities": producer_feed}, page=3)
    assert follower.follow("activities") == 7
    assert effect_count(consumer_db) == 7
    assert follower.cursor("activities") == 7
    write_events(producer_db, 2, start=7)
    follower.follow_all()
    assert effect_count(consumer_db) == 9
    assert follower.follow("activities") == 0  # nothing new, nothing twice


def test_feed_skips_types_the_consumer_does_not_read(producer_db, consumer_db, producer_feed):
    with producer_db.transaction() as s:
        record_event(s, "activities.activity_published.v1", {"activity_id": "a"}, producer="activities")
    write_events(producer_db, 1)
    inbox = Inbox("registry", consumer_db, {HOURS: remember})
    FeedFollower(inbox, KEY, {"activities": producer_feed}).follow("activities")
    assert effect_count(consumer_db) == 1


def test_feed_requires_a_service_token(producer_feed):
    import requests

    assert requests.get(f"{producer_feed}/internal/feed", timeout=5).status_code == 401
    person = internal_auth.mint(KEY, kind="person", subject="v1")
    resp = requests.get(f"{producer_feed}/internal/feed", headers={internal_auth.HEADER: person}, timeout=5)
    assert resp.status_code == 403
    assert resp.headers["Content-Type"] == "application/problem+json"
