"""region transfers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:35:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('region_transfers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('volunteer_id', sa.String(length=36), nullable=False),
    sa.Column('from_region_code', sa.String(length=12), nullable=False),
    sa.Column('to_region_code', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('transferred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_region_transfers_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_transfers'))
    )
    with op.batch_alter_table('region_transfers', schema=None) as batch_op:
        batch_op.create_index('ix_region_transfers_volunteer_at', ['volunteer_id', 'transferred_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('region_transfers', schema=None) as batch_op:
        batch_op.drop_index('ix_region_transfers_volunteer_at')
    op.drop_table('region_transfers')
