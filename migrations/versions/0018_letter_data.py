"""letters: a fingerprint of the data each letter was drawn from, kept when it is issued

Revision ID: 0018_letter_data
Revises: 0017_criterion_step
Create Date: 2026-12-02 15:00:00

The letters page shows whether the records still draw the letter that was issued. It used to
draw every letter again as a PDF to compare their hashes (39 s for 1,000 bids); comparing the
digest of the letter's data costs nothing. A letter issued before this migration has none
(NULL) and is compared as before, by drawing it again.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_letter_data'
down_revision = '0017_criterion_step'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_column('data_sha256')
