"""Procurements, their partners, lots, key dates, engagement events, bidders and bids."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text,
                        UniqueConstraint, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from clock import utcnow
from extensions import db
from procurement.timeline import uk_wall_clock, utc_to_uk

MONEY = Numeric(16, 2)  # exact pence, never floats

REGIMES = {
    "PCR2015-LTR": "Public Contracts Regulations 2015, light-touch regime",
    "PCR2015-OPEN": "Public Contracts Regulations 2015, open procedure",
    "PCR2015-RESTRICTED": "Public Contracts Regulations 2015, restricted procedure",
    "PA2023-OPEN": "Procurement Act 2023, open procedure",
    "PA2023-CFP": "Procurement Act 2023, competitive flexible procedure",
}
RELATES_TO = ("Policing", "Crime", "Fire & Rescue")
# The kind of buyer selects the threshold (procurement/thresholds.py): a police and crime
# commissioner is a sub-central authority.
BUYER_KINDS = {
    "central": "Central government authority",
    "sub_central": ("Sub-central authority (for example a police and crime commissioner "
                    "or a council)"),
    "utilities": "Utility",
}
DATE_LABELS = {
    "pin": "Prior information notice", "engagement": "Market engagement",
    "itt_published": "Invitation to tender published",
    "clarification_deadline": "Clarification deadline", "tender_deadline": "Tender deadline",
    "evaluation": "Evaluation", "decision": "Decision", "award_notice": "Award notice",
    "decision_letters": "Decision letters sent", "standstill_end": "Standstill ends",
    "contract_start": "Contract start",
}
DATE_KINDS = tuple(DATE_LABELS)


class Procurement(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    regime: Mapped[str] = mapped_column(String(30))
    relates_to: Mapped[str] = mapped_column(String(100), default="")  # comma-separated
    initial_term_years: Mapped[int] = mapped_column(Integer, default=1)
    extension_years: Mapped[str] = mapped_column(String(50), default="")  # e.g. "1,1"
    cpv_codes: Mapped[str] = mapped_column(String(300), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    min_delphi: Mapped[int | None] = mapped_column(Integer)
    # Whether tenders may be submitted electronically: it shortens the minimum tendering
    # period (PCR 2015 reg. 27(6), 28(9); PA 2023 s.54(4)). Migration 0006.
    electronic_submission: Mapped[bool] = mapped_column(Boolean, default=True,
                                                        server_default=true())
    buyer_kind: Mapped[str] = mapped_column(String(20), default="sub_central",
                                            server_default="sub_central")
    two_person_opening: Mapped[bool] = mapped_column(Boolean, default=False)
    setup_finalised_at: Mapped[datetime | None] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(30), default="draft")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    partners: Mapped[list["PartnerContribution"]] = relationship(
        back_populates="procurement", cascade="all, delete-orphan",
        order_by="PartnerContribution.position")
    lots: Mapped[list["Lot"]] = relationship(
        back_populates="procurement", cascade="all, delete-orphan", order_by="Lot.position")
    dates: Mapped[list["TimelineDate"]] = relationship(
        back_populates="procurement", cascade="all, delete-orphan")
    events: Mapped[list["EngagementEvent"]] = relationship(
        back_populates="procurement", cascade="all, delete-orphan",
        order_by="EngagementEvent.on_date")
    bidders: Mapped[list["Bidder"]] = relationship(
        back_populates="procurement", cascade="all, delete-orphan", order_by="Bidder.name")

    @property
    def relates_to_list(self) -> list[str]:
        return [r.strip() for r in self.relates_to.split(",") if r.strip()]

    @property
    def extensions(self) -> list[int]:
        return [int(x) for x in self.extension_years.split(",") if x.strip()]

    @property
    def annual_total(self) -> Decimal:
        return sum((lot.annual_value for lot in self.lots), Decimal("0"))

    def date_of(self, kind: str) -> TimelineDate | None:
        return next((d for d in self.dates if d.kind == kind), None)


class PartnerContribution(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    annual_contribution: Mapped[Decimal] = mapped_column(MONEY)
    position: Mapped[int] = mapped_column(Integer, default=0)

    procurement: Mapped[Procurement] = relationship(back_populates="partners")


class Lot(db.Model):
    __table_args__ = (UniqueConstraint("procurement_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    annual_value: Mapped[Decimal] = mapped_column(MONEY)
    position: Mapped[int] = mapped_column(Integer, default=0)
    model_locked: Mapped[bool] = mapped_column(Boolean, default=False)  # criteria frozen
    results_final_at: Mapped[datetime | None] = mapped_column(DateTime)

    procurement: Mapped[Procurement] = relationship(back_populates="lots")
    bids: Mapped[list["Bid"]] = relationship(back_populates="lot", cascade="all, delete-orphan")
    criteria: Mapped[list["Criterion"]] = relationship(  # noqa: F821 (evaluation.models)
        back_populates="lot", cascade="all, delete-orphan", order_by="Criterion.position")
    panel: Mapped[list["PanelMember"]] = relationship(  # noqa: F821
        back_populates="lot", cascade="all, delete-orphan", order_by="PanelMember.name")
    section_minimums: Mapped[list["SectionMinimum"]] = relationship(  # noqa: F821
        back_populates="lot", cascade="all, delete-orphan")


class TimelineDate(db.Model):
    """A key date. A date alone is kept as midnight with `with_time` false; a date-time is kept
    in UTC (migration 0006; a time without a zone is entered as UK time, Europe/London)."""

    __table_args__ = (UniqueConstraint("procurement_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # one of DATE_KINDS
    at: Mapped[datetime] = mapped_column(DateTime)  # UTC when with_time, else the day at 00:00
    with_time: Mapped[bool] = mapped_column(Boolean, default=False)

    procurement: Mapped[Procurement] = relationship(back_populates="dates")

    @property
    def value(self) -> date | datetime:
        """The date, or the UK wall-clock time (naive, `fold` set in the hour that repeats)."""
        return uk_wall_clock(self.at) if self.with_time else self.at.date()

    @property
    def uk_value(self) -> date | datetime:
        """The date, or the date-time aware in UK time."""
        return utc_to_uk(self.at) if self.with_time else self.at.date()

    @property
    def local_date(self) -> date:
        """The day in the UK (a deadline at 00:30 BST is 23:30 UTC the day before)."""
        return self.uk_value.date() if self.with_time else self.at.date()


class EngagementEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(100))  # e.g. "Market engagement event"
    attendees: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    procurement: Mapped[Procurement] = relationship(back_populates="events")


class Bidder(db.Model):
    """A supplier as it appears in one procurement."""

    __table_args__ = (UniqueConstraint("procurement_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    procurement: Mapped[Procurement] = relationship(back_populates="bidders")
    bids: Mapped[list["Bid"]] = relationship(back_populates="bidder")


class Bid(db.Model):
    __table_args__ = (UniqueConstraint("lot_id", "bidder_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"))
    bidder_id: Mapped[int] = mapped_column(ForeignKey("bidder.id", ondelete="CASCADE"))
    price: Mapped[Decimal | None] = mapped_column(MONEY)
    selection: Mapped[str] = mapped_column(String(10), default="pass")  # pass / fail
    selection_reason: Mapped[str | None] = mapped_column(Text)
    delphi_score: Mapped[int | None] = mapped_column(Integer)
    financial: Mapped[str | None] = mapped_column(String(10))  # pass / fail / mitigated
    financial_reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="opened")  # submitted / opened / withdrawn
    # "workbook": received outside Tender (imported); "tender": submitted here as sealed versions
    source: Mapped[str] = mapped_column(String(10), default="workbook", server_default="workbook")
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)

    lot: Mapped[Lot] = relationship(back_populates="bids")
    bidder: Mapped[Bidder] = relationship(back_populates="bids")


class PanelMember(db.Model):
    """An evaluator on a lot's panel: a user, or just a name from an imported workbook."""

    __table_args__ = (UniqueConstraint("lot_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    lot: Mapped[Lot] = relationship(back_populates="panel")
    user: Mapped[User | None] = relationship()
    declarations: Mapped[list["ConflictDeclaration"]] = relationship(  # noqa: F821 (evaluation)
        back_populates="member", cascade="all, delete-orphan")
