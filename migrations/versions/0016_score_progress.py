"""an index that covers the evaluation overview's progress count of 200,000 scores

Revision ID: 0016_score_progress
Revises: 0015_jobs
Create Date: 2026-12-02 08:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_score_progress'
down_revision = '0015_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_score_progress', 'score',
                    ['bid_id', 'member_id', 'state', 'criterion_id'], unique=False)


def downgrade():
    op.drop_index('ix_score_progress', table_name='score')
