"""check-in and check-out

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:37:29.586627

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_secret', sa.String(length=64), nullable=True))

    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_column('checked_out_at')
        batch_op.drop_column('checked_in_at')

    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('checkin_secret')

