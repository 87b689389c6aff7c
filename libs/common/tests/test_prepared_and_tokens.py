"""Prepared statements give what session.execute gives; internal tokens are reused and re-checked
only when they change."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from shanxing_common import internal_auth
from shanxing_common.db import Prepared, UTCDateTime
from shanxing_common.problems import Problem

from .conftest import make_db

metadata = MetaData()
items = Table("prepared_items", metadata, Column("id", String(36), primary_key=True),
              Column("stock", Integer, nullable=False), Column("active", Boolean, nullable=False),
              Column("level", Integer, nullable=False, default=7), Column("at", UTCDateTime(), nullable=True))

INSERT = Prepared(insert(items), column_keys=["id", "stock", "active", "at"])
TAKE = Prepared(update(items).where(items.c.id == bindparam("b_id"), items.c.active.is_(True),
                                    items.c.stock >= bindparam("b_quantity"))
                .values(stock=items.c.stock - bindparam("b_quantity"))
                .returning(items.c.id, items.c.stock, items.c.at, (items.c.stock * 2).label("twice")))
BY_ID = Prepared(select(items.c.id, items.c.level, items.c.at).where(items.c.id == bindparam("id")))


@pytest.fixture
def db(tmp_path):
    db = make_db(tmp_path, "prepared")
    metadata.create_all(db.engine)
    yield db
    db.dispose()


def test_prepared_statements_read_and_write_like_session_execute(db):
    at = datetime(2026, 12, 3, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    with db.transaction() as s:
        INSERT.execute_many(s, [dict(id="a", stock=5, active=True, at=at), dict(id="b", stock=9, active=False,
                                                                                 at=None)])
        assert TAKE.first(s, {"b_id": "a", "b_quantity": 2}) == {
            "id": "a", "stock": 3, "at": at.astimezone(timezone.utc), "twice": 6}
        assert TAKE.first(s, {"b_id": "a", "b_quantity": 4}) is None  # short of stock
        assert TAKE.first(s, {"b_id": "b", "b_quantity": 1}) is None  # inactive
    with db.read() as s:
        rows = s.execute(select(items).order_by(items.c.id)).all()
        assert [(r.id, r.stock, r.active, r.level, r.at) for r in rows] == [
            ("a", 3, True, 7, at.astimezone(timezone.utc)), ("b", 9, False, 7, None)]  # level: the default
        assert BY_ID.rows(s, {"id": "b"}) == [{"id": "b", "level": 7, "at": None}]


def test_prepared_statements_raise_sqlalchemy_errors_and_roll_back_with_the_session(db):
    with pytest.raises(IntegrityError):
        with db.transaction() as s:
            INSERT.rows(s, dict(id="c", stock=1, active=True, at=None))
            INSERT.rows(s, dict(id="c", stock=2, active=True, at=None))
    with db.read() as s:
        assert BY_ID.rows(s, {"id": "c"}) == []


def test_a_statement_run_alone_commits_by_itself_and_leaves_its_connection_clean(db):
    assert db.run_alone(INSERT, dict(id="d", stock=1, active=True, at=None)) == []
    assert db.run_alone(TAKE, {"b_id": "d", "b_quantity": 1})[0]["stock"] == 0
    with db.read() as s:  # committed: another connection sees it
        assert BY_ID.rows(s, {"id": "d"}) == [{"id": "d", "level": 7, "at": None}]
    with pytest.raises(IntegrityError):
        db.run_alone(INSERT, dict(id="d", stock=2, active=True, at=None))
    # The pooled connections are back in transactional use: a rolled-back unit leaves nothing.
    with pytest.raises(RuntimeError):
        with db.transaction() as s:
            INSERT.rows(s, dict(id="e", stock=1, active=True, at=None))
            raise RuntimeError("undo")
    with db.read() as s:
        assert BY_ID.rows(s, {"id": "e"}) == []


def test_a_minted_token_is_reused_until_half_its_life_is_gone(monkeypatch):
    minted = []
    real_mint = internal_auth.mint
    monkeypatch.setattr(internal_auth, "mint", lambda *a, **kw: minted.append(kw) or real_mint(*a, **kw))
    clock = [1_000_000.0]
    minter = internal_auth.TokenMinter("k" * 32, ttl=60, clock=lambda: clock[0])
    first = minter.token(kind="merchant", subject="key-1", merchant_id="m1")
    assert minter.token(kind="merchant", subject="key-1", merchant_id="m1") == first
    assert len(minted) == 1
    minter.token(kind="merchant", subject="key-2", merchant_id="m1")
    assert len(minted) == 2
    clock[0] += 31
    minter.token(kind="merchant", subject="key-1", merchant_id="m1")
    assert len(minted) == 3


def test_verified_tokens_are_remembered_until_they_expire_and_only_under_their_key(monkeypatch):
    key = "k" * 32
    token = internal_auth.mint(key, kind="person", subject="v1", roles=("ops",), ttl=60)
    checks = []
    real_verify = internal_auth._verify
    monkeypatch.setattr(internal_auth, "_verify", lambda k, t: checks.append(t) or real_verify(k, t))
    exp = float(internal_auth.jwt.decode(token, options={"verify_signature": False})["exp"])
    clock = [exp - 30]
    verified = internal_auth.VerifiedTokens(clock=lambda: clock[0])
    caller = verified.verify(key, token)
    assert (caller.kind, caller.subject, caller.roles) == ("person", "v1", ("ops",))
    assert verified.verify(key, token) is caller
    assert len(checks) == 1
    with pytest.raises(Problem):
        verified.verify("other" * 8, token)
    clock[0] = exp + 1  # past its exp: checked again (and refused, once PyJWT's clock is there too)
    verified.verify(key, token)
    assert len(checks) == 3
    with pytest.raises(Problem):
        verified.verify(key, internal_auth.mint(key, kind="person", subject="v1", ttl=-1))


def test_an_idle_pooled_connection_the_server_closed_is_replaced_before_use(tmp_path, monkeypatch):
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from shanxing_common import db as db_module

    database = make_db(tmp_path, "idle_ping")
    if not database.is_postgres:
        database.dispose()
        pytest.skip("the idle ping is for PostgreSQL's pooled connections")
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)
    try:
        with database.engine.connect() as conn:
            victim = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        outside = create_engine(database.url, poolclass=NullPool)
        with outside.connect() as admin:  # the server (a restart, an idle timeout) closes it
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
        outside.dispose()
        with database.engine.connect() as conn:  # pinged at checkout, found dead, replaced
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != victim
    finally:
        database.dispose()


def test_a_staff_sign_in_carries_its_credentials_version_through_the_internal_token():
    key = "k" * 32
    minter = internal_auth.TokenMinter(key)
    first = minter.token(kind="merchant", subject="staff:s-1", merchant_id="m1", credentials_version=1)
    second = minter.token(kind="merchant", subject="staff:s-1", merchant_id="m1", credentials_version=2)
    assert first != second  # a sign-in after a reset is another identity, not a reused token
    assert internal_auth.verify(key, first).credentials_version == 1
    assert internal_auth.verify(key, second).credentials_version == 2
    assert internal_auth.verify(key, minter.token(kind="merchant", subject="key-1")).credentials_version is None
