"""The evaluation model, the panel, individual scores and consensus."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from clock import utcnow
from extensions import db
from procurement.models import Bid, Bidder, Lot, PanelMember

SCORE = Numeric(8, 4)
WEIGHT = Numeric(9, 4)
STEP = Numeric(6, 2)


class Criterion(db.Model):
    __table_args__ = (UniqueConstraint("lot_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30))
    section: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    weight: Mapped[Decimal] = mapped_column(WEIGHT)
    kind: Mapped[str] = mapped_column(String(10))  # scored / price
    max_score: Mapped[Decimal | None] = mapped_column(SCORE)
    min_score: Mapped[Decimal | None] = mapped_column(SCORE)
    # published descriptors per score, e.g. {"0": "No response", …, "5": "Excellent"}
    descriptors: Mapped[dict | None] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # the scale's step for this criterion; None: the `score_step` setting in force (a tender
    # imported from a workbook has none, so its scores keep the contract's 4 decimals)
    score_step: Mapped[Decimal | None] = mapped_column(STEP)

    lot: Mapped[Lot] = relationship(back_populates="criteria")


class SectionMinimum(db.Model):
    """Optional minimum percentage of a section's weight a bid must reach."""

    __table_args__ = (UniqueConstraint("lot_id", "section"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(100))
    min_percent: Mapped[Decimal] = mapped_column(Numeric(6, 2))

    lot: Mapped[Lot] = relationship(back_populates="section_minimums")


class SectionDescription(db.Model):
    """How the decision note names a section of the evaluation model ("a written quality
    submission"), per procurement: the note says how bids were assessed across its lots."""

    __table_args__ = (UniqueConstraint("procurement_id", "section"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(300))


class ConflictDeclaration(db.Model):
    __table_args__ = (UniqueConstraint("member_id", "bidder_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"))
    bidder_id: Mapped[int] = mapped_column(ForeignKey("bidder.id", ondelete="CASCADE"))
    conflicted: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[PanelMember] = relationship(back_populates="declarations")
    bidder: Mapped[Bidder] = relationship()


class Score(db.Model):
    # ix_score_progress covers the overview's count of submitted scores per bid and member
    __table_args__ = (UniqueConstraint("bid_id", "criterion_id", "member_id"),
                      Index("ix_score_progress", "bid_id", "member_id", "state", "criterion_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(SCORE)
    justification: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="draft")  # draft / submitted
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)

    bid: Mapped[Bid] = relationship()
    criterion: Mapped[Criterion] = relationship()
    member: Mapped[PanelMember] = relationship()


class Consensus(db.Model):
    __table_args__ = (UniqueConstraint("bid_id", "criterion_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(SCORE)
    rationale: Mapped[str] = mapped_column(Text, default="")
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    bid: Mapped[Bid] = relationship()
    criterion: Mapped[Criterion] = relationship()


def _watch_data_version() -> None:
    """What of the evaluation bumps its procurement's data version (procurement.data_version)."""
    from procurement.data_version import FIGURES, NARRATIVE, owner_via, watch

    by_lot = owner_via("lot", "lot_id", "lot", "procurement_id")
    by_bid = owner_via("bid", "bid_id", "bid", "lot_id")
    watch(Criterion, FIGURES, by_lot, ignored={"descriptors"})
    watch(SectionMinimum, FIGURES, by_lot)
    watch(SectionDescription, NARRATIVE, owner_via("procurement", "procurement_id"))
    watch(Score, FIGURES, by_bid, ignored={"justification", "state", "submitted_at"})
    watch(Consensus, FIGURES, by_bid, ignored={"rationale", "moderator_id", "updated_at"})


_watch_data_version()
