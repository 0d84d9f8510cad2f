"""settings with effective dates

- `setting_value`: every value an administrator set, from its date; the value in force on a
  day is the latest one effective on or before it. The older `setting` table stays as the
  fallback (values set before this revision), then accounts.models.DEFAULT_SETTINGS.

Revision ID: 0009_admin
Revises: 0003_sessions
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_admin'
down_revision = '0003_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'setting_value',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('changed_by', sa.String(length=254), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_setting_value')),
    )
    op.create_index(op.f('ix_setting_value_key'), 'setting_value', ['key'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_setting_value_key'), table_name='setting_value')
    op.drop_table('setting_value')
