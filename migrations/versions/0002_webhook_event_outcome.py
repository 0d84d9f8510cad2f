"""webhook events: outcome, reason and message; only recorded events hold their key

A DocuSign Connect event that is refused (409: a signer out of turn, a completion refused)
is kept for review as `refused`, with the reason. The event key stays unique among recorded
events only (a partial unique index), so a later retry of a refused event is handled afresh.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

RECORDED = sa.text("outcome = 'recorded'")


def upgrade():
    with op.batch_alter_table('webhook_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=20), nullable=False,
                                      server_default='recorded'))
        batch_op.add_column(sa.Column('reason', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('message', sa.Text(), nullable=True))
        batch_op.drop_constraint('uq_webhook_event_event_key', type_='unique')
    op.create_index('uq_webhook_event_recorded_key', 'webhook_event', ['event_key'],
                    unique=True, sqlite_where=RECORDED, postgresql_where=RECORDED)


def downgrade():
    # refused events may repeat a recorded event's key: they cannot stay under the old rule
    op.execute("DELETE FROM webhook_event WHERE outcome <> 'recorded'")
    op.drop_index('uq_webhook_event_recorded_key', table_name='webhook_event')
    with op.batch_alter_table('webhook_event', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_webhook_event_event_key', ['event_key'])
        batch_op.drop_column('message')
        batch_op.drop_column('reason')
        batch_op.drop_column('outcome')
