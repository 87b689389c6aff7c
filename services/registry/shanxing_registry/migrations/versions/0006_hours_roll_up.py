"""hours roll-up targets on each credit

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:35:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('hours_credits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('organization_ids', sa.JSON(), nullable=True))


def downgrade() -> None:
    # recreate="never": SQLite drops the columns in place (a recreated table breaks references to it)
    with op.batch_alter_table('hours_credits', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('organization_ids')
        batch_op.drop_column('team_id')
