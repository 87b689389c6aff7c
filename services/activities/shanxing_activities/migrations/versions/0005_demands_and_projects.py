"""five-order demands and the project library

Revision ID: 0005
Revises: 0004

Written by hand (op.create_table) so that it holds exactly these tables.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'demands',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('resident_id', sa.String(36), nullable=False),
        sa.Column('category', sa.String(30), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('address', sa.String(200), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=False),
        sa.Column('longitude', sa.Float(), nullable=False),
        sa.Column('wanted_from', UTC, nullable=False),
        sa.Column('wanted_until', UTC, nullable=False),
        sa.Column('region_code', sa.String(12), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('organization_id', sa.String(36), nullable=True),
        sa.Column('dispatched_by', sa.String(36), nullable=True),
        sa.Column('dispatched_at', UTC, nullable=True),
        sa.Column('amount_cents', sa.Integer(), nullable=True),
        sa.Column('funding_source', sa.String(100), nullable=True),
        sa.Column('funded_by', sa.String(36), nullable=True),
        sa.Column('funded_at', UTC, nullable=True),
        sa.Column('accepted_by', sa.String(36), nullable=True),
        sa.Column('accepted_at', UTC, nullable=True),
        sa.Column('activity_id', sa.String(36), nullable=True),
        sa.Column('served_at', UTC, nullable=True),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('rating_comment', sa.String(500), nullable=True),
        sa.Column('rated_at', UTC, nullable=True),
        sa.Column('cancelled_at', UTC, nullable=True),
        sa.CheckConstraint("status IN ('ordered', 'dispatched', 'funded', 'accepted', 'in_service', 'served', "
                           "'rated', 'cancelled')", name=op.f('ck_demands_demand_status_known')),
        sa.CheckConstraint('amount_cents IS NULL OR amount_cents > 0', name=op.f('ck_demands_demand_amount_positive')),
        sa.CheckConstraint('score IS NULL OR (score >= 1 AND score <= 5)', name=op.f('ck_demands_demand_score_range')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_demands')),
        sa.UniqueConstraint('activity_id', name=op.f('uq_demands_activity_id')),
    )
    op.create_index(op.f('ix_demands_resident_id'), 'demands', ['resident_id'])
    op.create_index(op.f('ix_demands_organization_id'), 'demands', ['organization_id'])
    op.create_index('ix_demands_region_created', 'demands', ['region_code', 'created_at', 'id'])

    op.create_table(
        'projects',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('title', sa.String(100), nullable=False),
        sa.Column('category', sa.String(30), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('level', sa.String(20), nullable=False),
        sa.Column('region_code', sa.String(12), nullable=False),
        sa.Column('declarer_organization_id', sa.String(36), nullable=True),
        sa.Column('declared_by', sa.String(36), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('reviewed_by', sa.String(36), nullable=True),
        sa.Column('reviewed_at', UTC, nullable=True),
        sa.Column('rejection_reason', sa.String(500), nullable=True),
        sa.Column('claimed_by_organization_id', sa.String(36), nullable=True),
        sa.Column('claimed_by', sa.String(36), nullable=True),
        sa.Column('claimed_at', UTC, nullable=True),
        sa.Column('grade', sa.String(20), nullable=True),
        sa.Column('evaluation_comment', sa.String(1000), nullable=True),
        sa.Column('evaluated_by', sa.String(36), nullable=True),
        sa.Column('evaluated_at', UTC, nullable=True),
        sa.CheckConstraint("status IN ('declared', 'published', 'rejected', 'claimed', 'evaluated')",
                           name=op.f('ck_projects_project_status_known')),
        sa.CheckConstraint("level IN ('city', 'district', 'street', 'community')",
                           name=op.f('ck_projects_project_level_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    )
    op.create_index('ix_projects_status_created', 'projects', ['status', 'created_at', 'id'])

    op.create_table(
        'project_activities',
        sa.Column('activity_id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_project_activities')),
    )
    op.create_index(op.f('ix_project_activities_project_id'), 'project_activities', ['project_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_project_activities_project_id'), table_name='project_activities')
    op.drop_table('project_activities')
    op.drop_index('ix_projects_status_created', table_name='projects')
    op.drop_table('projects')
    op.drop_index('ix_demands_region_created', table_name='demands')
    op.drop_index(op.f('ix_demands_organization_id'), table_name='demands')
    op.drop_index(op.f('ix_demands_resident_id'), table_name='demands')
    op.drop_table('demands')
