"""volunteer profile: availability, home location, tags

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:35:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('availability', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('home_location', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('tags', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # recreate="never": SQLite drops the columns in place (a recreated table breaks references to it)
    with op.batch_alter_table('volunteers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('tags')
        batch_op.drop_column('home_location')
        batch_op.drop_column('availability')
