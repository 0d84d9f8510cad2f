"""supplier accounts: a supplier organisation's registration, users pending their link

- `organisation`: the identifier (scheme and value, e.g. GB-COH and the company number),
  registered address, contact, SME and VCSE flags, all empty for buyers and partners, and
  `active` (false while a registration waits for its emailed link).
- `user`: `pending` (registered or invited, waiting for the emailed link) and
  `email_confirmed_at` (when it was followed).

Revision ID: 0011_suppliers
Revises: 0010_bids
Create Date: 2026-12-02 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_suppliers'
down_revision = '0010_bids'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identifier_scheme', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('identifier', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('address', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('sme', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('vcse', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
        batch_op.drop_column('pending')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for column in ('active', 'vcse', 'sme', 'contact_phone', 'contact_name', 'address',
                       'identifier', 'identifier_scheme'):
            batch_op.drop_column(column)
