"""leaderboards by team, organization and region, "my rank", statistics, and the read model for
recommendations

Revision ID: 0006
Revises: 0005

Written by hand. Adds activities.team_id and hours_records.team_id, the hours_distribution table
behind "my rank", the statistics tables, the volunteers' availability and home location
(registry's volunteer_updated.v1), and backfills the new totals and statistics from the hours
confirmed so far.
"""
from collections import defaultdict
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shanxing_activities.domain.periods import credited_subjects, period_starts
from shanxing_activities.domain.statistics import STATISTICS_PERIODS, statistics_subjects

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.String(36), nullable=True))
    with op.batch_alter_table('hours_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.String(36), nullable=True))
    with op.batch_alter_table('volunteers_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('availability', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('home_latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('home_longitude', sa.Float(), nullable=True))
    op.create_table(
        'hours_distribution',
        sa.Column('period_kind', sa.String(10), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('scope', sa.String(20), nullable=False),
        sa.Column('hours', sa.Integer(), nullable=False),
        sa.Column('subjects', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('period_kind', 'period_start', 'scope', 'hours'),
    )
    op.create_table(
        'statistics_totals',
        sa.Column('period_kind', sa.String(10), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('scope', sa.String(20), nullable=False),
        sa.Column('subject_id', sa.String(36), nullable=False),
        sa.Column('activities', sa.Integer(), nullable=False),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.Column('hours', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('period_kind', 'period_start', 'scope', 'subject_id'),
    )
    op.create_table(
        'statistics_members',
        sa.Column('period_kind', sa.String(10), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('scope', sa.String(20), nullable=False),
        sa.Column('subject_id', sa.String(36), nullable=False),
        sa.Column('member_kind', sa.String(10), nullable=False),
        sa.Column('member_id', sa.String(36), nullable=False),
        sa.Column('hours', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('period_kind', 'period_start', 'scope', 'subject_id', 'member_kind',
                                'member_id'),
    )
    op.create_index('ix_volunteers_view_region_code', 'volunteers_view', ['region_code'])
    # The board's exact order, covering it: the top 100 are the first 100 index entries.
    op.drop_index('ix_hours_totals_ranking', table_name='hours_totals')
    op.create_index('ix_hours_totals_ranking', 'hours_totals',
                    ['period_kind', 'period_start', 'scope', sa.text('hours DESC'), 'subject_id'])
    _backfill()


def _backfill() -> None:
    """Organization and region totals of the hours confirmed before this revision (only the
    volunteer scope existed), and the distribution of the volunteers' totals."""
    bind = op.get_bind()
    totals: dict[tuple, int] = defaultdict(int)
    members: dict[tuple, int] = defaultdict(int)
    records = bind.execute(sa.text(
        "SELECT r.volunteer_id, r.hours, r.served_on, a.organization_id, a.region_code, a.id "
        "FROM hours_records r JOIN activities a ON a.id = r.activity_id WHERE r.revoked_at IS NULL"))
    for volunteer_id, hours, served_on, organization_id, region_code, activity_id in records:
        if isinstance(served_on, str):  # SQLite hands back text
            from datetime import date
            served_on = date.fromisoformat(served_on)
        subjects = credited_subjects(volunteer_id=volunteer_id, team_id=None,
                                     organization_id=organization_id, region_code=region_code)
        for kind, start in period_starts(served_on).items():
            for scope, subject_id in subjects:
                if scope != 'volunteer':
                    totals[(kind, start, scope, subject_id)] += hours
        starts = period_starts(served_on)
        for scope, subject_id in statistics_subjects(organization_id, region_code):
            for kind in STATISTICS_PERIODS:
                members[(kind, starts[kind], scope, subject_id, 'volunteer', volunteer_id)] += hours
                members[(kind, starts[kind], scope, subject_id, 'activity', activity_id)] += hours
    if totals:
        table = sa.table('hours_totals', sa.column('period_kind'), sa.column('period_start', sa.Date()),
                         sa.column('scope'), sa.column('subject_id'), sa.column('hours'))
        op.bulk_insert(table, [{'period_kind': k, 'period_start': s, 'scope': sc, 'subject_id': sid,
                                'hours': h} for (k, s, sc, sid), h in totals.items()])
    if members:
        table = sa.table('statistics_members', sa.column('period_kind'), sa.column('period_start', sa.Date()),
                         sa.column('scope'), sa.column('subject_id'), sa.column('member_kind'),
                         sa.column('member_id'), sa.column('hours'))
        op.bulk_insert(table, [dict(zip(('period_kind', 'period_start', 'scope', 'subject_id', 'member_kind',
                                         'member_id'), key), hours=h) for key, h in members.items()])
    op.execute(
        "INSERT INTO statistics_totals (period_kind, period_start, scope, subject_id, activities, participants, "
        "hours) SELECT period_kind, period_start, scope, subject_id, "
        "SUM(CASE WHEN member_kind = 'activity' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN member_kind = 'volunteer' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN member_kind = 'activity' THEN hours ELSE 0 END) "
        "FROM statistics_members GROUP BY period_kind, period_start, scope, subject_id")
    op.execute(
        "INSERT INTO hours_distribution (period_kind, period_start, scope, hours, subjects) "
        "SELECT period_kind, period_start, scope, hours, COUNT(*) FROM hours_totals "
        "WHERE scope = 'volunteer' AND hours > 0 GROUP BY period_kind, period_start, scope, hours")


def downgrade() -> None:
    op.drop_index('ix_hours_totals_ranking', table_name='hours_totals')
    op.create_index('ix_hours_totals_ranking', 'hours_totals', ['period_kind', 'period_start', 'scope', 'hours'])
    op.drop_index('ix_volunteers_view_region_code', table_name='volunteers_view')
    op.drop_table('statistics_members')
    op.drop_table('statistics_totals')
    op.execute("DELETE FROM hours_totals WHERE scope <> 'volunteer'")
    op.drop_table('hours_distribution')
    with op.batch_alter_table('volunteers_view', schema=None) as batch_op:
        batch_op.drop_column('home_longitude')
        batch_op.drop_column('home_latitude')
        batch_op.drop_column('availability')
    with op.batch_alter_table('hours_records', schema=None) as batch_op:
        batch_op.drop_column('team_id')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('team_id')
