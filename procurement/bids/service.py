"""A supplier's sealed bid for a lot: its draft, its submitted versions, withdrawing it.

The deadline is checked in the transaction that stores a version, after a lock is held and
with the time of receipt read then (`_lock_and_read_clock`): on PostgreSQL `SELECT … FOR
UPDATE` on the procurement's row; on SQLite, which has no row locks, an UPDATE of that row
first, which takes the database's write lock (a second writer waits for the first to
commit). So every submission to a procurement is serialised from the lock to the commit: no
version is stored with a time of receipt at or after the deadline however the requests
interleave, two at once both get stored, and the same bid's versions get distinct numbers
(and the unique constraint on (bid, number) stands behind that).

Documents are stored (streamed into `storage.store`) before the lock, in the same
transaction, so a refusal rolls them back with everything else.

The `Bid` row (one per lot and bidder, what evaluation reads) is made on the first draft or
submission, with the `Bidder` of the supplier's organisation: `source` "tender", `price`
None (the price stays on the version until the bids are opened), `state` "draft" until a
version is submitted, then "submitted" (or "withdrawn"). Audit records carry metadata and
hashes only: never the price, a price line, or the version hash (which binds the price).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update

import clock
from accounts.models import Organisation, User
from audit.services import record
from extensions import db
from procurement.bids import rules, storage
from procurement.bids.models import (DRAFT, OPENED, SOURCE_TENDER, SUBMITTED, SUPERSEDED,
                                     WITHDRAWN, BidDocument, BidPriceLine, BidVersion)
from procurement.bids.uploads import Upload
from procurement.models import Bid, Bidder, Lot, Procurement
from procurement.notices import queries
from procurement.states import tender_deadline_utc

# Bid.state of a bid with only a draft (never submitted): not received, never opened.
BID_DRAFT = "draft"
RECEIVED = (SUBMITTED, SUPERSEDED, WITHDRAWN, OPENED)  # numbered versions


@dataclass
class Outcome:
    version: BidVersion | None = None
    refusal: str | None = None


# -- reading -----------------------------------------------------------------------------------

def is_open_for_bids(p: Procurement) -> bool:
    """A published contract notice or UK4 (or the light-touch PIN that is the call for
    competition): otherwise the bid pages are not there (404)."""
    return queries.opens_competition(p, queries.published_notices(p))


def terminated(p: Procurement) -> bool:
    return queries.terminated(p, queries.published_notices(p))


def needs_price(lot: Lot) -> bool:
    """Whether the lot has a price criterion (evaluation's Criterion.kind "price")."""
    return any(c.kind == "price" for c in lot.criteria)


def bidder_of(p: Procurement, organisation_id: int | None) -> Bidder | None:
    if organisation_id is None:
        return None
    return db.session.execute(select(Bidder).where(
        Bidder.procurement_id == p.id, Bidder.organisation_id == organisation_id)
        .order_by(Bidder.id).limit(1)).scalar_one_or_none()


def bid_of(lot: Lot, organisation_id: int | None) -> Bid | None:
    """The organisation's bid for the lot, or None."""
    if organisation_id is None:
        return None
    return db.session.execute(select(Bid).join(Bidder, Bid.bidder_id == Bidder.id).where(
        Bid.lot_id == lot.id, Bidder.organisation_id == organisation_id)
        .limit(1)).scalar_one_or_none()


def versions(bid: Bid | None) -> list[BidVersion]:
    """The numbered versions (received), newest first."""
    if bid is None:
        return []
    return list(db.session.execute(select(BidVersion).where(
        BidVersion.bid_id == bid.id, BidVersion.number.is_not(None))
        .order_by(BidVersion.number.desc())).scalars())


def version(bid: Bid | None, number: int) -> BidVersion | None:
    if bid is None:
        return None
    return db.session.execute(select(BidVersion).where(
        BidVersion.bid_id == bid.id, BidVersion.number == number)).scalar_one_or_none()


def current_version(bid: Bid | None) -> BidVersion | None:
    """The version that counts: the newest one submitted (or opened); None when the bid has
    none, or was withdrawn."""
    if bid is None:
        return None
    return db.session.execute(select(BidVersion).where(
        BidVersion.bid_id == bid.id, BidVersion.state.in_((SUBMITTED, OPENED)))
        .order_by(BidVersion.number.desc()).limit(1)).scalar_one_or_none()


def draft_of(bid: Bid | None) -> BidVersion | None:
    if bid is None:
        return None
    return db.session.execute(select(BidVersion).where(
        BidVersion.bid_id == bid.id, BidVersion.state == DRAFT).order_by(BidVersion.id)
        .limit(1)).scalar_one_or_none()


def document_of(bid: Bid | None, document_id: int) -> BidDocument | None:
    if bid is None:
        return None
    doc = db.session.get(BidDocument, document_id)
    if doc is None or doc.version.bid_id != bid.id:
        return None
    return doc


# -- the lock and the clock -------------------------------------------------------------------

def _lock_and_read_clock(p: Procurement) -> datetime:
    """Hold the procurement's lock until the commit, then read the server's clock."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Procurement).where(Procurement.id == p.id)
                           .values(id=Procurement.id).execution_options(
                               synchronize_session=False))
    else:
        db.session.execute(select(Procurement.id).where(Procurement.id == p.id)
                           .with_for_update())
    return clock.utcnow()


def _refusal_now(p: Procurement) -> tuple[datetime, str | None]:
    now = _lock_and_read_clock(p)
    db.session.expire(p)  # the deadline as committed now, not as loaded before the lock
    refusal = rules.deadline_refusal(tender_deadline_utc(p), now)
    if refusal is None and terminated(p):
        refusal = "This procurement is terminated: it takes no bids"
    return now, refusal


def _bid_for(p: Procurement, lot: Lot, organisation: Organisation) -> tuple[Bid | None, str | None]:
    """The organisation's bid for the lot, made (with its Bidder) if it has none; under the
    lock, so two first bids at once make one."""
    bidder = bidder_of(p, organisation.id)
    if bidder is None:
        name = organisation.name
        taken = db.session.execute(select(Bidder.id).where(
            Bidder.procurement_id == p.id, Bidder.name == name)).first()
        if taken is not None:  # a bidder of that name received outside Tender
            name = f"{organisation.name} (organisation {organisation.id})"
        bidder = Bidder(procurement_id=p.id, name=name[:200], organisation_id=organisation.id)
        db.session.add(bidder)
        db.session.flush()
    bid = db.session.execute(select(Bid).where(
        Bid.lot_id == lot.id, Bid.bidder_id == bidder.id)).scalar_one_or_none()
    if bid is None:
        bid = Bid(lot_id=lot.id, bidder_id=bidder.id, price=None, source=SOURCE_TENDER,
                  state=BID_DRAFT, selection="pass")
        db.session.add(bid)
        db.session.flush()
    elif bid.source != SOURCE_TENDER:
        return None, ("Your organisation's bid for this lot was received outside Tender, so it "
                      "cannot be changed here: contact the buyer")
    return bid, None


def _store(uploads: list[Upload], version: BidVersion) -> list[BidDocument]:
    docs = []
    for u in uploads:
        u.stream.seek(0)
        stored = storage.store(u.stream, u.kind.content_type)
        doc = BidDocument(file_id=stored.id, name=u.name, file_type=u.kind.code,
                          sha256=stored.sha256, size=stored.size)
        version.documents.append(doc)
        docs.append(doc)
    return docs


def _set_lines(version: BidVersion, lines: list[rules.PriceLine]) -> None:
    version.price_lines.clear()
    for line in lines:
        version.price_lines.append(BidPriceLine(description=line.description,
                                                amount=line.amount))


def _let_go(staged: BidVersion) -> None:
    """A staged version whose documents went to the draft is not kept."""
    if staged in db.session:
        db.session.expunge(staged)


def _doc_meta(docs: list[BidDocument]) -> list[dict]:
    return [{"name": d.name, "sha256": d.sha256, "size": d.size, "type": d.file_type}
            for d in docs]


# -- changing -----------------------------------------------------------------------------------

def save_draft(p: Procurement, lot: Lot, user: User, price: Decimal | None,
               lines: list[rules.PriceLine], uploads: list[Upload],
               remove: set[int] = frozenset()) -> Outcome:
    """Keep the supplier's work: the price, lines and documents of its one draft (documents
    added to it, those in `remove` taken out). Only before the deadline. Commits."""
    staged = BidVersion(state=DRAFT, price=price)  # documents stored before the lock
    _store(uploads, staged)
    now, refusal = _refusal_now(p)
    bid, refusal = (None, refusal) if refusal else _bid_for(p, lot, user.organisation)
    if refusal:
        db.session.rollback()
        return Outcome(refusal=refusal)
    draft = draft_of(bid)
    if draft is None:
        draft, staged.bid_id = staged, bid.id
        draft.created_at = now
        db.session.add(draft)
    else:
        for doc in list(staged.documents):
            staged.documents.remove(doc)
            draft.documents.append(doc)
        _let_go(staged)
    for doc in list(draft.documents):
        if doc.id is not None and doc.id in remove:
            draft.documents.remove(doc)
    draft.price, draft.updated_at = price, now
    _set_lines(draft, lines)
    db.session.flush()
    record("bid", f"{p.reference}/{lot.code}/{bid.bidder.name}", "save draft", None,
           {"lot": lot.code, "bidder": bid.bidder.name, "documents": _doc_meta(draft.documents)},
           procurement_ref=p.reference)
    db.session.commit()
    return Outcome(version=draft)


def submit(p: Procurement, lot: Lot, user: User, price: Decimal | None,
           lines: list[rules.PriceLine], uploads: list[Upload], *, declared: bool,
           with_draft: bool, remove: set[int] = frozenset()) -> Outcome:
    """A new version of the organisation's bid for the lot, received now, if now is before
    the deadline (read after the lock). `with_draft`: the draft's documents are part of it
    (the browser form), less those in `remove`; otherwise exactly the documents uploaded
    (the contract's plain POST, which leaves any draft alone). Earlier versions are kept, superseded. Commits."""
    refusal = rules.declaration_refusal(declared)
    if refusal:
        return Outcome(refusal=refusal)
    staged = BidVersion(state=SUBMITTED, price=price, declaration=True,
                        submitted_by_id=user.id)
    new_docs = _store(uploads, staged)
    now, refusal = _refusal_now(p)
    bid, refusal = (None, refusal) if refusal else _bid_for(p, lot, user.organisation)
    if refusal:
        db.session.rollback()
        return Outcome(refusal=refusal)
    draft = draft_of(bid) if with_draft else None
    if draft is not None:  # the draft becomes the version, with the new documents added
        for doc in new_docs:
            staged.documents.remove(doc)
            draft.documents.append(doc)
        _let_go(staged)
        for doc in list(draft.documents):  # those the supplier took out as it submitted
            if doc.id is not None and doc.id in remove:
                draft.documents.remove(doc)
        v = draft
        v.state, v.price, v.declaration, v.submitted_by_id = (SUBMITTED, price, True, user.id)
    else:
        v = staged
        v.bid_id = bid.id
        db.session.add(v)
    refusal = rules.documents_refusal(len(v.documents))
    if refusal:
        db.session.rollback()
        return Outcome(refusal=refusal)
    number = (db.session.execute(select(func.max(BidVersion.number)).where(
        BidVersion.bid_id == bid.id)).scalar() or 0) + 1
    earlier = db.session.execute(update(BidVersion).where(
        BidVersion.bid_id == bid.id, BidVersion.state == SUBMITTED,
        BidVersion.number.is_not(None)).values(state=SUPERSEDED).execution_options(
        synchronize_session=False)).rowcount
    v.number, v.received_at, v.updated_at = number, now, now
    _set_lines(v, lines)
    db.session.flush()
    v.content_sha256 = rules.version_sha256(
        p.reference, lot.code, bid.bidder.name, number, now, price,
        [(line.description, line.amount) for line in v.price_lines],
        [(d.name, d.sha256) for d in v.documents])
    bid.state, bid.received_at, bid.price = SUBMITTED, now, None
    record("bid", f"{p.reference}/{lot.code}/{bid.bidder.name}", "submit",
           {"superseded": earlier} if earlier else None,
           {"lot": lot.code, "bidder": bid.bidder.name, "version": number,
            "received_at": rules.utc_iso(now), "documents": _doc_meta(v.documents)},
           procurement_ref=p.reference)
    db.session.commit()
    return Outcome(version=v)


def withdraw(p: Procurement, lot: Lot, user: User) -> Outcome:
    """Withdraw the bid's current version, before the deadline. Commits."""
    now, refusal = _refusal_now(p)
    bid = bid_of(lot, user.organisation_id)
    current = None if refusal else current_version(bid)
    if refusal is None and current is None:
        refusal = "Your organisation has no submitted bid for this lot to withdraw"
    if refusal:
        db.session.rollback()
        return Outcome(refusal=refusal)
    current.state, current.withdrawn_at = WITHDRAWN, now
    bid.state = WITHDRAWN
    record("bid", f"{p.reference}/{lot.code}/{bid.bidder.name}", "withdraw", None,
           {"lot": lot.code, "bidder": bid.bidder.name, "version": current.number,
            "withdrawn_at": rules.utc_iso(now)}, procurement_ref=p.reference)
    db.session.commit()
    return Outcome(version=current)


def receipt_text(p: Procurement, lot: Lot, v: BidVersion) -> str:
    """The receipt as mailed (the page shows the same)."""
    lines = [f"Your bid for {p.reference} ({p.title}), lot {lot.code}: {lot.title}, was "
             f"received as version {v.number}.", "",
             f"Received: {rules.utc_iso(v.received_at)} (UTC)",
             f"          {rules.uk_text(v.received_at)} (UK time)",
             f"Bidder: {v.bid.bidder.name}", ""]
    if v.price is not None:
        lines.append(f"Price: £{v.price:,.2f}")
    for line in v.price_lines:
        lines.append(f"  {line.description}: £{line.amount:,.2f}")
    lines += ["", "Documents:"]
    lines += [f"  {d.name}: sha256:{d.sha256}" for d in v.documents]
    lines += ["", f"Version as a whole: sha256:{v.content_sha256}",
              "(SHA-256 over the canonical JSON of the procurement, lot, bidder, version, time "
              "received, price, price lines and the documents' names and hashes.)", "",
              "Nobody at the buyer can read your bid's price or documents until the deadline "
              "has passed and the bids are opened."]
    return "\n".join(lines)
