"""procurement set-up in the browser: the kind of buyer, two-person bid opening, finalised set-up

The kind of buyer (central, sub_central, utilities) selects the threshold the whole-term
value is compared with; existing procurements are sub-central authorities (a police and
crime commissioner is one). Two-person bid opening is off unless asked for. A procurement's
set-up is finalised when its lot values and partner contributions add up; existing ones
have not been finalised in the browser, so the column starts empty.

Revision ID: 0007_setup
Revises: 0002
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_setup'
down_revision = '0005_audit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('procurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_kind', sa.String(length=20), nullable=False,
                                      server_default='sub_central'))
        batch_op.add_column(sa.Column('two_person_opening', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('setup_finalised_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('procurement', schema=None) as batch_op:
        batch_op.drop_column('setup_finalised_at')
        batch_op.drop_column('two_person_opening')
        batch_op.drop_column('buyer_kind')
