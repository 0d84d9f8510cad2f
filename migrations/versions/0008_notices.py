"""notices, tender documents, clarifications and suppliers' interest (issue 12)

A notice is drafted from the records and frozen when published (its content, PDF and their
SHA-256, its OCDS release id). Two partial unique indexes keep, per procurement, one
published notice of a kind that supersedes nothing, and one published correction of each
notice. Tender documents are kept in the database, never on one machine's disk.

Revision ID: 0008_notices
Revises: 0002
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_notices'
down_revision = '0009_admin'
branch_labels = None
depends_on = None

PUBLISHED_ORIGINAL = sa.text("state = 'published' AND supersedes_id IS NULL")
PUBLISHED_ONLY = sa.text("state = 'published'")


def upgrade():
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procurement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('call_for_competition', sa.Boolean(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by', sa.String(length=254), nullable=True),
    sa.Column('content', sa.JSON(), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.Column('ocid', sa.String(length=120), nullable=True),
    sa.Column('ocds_release_id', sa.String(length=160), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['procurement_id'], ['procurement.id'], name=op.f('fk_notice_procurement_id_procurement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['notice.id'], name=op.f('fk_notice_supersedes_id_notice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    sa.UniqueConstraint('ocds_release_id', name=op.f('uq_notice_ocds_release_id'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_procurement_id'), ['procurement_id'], unique=False)
    op.create_index('uq_notice_published_kind', 'notice', ['procurement_id', 'kind'], unique=True,
                    sqlite_where=PUBLISHED_ORIGINAL, postgresql_where=PUBLISHED_ORIGINAL)
    op.create_index('uq_notice_published_supersedes', 'notice', ['supersedes_id'], unique=True,
                    sqlite_where=PUBLISHED_ONLY, postgresql_where=PUBLISHED_ONLY)

    op.create_table('tender_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procurement_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('file_type', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=254), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('replaced_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['procurement_id'], ['procurement.id'], name=op.f('fk_tender_document_procurement_id_procurement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replaces_id'], ['tender_document.id'], name=op.f('fk_tender_document_replaces_id_tender_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_document'))
    )
    with op.batch_alter_table('tender_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_document_procurement_id'), ['procurement_id'], unique=False)

    op.create_table('clarification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procurement_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('asker_id', sa.Integer(), nullable=True),
    sa.Column('asker_organisation_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('public_question', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by', sa.String(length=254), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['asker_id'], ['user.id'], name=op.f('fk_clarification_asker_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['asker_organisation_id'], ['organisation.id'], name=op.f('fk_clarification_asker_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_clarification_lot_id_lot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['procurement_id'], ['procurement.id'], name=op.f('fk_clarification_procurement_id_procurement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clarification'))
    )
    with op.batch_alter_table('clarification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clarification_procurement_id'), ['procurement_id'], unique=False)

    op.create_table('interest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procurement_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_interest_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['procurement_id'], ['procurement.id'], name=op.f('fk_interest_procurement_id_procurement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest')),
    sa.UniqueConstraint('procurement_id', 'organisation_id', name=op.f('uq_interest_procurement_id_organisation_id'))
    )
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_organisation_id'))
    op.drop_table('interest')
    with op.batch_alter_table('clarification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clarification_procurement_id'))
    op.drop_table('clarification')
    with op.batch_alter_table('tender_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_document_procurement_id'))
    op.drop_table('tender_document')
    op.drop_index('uq_notice_published_supersedes', table_name='notice')
    op.drop_index('uq_notice_published_kind', table_name='notice')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_procurement_id'))
    op.drop_table('notice')
