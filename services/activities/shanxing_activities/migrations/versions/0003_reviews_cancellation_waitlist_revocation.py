"""review deadlines, cancellation, completion, waitlist, revocation, transfers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:30:39.628666

"""
from typing import Sequence, Union

from alembic import op
import os
from datetime import timedelta

import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalation_level', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('review_scope', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_activities_status_review_due_at', ['status', 'review_due_at', 'id'], unique=False)

    with op.batch_alter_table('hours_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('revoke_reason', sa.String(length=500), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_hours_records_activity_volunteer'), type_='unique')
        batch_op.create_index('uq_hours_records_active_activity_volunteer', ['activity_id', 'volunteer_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('added_by', sa.String(length=36), nullable=True))
        batch_op.create_index('ix_signups_activity_status_created_at', ['activity_id', 'status', 'created_at'], unique=False)
        batch_op.drop_constraint(batch_op.f('ck_signups_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_signups_status_known'), "status IN ('confirmed', 'waitlisted', 'cancelled')")

    with op.batch_alter_table('volunteers_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_changed_at', sa.DateTime(timezone=True), nullable=True))

    _start_the_review_clock_of_pending_activities()


def _start_the_review_clock_of_pending_activities() -> None:
    """Activities already awaiting review get a scope and a deadline counted from their posting."""
    due_hours = int(os.environ.get("SHANXING_REVIEW_DUE_HOURS") or 48)
    activities = sa.table("activities", sa.column("id", sa.String), sa.column("status", sa.String),
                          sa.column("region_code", sa.String), sa.column("review_scope", sa.String),
                          sa.column("created_at", sa.DateTime(timezone=True)),
                          sa.column("review_due_at", sa.DateTime(timezone=True)))
    bind = op.get_bind()
    pending = bind.execute(sa.select(activities.c.id, activities.c.region_code, activities.c.created_at)
                           .where(activities.c.status == "pending_review")).all()
    for row in pending:
        bind.execute(sa.update(activities).where(activities.c.id == row.id).values(
            review_scope=row.region_code, review_due_at=row.created_at + timedelta(hours=due_hours)))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('volunteers_view', schema=None) as batch_op:
        batch_op.drop_column('region_changed_at')

    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_signups_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_signups_status_known'), "status IN ('confirmed', 'cancelled')")
        batch_op.drop_index('ix_signups_activity_status_created_at')
        batch_op.drop_column('added_by')
        batch_op.drop_column('cancelled_at')

    with op.batch_alter_table('hours_records', schema=None) as batch_op:
        batch_op.drop_index('uq_hours_records_active_activity_volunteer', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_hours_records_activity_volunteer'), ['activity_id', 'volunteer_id'])
        batch_op.drop_column('revoke_reason')
        batch_op.drop_column('revoked_by')
        batch_op.drop_column('revoked_at')

    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_status_review_due_at')
        batch_op.drop_column('completed_at')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('review_scope')
        batch_op.drop_column('escalation_level')
        batch_op.drop_column('review_due_at')

