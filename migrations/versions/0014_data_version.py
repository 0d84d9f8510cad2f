"""data version: counters per procurement, and the counters a note version was sent with

Revision ID: 0014_data_version
Revises: 0013_selection
Create Date: 2026-12-02 04:40:00

data_version holds one row per procurement (figures, narrative, annexes), bumped in the
transaction of every change the decision note depends on (procurement.data_version). A
version sent before this migration has no counters (NULL) and is compared as before, by
rebuilding its snapshot.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_data_version'
down_revision = '0013_selection'
branch_labels = None
depends_on = None

COLUMNS = ("figures_version", "narrative_version", "annexes_version")


def upgrade():
    op.create_table('data_version',
    sa.Column('procurement_id', sa.Integer(), nullable=False),
    sa.Column('figures', sa.Integer(), nullable=False),
    sa.Column('narrative', sa.Integer(), nullable=False),
    sa.Column('annexes', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['procurement_id'], ['procurement.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('procurement_id')
    )
    with op.batch_alter_table('note_version', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('note_version', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
    op.drop_table('data_version')
