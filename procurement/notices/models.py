"""Notices, tender documents, clarification questions and suppliers' interest.

A `Notice` is drafted from the records and, once published, frozen: its `content` (the JSON
of what was published), its PDF and their SHA-256 never change again; a correction is a new
notice that `supersedes` it, and both stay public. Tender documents are kept in the database
(never on one machine's disk), as are clarification questions, whose asker is private.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary,
                        String, Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from clock import utcnow
from extensions import db
from procurement.models import Lot, Procurement

DRAFT, PUBLISHED = "draft", "published"  # Notice.state
PUBLISHED_ORIGINAL = text("state = 'published' AND supersedes_id IS NULL")
PUBLISHED_ONLY = text("state = 'published'")


class Notice(db.Model):
    """A notice of one kind (PIN, contract-notice, award-notice; UK2 … UK12 under the Act)."""

    __table_args__ = (
        # One published notice of a kind that supersedes nothing, per procurement; and a
        # published notice is superseded by one published notice at most. The database
        # holds these even when two workers publish at once.
        Index("uq_notice_published_kind", "procurement_id", "kind", unique=True,
              sqlite_where=PUBLISHED_ORIGINAL, postgresql_where=PUBLISHED_ORIGINAL),
        Index("uq_notice_published_supersedes", "supersedes_id", unique=True,
              sqlite_where=PUBLISHED_ONLY, postgresql_where=PUBLISHED_ONLY),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"),
                                                index=True)
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    # A light-touch PIN that is the call for competition (PCR 2015 reg. 75(1)(b)).
    call_for_competition: Mapped[bool] = mapped_column(Boolean, default=False)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime)  # server UTC
    published_by: Mapped[str | None] = mapped_column(String(254))
    # What was published, frozen (None for a draft) and its SHA-256 (canonical JSON).
    content: Mapped[dict | None] = mapped_column(JSON)
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    ocid: Mapped[str | None] = mapped_column(String(120))
    ocds_release_id: Mapped[str | None] = mapped_column(String(160), unique=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))

    procurement: Mapped[Procurement] = relationship()
    supersedes: Mapped["Notice | None"] = relationship(remote_side=[id])

    @property
    def published(self) -> bool:
        return self.state == PUBLISHED


class TenderDocument(db.Model):
    """A tender document the officer uploads, checked by its bytes; a newer upload of the
    same document replaces it (the earlier one is kept, marked replaced)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"),
                                                index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(10))  # pdf, docx, xlsx, odt, ods
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(254), default="")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("tender_document.id"))
    replaced_at: Mapped[datetime | None] = mapped_column(DateTime)

    procurement: Mapped[Procurement] = relationship()

    @property
    def current(self) -> bool:
        return self.replaced_at is None


class Clarification(db.Model):
    """A supplier's question and the officer's answer. The asker (user and organisation) is
    for the officer only: what is published is `public_question` and `answer`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"),
                                                index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"))
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    asker_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    public_question: Mapped[str | None] = mapped_column(Text)  # as published, without the asker
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by: Mapped[str | None] = mapped_column(String(254))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by: Mapped[str | None] = mapped_column(String(254))

    procurement: Mapped[Procurement] = relationship()
    lot: Mapped[Lot | None] = relationship()
    asker: Mapped[User | None] = relationship()
    asker_organisation: Mapped[Organisation | None] = relationship()

    @property
    def state(self) -> str:
        if self.published_at is not None:
            return "published"
        return "answered" if self.answer else "new"


class Interest(db.Model):
    """A supplier organisation following an opportunity: it sees new answers on its home page."""

    __table_args__ = (UniqueConstraint("procurement_id", "organisation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                 index=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    procurement: Mapped[Procurement] = relationship()
