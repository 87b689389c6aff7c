"""commendations

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:35:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('commendations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('volunteer_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by', sa.String(length=36), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_commendations_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commendations'))
    )
    with op.batch_alter_table('commendations', schema=None) as batch_op:
        batch_op.create_index('ix_commendations_volunteer_at', ['volunteer_id', 'granted_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('commendations', schema=None) as batch_op:
        batch_op.drop_index('ix_commendations_volunteer_at')
    op.drop_table('commendations')
