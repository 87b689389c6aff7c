"""merchant staff accounts; who made each redemption and refund

Revision ID: 0010_merchant_staff
Revises: 0009_organizer_factor
Create Date: 2026-12-02 18:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010_merchant_staff'
down_revision: Union[str, Sequence[str], None] = '0009_organizer_factor'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('merchant_staff',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('merchant_id', sa.String(length=36), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('login', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=True),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('failed_window_opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('cashier', 'manager')", name=op.f('ck_merchant_staff_role')),
    sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f('ck_merchant_staff_status')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_merchant_staff_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_merchant_staff_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_staff')),
    sa.UniqueConstraint('merchant_id', 'login', name='uq_merchant_staff_merchant_login')
    )
    with op.batch_alter_table('merchant_staff', schema=None) as batch_op:
        batch_op.create_index('ix_merchant_staff_merchant_created', ['merchant_id', 'created_at', 'id'], unique=False)
    # Nullable ADD COLUMNs: no table rebuild on SQLite. Rows made before stay null (maker unknown).
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('made_by', sa.String(length=80), nullable=True))
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('made_by', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_column('made_by')
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_column('made_by')
    with op.batch_alter_table('merchant_staff', schema=None) as batch_op:
        batch_op.drop_index('ix_merchant_staff_merchant_created')
    op.drop_table('merchant_staff')
