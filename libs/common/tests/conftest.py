import os

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from shanxing_common.db import Database
from shanxing_common.messaging import outbox
from shanxing_common.testing import ensure_postgres_database

os.environ.setdefault("SHANXING_ENV", "dev")

# A toy "service" table that handlers write to, beside the messaging tables.
toy_metadata = MetaData()
effects = Table("effects", toy_metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                Column("event_id", String(36), nullable=False), Column("value", String(100)))


def _pg_url(name: str) -> str | None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    from shanxing_common.config import normalise_database_url

    return normalise_database_url(url.replace("{service}", name))


def make_db(tmp_path, name: str) -> Database:
    url = _pg_url(f"common_{name}") or f"sqlite:///{tmp_path / (name + '.db')}"
    if url.startswith("postgresql"):
        ensure_postgres_database(url, recreate=True)
    db = Database(url)
    outbox.metadata.create_all(db.engine)
    toy_metadata.create_all(db.engine)
    return db


@pytest.fixture
def producer_db(tmp_path):
    db = make_db(tmp_path, "producer")
    yield db
    db.dispose()


@pytest.fixture
def consumer_db(tmp_path):
    db = make_db(tmp_path, "consumer")
    yield db
    db.dispose()


@pytest.fixture
def broker_url(tmp_path):
    url = os.environ.get("BROKER_URL")
    if url:
        yield url
        _purge_rabbit(url)
    else:
        yield f"sqla+sqlite:///{tmp_path / 'bus.db'}"


def _purge_rabbit(url):
    from kombu import Connection

    from shanxing_common.messaging import topology

    with Connection(url) as conn:
        ch = conn.channel()
        for q in topology.queues(amqp=True):
            try:
                q(ch).purge()
            except Exception:  # noqa: BLE001
                pass
