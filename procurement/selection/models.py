"""The selection questionnaire of a procurement, its answers and marks, the SQ markers, and
each bidder's financial assessment with two years of accounts.

A procurement's questions are copied from the standard template of its regime
(`procurement/data/sq_*.json`) the first time anyone opens its questionnaire. Each question
keeps the standard's own version (`standard`, JSON) so a deviation is always shown against
what the standard said, even if the template is later revised; a removed standard question is
kept, marked removed.

Answers are grouped in an answer set per answering party: the bidder itself, and each
consortium member or subcontractor relied on (they answer Parts 1 and 2 each). A per-lot
answer names the `Bid` it belongs to; a procurement-wide answer belongs to the bidder's
answer set. The set is a draft until the supplier submits it.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from clock import utcnow
from extensions import db
from procurement.models import Bid, Bidder, Lot, Procurement

MONEY = Numeric(16, 2)
DRAFT, SUBMITTED = "draft", "submitted"
PARTY_ROLES = {"bidder": "The bidder", "consortium_member": "Consortium member",
               "subcontractor": "Subcontractor relied on"}


class SqQuestion(db.Model):
    __table_args__ = (UniqueConstraint("procurement_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(20))  # "3.2.1": part.section.question
    part: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))  # rules.PASS_FAIL / rules.INFORMATION
    mandatory: Mapped[bool] = mapped_column(Boolean, default=True)
    scope: Mapped[str] = mapped_column(String(20))  # rules.PROCUREMENT_WIDE / rules.PER_LOT
    every_party: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    standard: Mapped[dict | None] = mapped_column(JSON)  # the template's version; None: added
    removed: Mapped[bool] = mapped_column(Boolean, default=False)

    procurement: Mapped[Procurement] = relationship()


class SqMarker(db.Model):
    """An evaluator assigned to mark the procurement's questionnaire (the officer always may)."""

    __table_args__ = (UniqueConstraint("procurement_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class SqAnswerSet(db.Model):
    __table_args__ = (UniqueConstraint("bidder_id", "party_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bidder_id: Mapped[int] = mapped_column(ForeignKey("bidder.id", ondelete="CASCADE"),
                                           index=True)
    party_role: Mapped[str] = mapped_column(String(30), default="bidder")  # PARTY_ROLES
    party_name: Mapped[str] = mapped_column(String(200), default="")  # "" for the bidder
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    bidder: Mapped[Bidder] = relationship()
    answers: Mapped[list["SqAnswer"]] = relationship(
        back_populates="answer_set", cascade="all, delete-orphan", order_by="SqAnswer.id")


class SqAnswer(db.Model):
    __table_args__ = (UniqueConstraint("answer_set_id", "question_id", "bid_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_set_id: Mapped[int] = mapped_column(
        ForeignKey("sq_answer_set.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("sq_question.id", ondelete="CASCADE"))
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"))
    # the bid version the answer was submitted with, where the bid has versions
    bid_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("bid_version.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    evidence_filename: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    answer_set: Mapped[SqAnswerSet] = relationship(back_populates="answers")
    question: Mapped[SqQuestion] = relationship()
    bid: Mapped[Bid | None] = relationship()


class SqMark(db.Model):
    __table_args__ = (UniqueConstraint("answer_set_id", "question_id", "lot_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_set_id: Mapped[int] = mapped_column(
        ForeignKey("sq_answer_set.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("sq_question.id", ondelete="CASCADE"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(10))  # pass / fail
    reason: Mapped[str] = mapped_column(Text)
    marker_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    marked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    answer_set: Mapped[SqAnswerSet] = relationship()
    question: Mapped[SqQuestion] = relationship()
    lot: Mapped[Lot | None] = relationship()
    marker: Mapped[User] = relationship(foreign_keys=[marker_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])


class FinancialAssessment(db.Model):
    """A bidder's financial standing, recorded by the finance reviewer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    bidder_id: Mapped[int] = mapped_column(ForeignKey("bidder.id", ondelete="CASCADE"),
                                           unique=True)
    delphi_score: Mapped[int] = mapped_column(Integer)
    delphi_date: Mapped[date] = mapped_column(Date)
    delphi_source: Mapped[str] = mapped_column(String(300))
    report_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    report_filename: Mapped[str | None] = mapped_column(String(255))
    band: Mapped[str | None] = mapped_column(String(100))  # as the bands in force said
    bands_source: Mapped[str] = mapped_column(Text, default="")
    minimum: Mapped[int | None] = mapped_column(Integer)  # the procurement's, when recorded
    turnover_multiple: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    multiple_justification: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(10))  # pass / fail / mitigated
    mitigation: Mapped[str] = mapped_column(String(40), default="")
    justification: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    bidder: Mapped[Bidder] = relationship()
    reviewer: Mapped[User] = relationship()
    accounts: Mapped[list["AccountsYear"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan",
        order_by="AccountsYear.year_end.desc()")


class AccountsYear(db.Model):
    __table_args__ = (UniqueConstraint("assessment_id", "year_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("financial_assessment.id", ondelete="CASCADE"), index=True)
    year_end: Mapped[date] = mapped_column(Date)
    turnover: Mapped[Decimal] = mapped_column(MONEY)
    profit_before_tax: Mapped[Decimal] = mapped_column(MONEY)
    net_assets: Mapped[Decimal] = mapped_column(MONEY)
    current_assets: Mapped[Decimal] = mapped_column(MONEY)
    current_liabilities: Mapped[Decimal] = mapped_column(MONEY)
    audited: Mapped[bool] = mapped_column(Boolean, default=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    filename: Mapped[str | None] = mapped_column(String(255))

    assessment: Mapped[FinancialAssessment] = relationship(back_populates="accounts")
