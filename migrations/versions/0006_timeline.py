"""key dates: tenders submitted electronically (yes by default); key date-times kept in UTC

`procurement.electronic_submission` shortens the minimum tendering period (PCR 2015 reg. 27(6)
and 28(9), PA 2023 s.54(4)); existing procurements take the default, yes. A key date with a
time (`timeline_date.with_time`) was kept as the UK wall-clock time as entered; it is now kept
in UTC, as every time the system records: existing ones are converted (and back on downgrade).

Revision ID: 0006_timeline
Revises: 0002
Create Date: 2026-12-02 10:00:00

"""
from datetime import timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_timeline'
down_revision = '0002'
branch_labels = None
depends_on = None

UK = ZoneInfo("Europe/London")
DATES = sa.table("timeline_date", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                 sa.column("with_time", sa.Boolean))


def _convert(to_utc: bool) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(DATES.c.id, DATES.c.at)
                              .where(DATES.c.with_time == sa.true())).all()
    for id_, at in rows:
        if to_utc:  # a wall-clock time in the hour that repeats reads as its first (BST) one
            new = at.replace(tzinfo=UK).astimezone(timezone.utc).replace(tzinfo=None)
        else:
            new = at.replace(tzinfo=timezone.utc).astimezone(UK).replace(tzinfo=None)
        connection.execute(DATES.update().where(DATES.c.id == id_).values(at=new))


def upgrade():
    with op.batch_alter_table('procurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('electronic_submission', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    _convert(to_utc=True)


def downgrade():
    _convert(to_utc=False)
    with op.batch_alter_table('procurement', schema=None) as batch_op:
        batch_op.drop_column('electronic_submission')
