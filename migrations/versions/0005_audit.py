"""audit records: how each record's hash was made (keyed HMAC-SHA256 from now on)

Records written before this migration keep their plain SHA-256 hash and are marked
`sha256`; new records are keyed with AUDIT_HMAC_KEY (`hmac-sha256`). `audit verify` checks
each record by its own mark, and refuses a plain record once keyed records have begun.

Revision ID: 0005_audit
Revises: 0002
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_audit'
down_revision = '0006_timeline'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash_alg', sa.String(length=20), nullable=False,
                                      server_default='sha256'))


def downgrade():
    # keyed records cannot be verified without their mark: refuse rather than lose it
    count = op.get_bind().execute(sa.text(
        "SELECT COUNT(*) FROM audit_record WHERE hash_alg <> 'sha256'")).scalar()
    if count:
        raise RuntimeError(f"{count} audit records are keyed (HMAC-SHA256): downgrading "
                           "below 0005 would leave them unverifiable")
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.drop_column('hash_alg')
