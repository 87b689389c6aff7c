"""organization reviews with a deadline: review_due_at, escalation_level, reviewer_organization_id

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 18:30:00

"""
import os
from datetime import timedelta
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy on SQLite: other tables refer to organizations).
    op.add_column('organizations', sa.Column('review_due_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('organizations', sa.Column('escalation_level', sa.Integer(), server_default=sa.text('0'),
                                             nullable=False))
    op.add_column('organizations', sa.Column('reviewer_organization_id', sa.String(length=36), nullable=True))
    op.create_index('ix_organizations_status_review_due_at', 'organizations', ['status', 'review_due_at', 'id'])
    op.create_index('ix_organizations_reviewer_due', 'organizations',
                    ['reviewer_organization_id', 'review_due_at', 'id'])
    # Applications already waiting: due from their application, the parent's admins responsible.
    due_hours = int(os.environ.get("SHANXING_REVIEW_DUE_HOURS") or 48)
    organizations = sa.table("organizations", sa.column("id", sa.String), sa.column("parent_id", sa.String),
                             sa.column("status", sa.String), sa.column("created_at", sa.DateTime(timezone=True)),
                             sa.column("review_due_at", sa.DateTime(timezone=True)),
                             sa.column("reviewer_organization_id", sa.String))
    conn = op.get_bind()
    for row in conn.execute(sa.select(organizations.c.id, organizations.c.parent_id, organizations.c.created_at)
                            .where(organizations.c.status == "pending")).all():
        conn.execute(organizations.update().where(organizations.c.id == row.id).values(
            review_due_at=row.created_at + timedelta(hours=due_hours), reviewer_organization_id=row.parent_id))


def downgrade() -> None:
    op.drop_index('ix_organizations_reviewer_due', table_name='organizations')
    op.drop_index('ix_organizations_status_review_due_at', table_name='organizations')
    with op.batch_alter_table('organizations', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('reviewer_organization_id')
        batch_op.drop_column('escalation_level')
        batch_op.drop_column('review_due_at')
