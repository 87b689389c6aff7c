"""two-phase redemptions: holds, their items, the holds account, transfer status

Revision ID: 0011_redemption_holds
Revises: 0010_merchant_staff
Create Date: 2026-12-02 18:10:00

"""
from datetime import datetime, timezone
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0011_redemption_holds'
down_revision: Union[str, Sequence[str], None] = '0010_merchant_staff'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('redemption_holds',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('merchant_id', sa.String(length=36), nullable=False),
    sa.Column('volunteer_id', sa.String(length=64), nullable=False),
    sa.Column('code_id', sa.String(length=36), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.String(length=16), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'captured', 'voided')", name=op.f('ck_redemption_holds_status')),
    sa.CheckConstraint('points > 0', name=op.f('ck_redemption_holds_points_positive')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_redemption_holds_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['code_id'], ['redemption_codes.id'], name=op.f('fk_redemption_holds_code_id_redemption_codes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redemption_holds')),
    sa.UniqueConstraint('code_id', name=op.f('uq_redemption_holds_code_id'))
    )
    with op.batch_alter_table('redemption_holds', schema=None) as batch_op:
        batch_op.create_index('ix_redemption_holds_due', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_redemption_holds_merchant_created', ['merchant_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_redemption_holds_volunteer_status', ['volunteer_id', 'status'], unique=False)

    op.create_table('redemption_hold_items',
    sa.Column('hold_id', sa.String(length=36), nullable=False),
    sa.Column('good_id', sa.String(length=36), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_points', sa.BigInteger(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_redemption_hold_items_quantity_positive')),
    sa.ForeignKeyConstraint(['hold_id'], ['redemption_holds.id'], name=op.f('fk_redemption_hold_items_hold_id_redemption_holds')),
    sa.ForeignKeyConstraint(['good_id'], ['goods.id'], name=op.f('fk_redemption_hold_items_good_id_goods')),
    sa.PrimaryKeyConstraint('hold_id', 'good_id', name=op.f('pk_redemption_hold_items'))
    )

    # A plain ADD COLUMN: no table rebuild on SQLite (foreign keys point at transfers).
    op.add_column('transfers', sa.Column('status', sa.String(length=8), nullable=True))

    # Where held points wait between the two phases. A system account of kind 'issuance', like
    # `expiry` (0008), but guarded: its balance is the sum of pending holds and never negative.
    accounts = sa.table('accounts', sa.column('id', sa.String), sa.column('kind', sa.String),
                        sa.column('owner_id', sa.String), sa.column('display_name', sa.String),
                        sa.column('balance', sa.BigInteger), sa.column('earned', sa.BigInteger),
                        sa.column('redeemed', sa.BigInteger), sa.column('debt', sa.BigInteger),
                        sa.column('created_at', sa.DateTime(timezone=True)))
    op.bulk_insert(accounts, [dict(id='holds', kind='issuance', owner_id='holds',
                                   display_name='redemption holds', balance=0, earned=0, redeemed=0,
                                   debt=0, created_at=datetime.now(timezone.utc))])


def downgrade() -> None:
    op.execute("DELETE FROM accounts WHERE id = 'holds'")
    op.drop_column('transfers', 'status')  # SQLite 3.35+: no rebuild
    op.drop_table('redemption_hold_items')
    with op.batch_alter_table('redemption_holds', schema=None) as batch_op:
        batch_op.drop_index('ix_redemption_holds_volunteer_status')
        batch_op.drop_index('ix_redemption_holds_merchant_created')
        batch_op.drop_index('ix_redemption_holds_due')
    op.drop_table('redemption_holds')
