"""Alembic wiring shared by the services' migration folders (each service keeps its own history)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, insert, select

from .db import make_engine
from .messaging.outbox import metadata as messaging_metadata, tables


def alembic_config(package: str, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", f"{package}:migrations")
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(package: str, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(package, database_url), revision)
    _seed_outbox_head(database_url)


def _seed_outbox_head(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            head = tables().outbox_head
            if conn.execute(select(head.c.id).where(head.c.id == 1)).first() is None:
                conn.execute(insert(head).values(id=1, position=0))
    finally:
        engine.dispose()


def run_env(service_metadata: MetaData) -> None:
    """Body of a service's migrations/env.py."""
    from alembic import context

    config = context.config
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    target = [service_metadata, messaging_metadata]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target, literal_binds=True,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target,
                          render_as_batch=url.startswith("sqlite"), compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def create_messaging_tables_v1() -> None:
    """Called from each service's first migration: outbox, inbox and feed-cursor tables.
    Frozen: a change to these tables is a new function and a new migration in every service."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table('delivery_failures',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=120), nullable=False),
    sa.Column('producer', sa.String(length=40), nullable=False),
    sa.Column('envelope', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('dead', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('feed_cursors',
    sa.Column('producer', sa.String(length=40), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('producer')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=120), nullable=False),
    sa.Column('envelope', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id'),
    sa.UniqueConstraint('position')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_sent_at'), ['sent_at'], unique=False)

    op.create_table('outbox_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('processed_events',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=120), nullable=False),
    sa.Column('producer', sa.String(length=40), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )


def drop_messaging_tables_v1() -> None:
    from alembic import op

    for name in ("outbox", "outbox_head", "processed_events", "feed_cursors", "delivery_failures"):
        op.drop_table(name)


__all__ = ["alembic_config", "upgrade", "run_env", "create_messaging_tables_v1", "drop_messaging_tables_v1"]
