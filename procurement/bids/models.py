"""A bid's versions, their documents and price lines, stored files, and the opening.

`procurement.models.Bid` stays the one row per lot and bidder that evaluation reads. Its
`price` is empty and its `state` is `submitted` until the bids are opened: nothing about a
sealed bid's contents is on it. What the supplier sent lives in `BidVersion` rows: a draft
while it works, then each submission a new numbered version (the earlier ones superseded,
kept). Opening copies the current version's price onto the `Bid`.

Files are kept in the database in chunks (`StoredFile` + `FileChunk`), so every worker on
every machine serves the same ones and a download streams chunk by chunk, never the whole
file in memory.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (Boolean, DateTime, ForeignKey, Integer, LargeBinary, Numeric, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from clock import utcnow
from extensions import db
from procurement.bids.opening_rules import (DRAFT, OPENED, SOURCE_TENDER,  # noqa: F401
                                            SOURCE_WORKBOOK, SUBMITTED, SUPERSEDED, WITHDRAWN)
from procurement.models import Bid, Procurement

MONEY = Numeric(14, 2)


class StoredFile(db.Model):
    """A file's metadata; its bytes are the `FileChunk` rows in order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FileChunk(db.Model):
    __table_args__ = (UniqueConstraint("file_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"),
                                         index=True)
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class BidVersion(db.Model):
    """One version of a supplier's bid for a lot: a draft, or a numbered submission."""

    __table_args__ = (UniqueConstraint("bid_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)  # None while a draft
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    price: Mapped[Decimal | None] = mapped_column(MONEY)
    # Taken by the server inside the transaction that stores the version (UTC, naive).
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    # sha256 over the version as a whole: price, price lines and each document's hash.
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    declaration: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)

    bid: Mapped[Bid] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    documents: Mapped[list["BidDocument"]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="BidDocument.id")
    price_lines: Mapped[list["BidPriceLine"]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="BidPriceLine.id")


class BidDocument(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("bid_version.id", ondelete="CASCADE"),
                                            index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    name: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(10))  # pdf, docx, xlsx, odt, ods
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)

    version: Mapped[BidVersion] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship()


class BidPriceLine(db.Model):
    """An itemised line of the price schedule; the lines add up to the version's price."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("bid_version.id", ondelete="CASCADE"),
                                            index=True)
    description: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal] = mapped_column(MONEY)

    version: Mapped[BidVersion] = relationship(back_populates="price_lines")


class BidOpening(db.Model):
    """Opening the bids of a procurement: requested by an officer after the deadline and,
    where the procurement asks for two-person opening, confirmed by a second officer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), unique=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)  # None until opened
    register_sha256: Mapped[str | None] = mapped_column(String(64))

    procurement: Mapped[Procurement] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
