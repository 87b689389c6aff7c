"""organization levels and rolled-up hours

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:35:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LEVELS = {"regional": ("city", "district", "street", "community"),
          "specialised": ("corps", "detachment", "squad", "team")}


def upgrade() -> None:
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        # NOT NULL with a temporary plain-string default: SQLite then adds the columns in place.
        # Recreating the table (what an SQL-expression default or a later SET NOT NULL would need
        # there) fails once rows refer to it.
        batch_op.add_column(sa.Column('level', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('total_hours', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_index('ix_organizations_created_at_id', ['created_at', 'id'], unique=False)
    # Existing rows: roots get the top level, each child the level below its parent; anything
    # deeper than the tree allows stays at the lowest level.
    for kind, levels in LEVELS.items():
        op.execute(sa.text("UPDATE organizations SET level = :level WHERE kind = :kind AND parent_id IS NULL")
                   .bindparams(level=levels[0], kind=kind))
        for parent_level, level in zip(levels, levels[1:]):
            op.execute(sa.text(
                "UPDATE organizations SET level = :level WHERE kind = :kind AND level = '' AND parent_id IN "
                "(SELECT id FROM organizations AS p WHERE p.level = :parent_level)")
                .bindparams(level=level, kind=kind, parent_level=parent_level))
        op.execute(sa.text("UPDATE organizations SET level = :level WHERE kind = :kind AND level = ''")
                   .bindparams(level=levels[-1], kind=kind))
    if op.get_bind().dialect.name != 'sqlite':  # SQLite keeps the (unused) default, see above
        op.alter_column('organizations', 'level', existing_type=sa.String(length=20), server_default=None)


def downgrade() -> None:
    # recreate="never": SQLite drops the columns in place (a recreated table breaks references to it)
    with op.batch_alter_table('organizations', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_organizations_created_at_id')
        batch_op.drop_column('total_hours')
        batch_op.drop_column('level')
