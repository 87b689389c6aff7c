"""bulk import checkpoints, password_set, certificate lines of hours credits

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 13:09:38

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('import_checkpoints',
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('last_line', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('file_sha256', name=op.f('pk_import_checkpoints'))
    )
    op.add_column('hours_credits', sa.Column('activity_id', sa.String(length=64), nullable=True))
    op.add_column('hours_credits', sa.Column('organization_id', sa.String(length=36), nullable=True))
    op.add_column('hours_credits', sa.Column('served_on', sa.Date(), nullable=True))
    op.add_column('hours_credits', sa.Column('confirmed_by', sa.String(length=36), nullable=True))
    # A plain ADD COLUMN (no table copy on SQLite: volunteers refer to accounts); existing accounts have
    # passwords.
    op.add_column('accounts', sa.Column('password_set', sa.Boolean(), server_default=sa.text('true'),
                                        nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('password_set')

    op.drop_table('import_checkpoints')
    with op.batch_alter_table('hours_credits', schema=None, recreate='never') as batch_op:
        for name in ('confirmed_by', 'served_on', 'organization_id', 'activity_id'):
            batch_op.drop_column(name)
