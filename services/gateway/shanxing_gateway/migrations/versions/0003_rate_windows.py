"""rate windows of the people-facing limits (per address, per person)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:34:47.277017

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('rate_windows',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=128), nullable=False),
    sa.Column('window_start', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'subject', 'window_start', name=op.f('pk_rate_windows'))
    )
    with op.batch_alter_table('rate_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_windows_window_start'), ['window_start'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('rate_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_windows_window_start'))

    op.drop_table('rate_windows')
