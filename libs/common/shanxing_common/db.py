"""Engine and unit-of-work helpers for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from typing import Iterator

from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event, text
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker


# Deterministic constraint names, so migrations can name what they alter on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """The MetaData a service declares its own tables on."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands DateTime(timezone=True) back naive; every stored time is UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware datetimes stored in UTC. SQLite keeps no zone, so every value is normalised to UTC on
    the way in (comparisons in SQL then hold) and marked UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are stored with a zone")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        return as_utc(value)


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL lets readers run beside the one writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            # Let SQLAlchemy emit BEGIN itself so that BEGIN IMMEDIATE can be used for writes.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Writers take the write lock up front: a read-then-write transaction can then never
            # fail with SQLITE_BUSY half-way, and concurrent writers queue on busy_timeout.
            # Read-only units of work (db.read()) begin deferred and run beside the writer (WAL).
            if conn.get_execution_options().get("shanxing_read_only"):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    engine = create_engine(url, **kwargs)
    _ping_idle_connections(engine)
    return engine


# A pooled connection that waited this long is pinged before use (a database restart or an idle
# timeout may have closed it); a busy one is not: pool_pre_ping's round trip per checkout was one
# of a redemption's ~15 (decision 0020). A connection that breaks in use is still invalidated by
# SQLAlchemy, and the pool then replaces it.
IDLE_PING_SECONDS = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):
        record.info["shanxing_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):
        idle_since = record.info.get("shanxing_idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - any failure: let the pool open a fresh one
            raise DisconnectionError(f"stale pooled connection: {exc}") from exc


class Database:
    """One engine per process, created lazily so nothing connects at import or before a fork."""

    def __init__(self, url: str):
        self.url = url
        self._engine: Engine | None = None
        self._sessions: sessionmaker | None = None
        self._read_sessions: sessionmaker | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
            self._sessions = sessionmaker(self._engine, expire_on_commit=False)
            self._read_sessions = sessionmaker(
                self._engine.execution_options(shanxing_read_only=True), expire_on_commit=False
            )
        return self._engine

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Unit of work: commit on success, roll back on any exception."""
        self.engine  # noqa: B018 - initialise lazily
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (never commits)."""
        self.engine  # noqa: B018
        session = self._read_sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def autocommit_connection(self) -> Iterator:
        """A pooled DBAPI connection in autocommit mode, for a unit of work that is one statement
        (or one server-side function call): no session, and no BEGIN and COMMIT round trips. It
        goes back to the pool afterwards, in transactional mode again; one that broke is replaced."""
        pooled = self.engine.raw_connection()
        try:
            connection = pooled.driver_connection
            if self.is_postgres:  # SQLite connections already run in autocommit (make_engine)
                connection.autocommit = True
            try:
                yield connection
            except Exception as exc:
                dialect = self.engine.dialect
                cause = exc.orig if isinstance(exc, DBAPIError) else exc
                if isinstance(cause, dialect.loaded_dbapi.Error) and dialect.is_disconnect(cause, connection, None):
                    pooled.invalidate()
                raise
            finally:
                if self.is_postgres and not connection.closed:
                    connection.autocommit = False
        finally:
            pooled.close()

    def run_alone(self, statement: "Prepared", params: dict) -> list[dict]:
        """One Prepared statement as a transaction of its own (autocommit_connection); its rows, as
        Prepared.rows gives them. On PostgreSQL a lone INSERT is then one round trip, not three; on
        SQLite the session's machinery cost more than the statement."""
        with self.autocommit_connection() as connection:
            return statement._run(self.engine.dialect, connection.cursor(), params)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class Prepared:
    """A Core statement compiled once per dialect and run straight on the session's DBAPI cursor.

    For the few statements of a hot path (a redemption runs a dozen): SQLAlchemy's per-execution
    machinery (cache-key lookup, parameter construction, result set-up) cost several times what the
    database itself took. The statement keeps SQLAlchemy's SQL text and its types' bind and result
    processors, so values go in and come out exactly as through ``session.execute``; DBAPI errors
    are raised as SQLAlchemy's exceptions. It runs inside the session's transaction (it begins it
    like any statement would). No expanding (IN) or post-compile parameters."""

    def __init__(self, statement, column_keys: list[str] | None = None):
        self.statement = statement
        self.column_keys = column_keys
        self._by_dialect: dict[str, tuple] = {}

    def _compiled(self, dialect: Dialect) -> tuple:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> tuple:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
        sql = compiled.string
        if "POSTCOMPILE" in sql:
            raise ValueError("Prepared does not take expanding or post-compile parameters")
        defaults = compiled.construct_params(_check=False)
        generated = self._column_defaults(compiled)
        names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
        binds = [(name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect),
                  generated.get(name, defaults.get(name))) for name in names]
        # The RETURNING (DML) or SELECT columns, with the types that turn stored values into Python.
        results = [(column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
                   for column in self.statement.exported_columns]
        return sql, compiled.positional, binds, results

    def _column_defaults(self, compiled) -> dict:
        """Scalar column defaults (INSERT) and onupdate values (UPDATE) that SQLAlchemy's
        execution context would otherwise fill in for columns the caller left out."""
        if not (compiled.isinsert or compiled.isupdate):
            return {}
        found = {}
        for column in self.statement.table.columns:
            default = column.default if compiled.isinsert else column.onupdate
            if default is None or column.key not in compiled.binds:
                continue
            if not default.is_scalar:
                raise ValueError(f"Prepared takes scalar column defaults only ({column.key})")
            found[column.key] = default.arg
        return found

    @staticmethod
    def _parameters(binds, positional: bool, params: dict):
        values = {}
        for name, proc, default in binds:
            value = params.get(name, default)
            values[name] = proc(value) if proc else value
        # qmark (SQLite): in the statement's order, where a name may come twice.
        return [values[name] for name, _, _ in binds] if positional else values

    def _cursor(self, session: Session):
        # session.connection() costs more than a SQLite statement; the session's transaction keeps
        # one connection, so it is looked up once per transaction.
        transaction = session.get_transaction()
        cached = session.info.get("shanxing_prepared")
        if transaction is None or cached is None or cached[0] is not transaction:
            connection = session.connection()
            cached = session.info["shanxing_prepared"] = (session.get_transaction(), connection)
        connection = cached[1]
        return connection, connection.connection.cursor()

    def rows(self, session: Session, params: dict) -> list[dict]:
        """Execute once; the RETURNING or SELECT rows as dicts (empty for plain DML)."""
        connection, cursor = self._cursor(session)
        return self._run(connection.dialect, cursor, params)

    def _run(self, dialect: Dialect, cursor, params: dict) -> list[dict]:
        sql, positional, binds, results = self._compiled(dialect)
        parameters = self._parameters(binds, positional, params)
        with _as_sqlalchemy_errors(dialect, cursor, sql, parameters):
            cursor.execute(sql, parameters)
            fetched = cursor.fetchall() if results else []
        return [{key: proc(value) if proc else value for (key, proc), value in zip(results, row)}
                for row in fetched]

    def first(self, session: Session, params: dict) -> dict | None:
        rows = self.rows(session, params)
        return rows[0] if rows else None

    def execute_many(self, session: Session, params: list[dict]) -> None:
        connection, cursor = self._cursor(session)
        sql, positional, binds, _ = self._compiled(connection.dialect)
        parameters = [self._parameters(binds, positional, one) for one in params]
        with _as_sqlalchemy_errors(connection.dialect, cursor, sql, parameters):
            cursor.executemany(sql, parameters)


@contextmanager
def _as_sqlalchemy_errors(dialect: Dialect, cursor, sql: str, parameters) -> Iterator[None]:
    """Close the cursor; raise DBAPI errors as SQLAlchemy's (IntegrityError, OperationalError, …)."""
    error = dialect.loaded_dbapi.Error
    try:
        yield
    except error as exc:
        raise DBAPIError.instance(sql, parameters, exc, error) from exc
    finally:
        cursor.close()


def dialect_insert(dialect: str, table):
    """INSERT with the dialect's ON CONFLICT clauses (PostgreSQL and SQLite both have them)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


@lru_cache(maxsize=None)
def insert_if_absent_statement(dialect: str, table, column_keys: tuple[str, ...]) -> Prepared:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING <primary key>``, compiled once per table and
    column set: a row comes back only when this statement inserted it. (RETURNING, not rowcount:
    the PostgreSQL driver reports rowcount -1 for it.) A concurrent insert of the same key waits for
    the other transaction on PostgreSQL and then does nothing, so exactly one of them inserts."""
    return Prepared(dialect_insert(dialect, table).on_conflict_do_nothing()
                    .returning(*table.primary_key.columns), column_keys=list(column_keys))
