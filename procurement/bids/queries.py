"""What was received for a procurement, for operators (`tender bids`) and the opening: every
numbered version of every bid, never contents or prices. Read-only."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from extensions import db
from procurement.bids.models import SOURCE_TENDER, BidDocument, BidOpening, BidVersion
from procurement.bids.rules import utc_iso
from procurement.models import Bid, Bidder, Lot, Procurement
from procurement.states import tender_deadline_utc


@dataclass
class Received:
    """One version of one bid, as received (a workbook bid is its version 1, no documents)."""

    lot: str
    bidder: str
    version: int
    received_at: datetime | None
    state: str
    source: str
    bid_id: int
    version_id: int | None = None
    documents: list[tuple[str, str]] = field(default_factory=list)  # (name, sha256)

    def as_json(self) -> dict:
        return {"lot": self.lot, "bidder": self.bidder, "version": self.version,
                "received_at": utc_iso(self.received_at), "state": self.state,
                "documents": [{"name": n, "sha256": h} for n, h in self.documents]}


def versions_for(procurement: Procurement) -> list[Received]:
    """Every received version (drafts are not received), by lot, bidder and version."""
    bids = db.session.execute(
        select(Bid, Lot.code, Bidder.name).join(Lot, Bid.lot_id == Lot.id)
        .join(Bidder, Bid.bidder_id == Bidder.id)
        .where(Lot.procurement_id == procurement.id)
        .order_by(Lot.position, Lot.code, Bidder.name, Bid.id)).all()
    tender_ids = [bid.id for bid, _, _ in bids if bid.source == SOURCE_TENDER]
    by_bid: dict[int, list[BidVersion]] = {}
    docs: dict[int, list[tuple[str, str]]] = {}
    if tender_ids:
        for v in db.session.execute(select(BidVersion).where(
                BidVersion.bid_id.in_(tender_ids), BidVersion.number.is_not(None))
                .order_by(BidVersion.number)).scalars():
            by_bid.setdefault(v.bid_id, []).append(v)
        ids = [v.id for vs in by_bid.values() for v in vs]
        if ids:
            for version_id, name, sha in db.session.execute(
                    select(BidDocument.version_id, BidDocument.name, BidDocument.sha256)
                    .where(BidDocument.version_id.in_(ids)).order_by(BidDocument.id)):
                docs.setdefault(version_id, []).append((name, sha))
    out = []
    for bid, code, name in bids:
        if bid.source != SOURCE_TENDER:
            out.append(Received(code, name, 1, bid.received_at, bid.state, bid.source, bid.id))
            continue
        for v in by_bid.get(bid.id, []):
            out.append(Received(code, name, v.number, v.received_at, v.state, bid.source,
                                bid.id, v.id, docs.get(v.id, [])))
    return out


def opened_at(procurement: Procurement) -> datetime | None:
    return db.session.execute(select(BidOpening.opened_at).where(
        BidOpening.procurement_id == procurement.id)).scalar_one_or_none()


def bids_json(procurement: Procurement) -> dict:
    """`tender bids REF --format json`, with the contract's keys exactly."""
    return {"reference": procurement.reference,
            "tender_deadline": utc_iso(tender_deadline_utc(procurement)),
            "opened_at": utc_iso(opened_at(procurement)),
            "bids": [r.as_json() for r in versions_for(procurement)]}


def bids_of_organisation(organisation_id: int | None) -> list[tuple[Procurement, Lot, Bid]]:
    """The organisation's bids made in Tender, newest procurement first (its `/bids` page)."""
    if organisation_id is None:
        return []
    return [tuple(row) for row in db.session.execute(
        select(Procurement, Lot, Bid).join(Lot, Lot.procurement_id == Procurement.id)
        .join(Bid, Bid.lot_id == Lot.id).join(Bidder, Bid.bidder_id == Bidder.id)
        .where(Bidder.organisation_id == organisation_id, Bid.source == SOURCE_TENDER)
        .order_by(Procurement.id.desc(), Lot.position, Lot.code)).all()]
