"""merchant nonces and rate windows

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:03:12.466828

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('merchant_nonces',
    sa.Column('key_id', sa.String(length=128), nullable=False),
    sa.Column('nonce', sa.String(length=128), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key_id', 'nonce', name=op.f('pk_merchant_nonces'))
    )
    with op.batch_alter_table('merchant_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merchant_nonces_seen_at'), ['seen_at'], unique=False)

    op.create_table('merchant_rate_windows',
    sa.Column('key_id', sa.String(length=128), nullable=False),
    sa.Column('window_start', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key_id', 'window_start', name=op.f('pk_merchant_rate_windows'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('merchant_rate_windows')
    with op.batch_alter_table('merchant_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merchant_nonces_seen_at'))

    op.drop_table('merchant_nonces')
