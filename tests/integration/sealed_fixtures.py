"""Sealed bids for the tests, written straight into the tables (independent of the supplier's
submission pages): a tender-sourced `Bid` with numbered versions, each with its documents
stored through `procurement.bids.storage`."""
from __future__ import annotations

import hashlib
import io
from datetime import datetime
from decimal import Decimal

from extensions import db
from procurement.bids import storage
from procurement.bids.models import BidDocument, BidVersion
from procurement.models import Bid, Bidder, Lot

SEALED_PRICE = Decimal("87654.32")
PRICE_TEXTS = ("87654.32", "87,654.32", "87654")  # however a page might print it
MARKER = "SEALED-MARKER-7f3a9c"  # inside the document: never in a response before opening


def pdf(marker: str = MARKER) -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + marker.encode()
            + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def add_version(bid: Bid, number: int, *, price: Decimal, state: str, received_at: datetime,
                documents: tuple[tuple[str, bytes], ...]) -> BidVersion:
    v = BidVersion(bid_id=bid.id, number=number, state=state, price=price,
                   received_at=received_at, declaration=True)
    db.session.add(v)
    db.session.flush()
    digest = hashlib.sha256(f"{price}".encode())
    for name, data in documents:
        stored = storage.store(io.BytesIO(data), "application/pdf")
        db.session.add(BidDocument(version_id=v.id, file_id=stored.id, name=name,
                                   file_type="pdf", sha256=stored.sha256, size=stored.size))
        digest.update(stored.sha256.encode())
    v.content_sha256 = digest.hexdigest()
    db.session.flush()
    return v


def sealed_bid(lot: Lot, bidder_name: str, *, price: Decimal = SEALED_PRICE,
               received_at: datetime = datetime(2031, 6, 9, 9, 30),
               documents: tuple[tuple[str, bytes], ...] | None = None,
               superseded: bool = False, withdrawn: bool = False) -> Bid:
    """A bid submitted in Tender, still sealed; optionally with an earlier superseded version,
    or withdrawn (its only version withdrawn)."""
    p = lot.procurement
    bidder = next((b for b in p.bidders if b.name == bidder_name), None)
    if bidder is None:
        bidder = Bidder(name=bidder_name)
        p.bidders.append(bidder)
    bid = Bid(lot=lot, bidder=bidder, source="tender", state="submitted", price=None,
              selection="pass")
    db.session.add(bid)
    db.session.flush()
    documents = documents if documents is not None else (("method-statement.pdf", pdf()),)
    number = 1
    if superseded:
        add_version(bid, 1, price=price + 1000, state="superseded",
                    received_at=received_at.replace(hour=8),
                    documents=(("first-try.pdf", pdf(MARKER + "-v1")),))
        number = 2
    add_version(bid, number, price=price, state="withdrawn" if withdrawn else "submitted",
                received_at=received_at, documents=documents)
    db.session.commit()
    return bid
