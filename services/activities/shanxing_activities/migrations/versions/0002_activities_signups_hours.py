"""activities, sign-ups, hours and read model

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:04:01.517221

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
    op.create_table('activities',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('signed_up', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=36), nullable=True),
    sa.CheckConstraint("status IN ('pending_review', 'published', 'rejected', 'cancelled', 'completed')", name=op.f('ck_activities_status_known')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_activities_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_activities_ends_after_start')),
    sa.CheckConstraint('signed_up >= 0 AND signed_up <= capacity', name=op.f('ck_activities_signed_up_within_capacity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_organization_starts_at', ['organization_id', 'starts_at', 'id'], unique=False)
        batch_op.create_index('ix_activities_status_starts_at', ['status', 'starts_at', 'id'], unique=False)

    op.create_table('hours_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('activity_id', sa.String(length=36), nullable=False),
    sa.Column('volunteer_id', sa.String(length=36), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('confirmed_by', sa.String(length=36), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.CheckConstraint('hours > 0', name=op.f('ck_hours_records_hours_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_records')),
    sa.UniqueConstraint('activity_id', 'volunteer_id', name='uq_hours_records_activity_volunteer')
    )
    with op.batch_alter_table('hours_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hours_records_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('hours_totals',
    sa.Column('period_kind', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.String(length=36), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period_kind', 'period_start', 'scope', 'subject_id', name=op.f('pk_hours_totals'))
    )
    with op.batch_alter_table('hours_totals', schema=None) as batch_op:
        batch_op.create_index('ix_hours_totals_ranking', ['period_kind', 'period_start', 'scope', 'hours'], unique=False)

    op.create_table('organization_admins_view',
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('volunteer_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('organization_id', 'volunteer_id', name=op.f('pk_organization_admins_view'))
    )
    op.create_table('organizations_view',
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.String(length=36), nullable=True),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organizations_view'))
    )
    op.create_table('signups',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('activity_id', sa.String(length=36), nullable=False),
    sa.Column('volunteer_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('confirmed', 'cancelled')", name=op.f('ck_signups_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signups')),
    sa.UniqueConstraint('activity_id', 'volunteer_id', name='uq_signups_activity_volunteer')
    )
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signups_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('volunteers_view',
    sa.Column('volunteer_id', sa.String(length=36), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('preferences', sa.JSON(), nullable=False),
    sa.Column('source_version', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('volunteer_id', name=op.f('pk_volunteers_view'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('volunteers_view')
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signups_volunteer_id'))

    op.drop_table('signups')
    op.drop_table('organizations_view')
    op.drop_table('organization_admins_view')
    with op.batch_alter_table('hours_totals', schema=None) as batch_op:
        batch_op.drop_index('ix_hours_totals_ranking')

    op.drop_table('hours_totals')
    with op.batch_alter_table('hours_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hours_records_volunteer_id'))

    op.drop_table('hours_records')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_status_starts_at')
        batch_op.drop_index('ix_activities_organization_starts_at')

    op.drop_table('activities')
