"""The decision note, its frozen versions, sign-offs, annexes, letters and DocuSign events."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String,
                        Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from clock import utcnow
from extensions import db
from procurement.models import Bid, Procurement


class DecisionNumber(db.Model):
    """Every decision number ever assigned: never deleted, so never reused."""

    __table_args__ = (UniqueConstraint("prefix", "financial_year", "sequence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    prefix: Mapped[str] = mapped_column(String(10))
    financial_year: Mapped[str] = mapped_column(String(6))
    sequence: Mapped[int] = mapped_column(Integer)
    procurement_reference: Mapped[str] = mapped_column(String(60))
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DecisionNote(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), unique=True)
    decision_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    date_received: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="draft")  # draft / sent / completed
    marking: Mapped[str] = mapped_column(String(30), default="OFFICIAL")
    # narrative the officer writes: summary, recommendation, introduction, scope, …
    narrative: Mapped[dict] = mapped_column(JSON, default=dict)
    # yes/no answers: decision_policy, key_decision, legal_advice, public_access,
    # personal_data, deferral, redaction; plus deferral_until (ISO date)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # phrases the officer marks commercially sensitive: "[REDACTED]" in the public version
    sensitive_phrases: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    procurement: Mapped[Procurement] = relationship()
    versions: Mapped[list["NoteVersion"]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="NoteVersion.version")
    annexes: Mapped[list["Annex"]] = relationship(
        back_populates="note", cascade="all, delete-orphan")

    @property
    def current_version(self) -> NoteVersion | None:
        return self.versions[-1] if self.versions else None


class NoteVersion(db.Model):
    """The note as sent for signature: its PDF hash and the data it was built from, frozen."""

    __table_args__ = (UniqueConstraint("note_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("decision_note.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="sent")  # sent / completed / superseded
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict] = mapped_column(JSON)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    envelope_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    envelope: Mapped[dict | None] = mapped_column(JSON)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The procurement's data version when sent (procurement.data_version; migration 0014):
    # staleness is these against the counters now. None on versions sent before 0014, which
    # are compared by rebuilding their snapshot.
    figures_version: Mapped[int | None] = mapped_column(Integer)
    narrative_version: Mapped[int | None] = mapped_column(Integer)
    annexes_version: Mapped[int | None] = mapped_column(Integer)

    note: Mapped[DecisionNote] = relationship(back_populates="versions")
    signoffs: Mapped[list["SignOff"]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="SignOff.position")


class SignOff(db.Model):
    __table_args__ = (UniqueConstraint("version_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("note_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based routing order
    role: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    recipient_id: Mapped[str] = mapped_column(String(20))  # the envelope's recipientId
    comments: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    via: Mapped[str | None] = mapped_column(String(20))  # app / docusign

    version: Mapped[NoteVersion] = relationship(back_populates="signoffs")
    user: Mapped[User | None] = relationship()


class Annex(db.Model):
    __table_args__ = (UniqueConstraint("note_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("decision_note.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # EIA / DPIA
    form: Mapped[dict | None] = mapped_column(JSON)  # the structured form
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)  # or an uploaded PDF
    filename: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    note: Mapped[DecisionNote] = relationship(back_populates="annexes")


class Letter(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(20))
    standstill_end: Mapped[date | None] = mapped_column(Date)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    # the digest of the data the letter was drawn from (decisions.letters.rules.data_digest):
    # whether the records still draw the same letter, without drawing it (migration 0018;
    # NULL for a letter issued before it)
    data_sha256: Mapped[str | None] = mapped_column(String(64))
    # the letter exactly as issued: what the bidder received is kept, not redrawn
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    bid: Mapped[Bid] = relationship()


RECORDED, REFUSED = "recorded", "refused"  # WebhookEvent.outcome


class WebhookEvent(db.Model):
    """DocuSign Connect events received, keyed so a repeated event changes nothing.

    An event answered 409 (a signer out of turn, a completion refused) is kept too, as
    `refused` with the reason, for review; only `recorded` events hold their key, so a later
    retry of a refused event is handled afresh."""

    __table_args__ = (Index("uq_webhook_event_recorded_key", "event_key", unique=True,
                            sqlite_where=text("outcome = 'recorded'"),
                            postgresql_where=text("outcome = 'recorded'")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(String(300))
    envelope_id: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20), default=RECORDED,
                                         server_default=RECORDED)
    reason: Mapped[str | None] = mapped_column(String(60))  # refused: decisions.signoff's
    message: Mapped[str | None] = mapped_column(Text)


def _watch_data_version() -> None:
    """What of the note bumps its procurement's data version (procurement.data_version):
    the officer's text and answers, and the annexes; not the note's state or versions."""
    from sqlalchemy import select

    from procurement.data_version import ANNEXES, EXTRA_KINDS, NARRATIVE, owner_via, watch

    EXTRA_KINDS["note"] = lambda ids: select(DecisionNote.procurement_id).where(
        DecisionNote.id.in_(ids))
    watch(DecisionNote, NARRATIVE, owner_via("procurement", "procurement_id", "procurement"),
          ignored={"state", "updated_at"}, new_counts=False)  # before any version exists
    watch(Annex, ANNEXES, owner_via("note", "note_id", "note", "procurement_id"),
          ignored={"updated_at"})


_watch_data_version()
