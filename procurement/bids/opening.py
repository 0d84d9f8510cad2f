"""Opening the bids: an officer's act after the deadline, confirmed by a second officer where
the procurement asks for two-person opening (rules in procurement.bids.opening_rules).

Opening makes each bid's current version `opened` (superseded and withdrawn versions stay as
they are), copies its price onto the `Bid` that evaluation reads and moves the procurement to
"bids opened", with one audit record of hashes and metadata (never a price or a document),
all in the caller's commit. It happens once: the `BidOpening` row is unique per procurement
(two officers asking at once make one row; the other is refused), and a confirmation is a
compare-and-set on its `opened_at`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

import clock
from accounts.models import User
from audit.services import record
from extensions import db
from procurement.bids import opening_rules as rules
from procurement.bids.models import (OPENED, SOURCE_TENDER, SUBMITTED, WITHDRAWN, BidOpening,
                                     BidVersion)
from procurement.models import Bid, Bidder, Lot, Procurement
from procurement.states import act, tender_deadline_utc
from procurement.timeline import utc_to_uk


class Refused(Exception):
    """The act is refused; the message says why."""


@dataclass
class RegisterLine:
    """One bid in the opening register (and, before opening, its metadata on the page)."""

    bid_id: int
    lot: str
    lot_title: str
    bidder: str
    version: int | None
    state: str
    received_at: datetime | None  # naive UTC
    sha256: str | None
    documents: list[tuple[str, str]] = field(default_factory=list)  # (name, sha256)
    document_hashes: list[str] = field(default_factory=list)  # before opening: no names

    @property
    def received_uk(self) -> datetime | None:
        return utc_to_uk(self.received_at) if self.received_at is not None else None


def opening_of(procurement: Procurement) -> BidOpening | None:
    return db.session.execute(select(BidOpening).where(
        BidOpening.procurement_id == procurement.id)).scalar_one_or_none()


def is_opened(procurement: Procurement) -> bool:
    opening = opening_of(procurement)
    return opening is not None and opening.opened_at is not None


def _tender_bids(procurement: Procurement) -> list[tuple[Bid, Lot, str]]:
    return list(db.session.execute(
        select(Bid, Lot, Bidder.name).join(Lot, Bid.lot_id == Lot.id)
        .join(Bidder, Bid.bidder_id == Bidder.id)
        .where(Lot.procurement_id == procurement.id, Bid.source == SOURCE_TENDER)
        .order_by(Lot.position, Lot.code, Bidder.name)).tuples())


def _current(bid: Bid) -> BidVersion | None:
    """The version that counts: the submitted (or opened) one, else the latest withdrawn."""
    versions = list(db.session.execute(select(BidVersion).where(
        BidVersion.bid_id == bid.id, BidVersion.number.is_not(None))
        .order_by(BidVersion.number.desc())).scalars())
    for v in versions:
        if v.state in (SUBMITTED, OPENED):
            return v
    return next((v for v in versions if v.state == WITHDRAWN), None)


def register_lines(procurement: Procurement, *, with_documents: bool) -> list[RegisterLine]:
    """Every bid submitted in Tender, with its current version: metadata and hashes only.

    Before opening (`with_documents` False) a line has no document name and no version hash:
    the version hash binds the price (procurement.bids.rules.version_sha256), so a guessed
    price could be checked against it; each document's own hash is what is shown."""
    lines = []
    for bid, lot, bidder in _tender_bids(procurement):
        v = _current(bid)
        if v is None:  # only a draft: nothing was submitted
            continue
        docs = [(d.name, d.sha256) for d in v.documents] if with_documents else []
        lines.append(RegisterLine(bid.id, lot.code, lot.title, bidder, v.number, v.state,
                                  v.received_at, v.content_sha256 if with_documents else None,
                                  docs, [d.sha256 for d in v.documents]))
    return lines


def register_digest(procurement: Procurement, lines: list[RegisterLine]) -> str:
    """sha256 over the register's lines, kept with the opening."""
    doc = [{"reference": procurement.reference}] + [
        {"lot": ln.lot, "bidder": ln.bidder, "version": ln.version, "state": ln.state,
         "received_at": ln.received_at.isoformat() if ln.received_at else None,
         "sha256": ln.sha256, "documents": ln.documents} for ln in lines]
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _refuse(refusal: rules.Refusal | None) -> None:
    if refusal is not None:
        raise Refused(refusal.message)


def request_opening(procurement: Procurement, user: User) -> str:
    """The first officer's act: opens the bids, or (two-person) records the request.

    Returns what was done, in words; raises Refused. The caller commits."""
    existing = opening_of(procurement)
    _refuse(rules.open_refusal(
        is_officer=user.has_role("officer"), state=procurement.state, now=clock.utcnow(),
        deadline=tender_deadline_utc(procurement), requested=existing is not None,
        opened=existing is not None and existing.opened_at is not None))
    now = clock.utcnow()
    opening = BidOpening(procurement_id=procurement.id, requested_by_id=user.id,
                         requested_at=now)
    db.session.add(opening)
    try:
        db.session.flush()  # the unique row: a second officer at the same moment fails here
    except IntegrityError:
        db.session.rollback()
        raise Refused("Another officer has just opened the bids, or asked to.") from None
    if rules.two_person_needed(procurement.two_person_opening, None):
        record("bid_opening", opening.id, "request", None,
               {"requested_by": user.email, "requested_at": now},
               procurement_ref=procurement.reference, actor=user.email)
        return "Opening requested: a second officer must confirm it before the bids open."
    opening.opened_at = now
    _open(procurement, opening, user)
    return "The bids are opened."


def confirm_opening(procurement: Procurement, user: User) -> str:
    """The second officer's act where two-person opening is asked for; raises Refused."""
    opening = opening_of(procurement)
    _refuse(rules.confirm_refusal(
        is_officer=user.has_role("officer"), two_person=procurement.two_person_opening,
        requested_by_id=opening.requested_by_id if opening else None, confirmer_id=user.id,
        opened=opening is not None and opening.opened_at is not None))
    _refuse(rules.open_refusal(is_officer=True, state=procurement.state, now=clock.utcnow(),
                               deadline=tender_deadline_utc(procurement), requested=False,
                               opened=False))
    now = clock.utcnow()
    moved = db.session.execute(update(BidOpening).where(
        BidOpening.id == opening.id, BidOpening.opened_at.is_(None))
        .values(opened_at=now, confirmed_by_id=user.id))
    if moved.rowcount != 1:  # another officer confirmed first
        db.session.rollback()
        raise Refused("The bids are already opened.")
    db.session.refresh(opening)
    _open(procurement, opening, user)
    return "The bids are opened."


def _open(procurement: Procurement, opening: BidOpening, user: User) -> None:
    """Unseal every current version; the price goes onto the Bid; one audit record."""
    now = opening.opened_at
    for bid, _, _ in _tender_bids(procurement):
        v = _current(bid)
        if v is None:
            continue
        if v.state == WITHDRAWN:
            bid.state = WITHDRAWN  # withdrawn before the deadline: never evaluated
            continue
        v.state = OPENED
        bid.price, bid.state, bid.opened_at = v.price, OPENED, now
        bid.received_at = v.received_at
    db.session.flush()
    lines = register_lines(procurement, with_documents=True)
    opening.register_sha256 = register_digest(procurement, lines)
    refusal = act(procurement, "open_bids", actor=user.email)
    if refusal is not None:
        raise Refused(refusal.message)
    requested_by = db.session.get(User, opening.requested_by_id)
    record("bid_opening", opening.id, "open", None, {
        "opened_at": now, "requested_by": requested_by.email,
        "confirmed_by": user.email if opening.confirmed_by_id else None,
        "register_sha256": opening.register_sha256,
        "bids": [{"lot": ln.lot, "bidder": ln.bidder, "version": ln.version,
                  "state": ln.state, "received_at": ln.received_at, "sha256": ln.sha256,
                  "documents": [h for _, h in ln.documents]} for ln in lines]},
        procurement_ref=procurement.reference, actor=user.email)


def opened_documents(bid: Bid) -> list:
    """The documents of the bid's opened version (none while it is sealed)."""
    from procurement.bids.models import BidDocument

    if not rules.open_for_evaluation(bid.source, bid.state) or bid.source != SOURCE_TENDER:
        return []
    return list(db.session.execute(
        select(BidDocument).join(BidVersion, BidDocument.version_id == BidVersion.id)
        .where(BidVersion.bid_id == bid.id, BidVersion.state == OPENED)
        .order_by(BidDocument.id)).scalars())
