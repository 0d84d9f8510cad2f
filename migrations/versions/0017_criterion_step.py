"""the evaluation model's step per criterion and description per section (issue 16, 4 and 9)

Revision ID: 0017_criterion_step
Revises: 0016_score_progress
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_criterion_step'
down_revision = '0016_score_progress'
branch_labels = None
depends_on = None


def upgrade():
    # nullable and empty: every existing criterion keeps the `score_step` setting in force
    op.add_column('criterion', sa.Column('score_step', sa.Numeric(precision=6, scale=2),
                                         nullable=True))
    op.create_table(
        'section_description',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('procurement_id', sa.Integer(), nullable=False),
        sa.Column('section', sa.String(length=100), nullable=False),
        sa.Column('description', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['procurement_id'], ['procurement.id'],
                                name=op.f('fk_section_description_procurement_id_procurement'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_section_description')),
        sa.UniqueConstraint('procurement_id', 'section',
                            name=op.f('uq_section_description_procurement_id_section')))


def downgrade():
    op.drop_table('section_description')
    with op.batch_alter_table('criterion') as batch:
        batch.drop_column('score_step')
