"""organizer factor: per-organization multipliers in the earning rules, recorded on each credit

Revision ID: 0009_organizer_factor
Revises: 0008
Create Date: 2026-12-02 18:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0009_organizer_factor'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ADD COLUMNs (nullable or with a default): SQLite needs no table rebuild.
    with op.batch_alter_table('earning_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_factors', sa.Text(), server_default='{}', nullable=False))
    with op.batch_alter_table('hour_credits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('organizer_factor', sa.String(length=8), nullable=True))
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organizer_factor', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_column('organizer_factor')
    with op.batch_alter_table('hour_credits', schema=None) as batch_op:
        batch_op.drop_column('organizer_factor')
        batch_op.drop_column('organization_id')
    with op.batch_alter_table('earning_rules', schema=None) as batch_op:
        batch_op.drop_column('organization_factors')
