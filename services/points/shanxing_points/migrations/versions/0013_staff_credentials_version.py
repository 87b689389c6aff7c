"""merchant staff: credentials_version, raised by a password reset so earlier sign-ins stop

Revision ID: 0013_staff_credentials_version
Revises: 0012_redeem_in_one_call
Create Date: 2026-12-04 18:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0013_staff_credentials_version'
down_revision: Union[str, Sequence[str], None] = '0012_redeem_in_one_call'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('merchant_staff') as batch:
        batch.add_column(sa.Column('credentials_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('merchant_staff') as batch:
        batch.drop_column('credentials_version')
