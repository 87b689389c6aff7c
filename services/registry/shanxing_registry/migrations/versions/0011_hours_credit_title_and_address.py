"""activity title and address on hours credits (certificate lines)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 17:50:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Nullable: credits from before keep NULL and their certificate lines show the activity id.
    op.add_column('hours_credits', sa.Column('activity_title', sa.Text(), nullable=True))
    op.add_column('hours_credits', sa.Column('address', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hours_credits', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('activity_title')
