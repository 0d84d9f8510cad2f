"""A validated workbook into the database in one transaction, and a procurement back out.

Rows go in as Core executemany inserts with ids mapped through dicts: a workbook can hold
hundreds of thousands of scores, and ORM objects one by one would take minutes. Replacing a
procurement deletes the old one in the same transaction, so a failure leaves it untouched.
"""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete, func, insert, or_, select, update

from accounts.models import Organisation
from clock import utcnow
from audit.services import record
from evaluation.models import Consensus, Criterion, Score
from procurement import lifecycle
from procurement.bids.sealed import OPEN_FOR_EVALUATION
from procurement.models import PanelMember
from interchange.workbook import (BidRow, ConsensusRow, CriterionRow, LotRow, ParsedTender,
                                 PartnerRow, ScoreRow, gc_paused)
from extensions import db
from procurement.models import (Bid, Bidder, Lot, PartnerContribution, Procurement,
                                TimelineDate)
from procurement.data_version import FIGURES, bump
from procurement.timeline import uk_to_utc

CHUNK = 10_000  # rows per executemany: bounded memory for the parameter dicts
# The Procurement sheet's date fields and the kinds of key date they are recorded as.
DATES = {"itt_published": "itt_published", "tender_deadline": "tender_deadline",
         "contract_start": "contract_start", "pin_published": "pin",
         "clarification_deadline": "clarification_deadline",
         "award_notice_published": "award_notice"}


class ImportRefused(Exception):
    """The workbook is valid but cannot be imported as asked (its reference exists)."""


def import_tender(parsed: ParsedTender, replace: bool = False,
                  actor: str = "system") -> Procurement:
    """Creates the procurement (replacing one with the same reference when `replace`)."""
    try:
        with gc_paused():  # see gc_paused: hundreds of thousands of parameter dicts
            procurement_id = _import(parsed, replace, actor)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return db.session.get(Procurement, procurement_id)


def _import(parsed: ParsedTender, replace: bool, actor: str) -> int:
    old_id = db.session.execute(select(Procurement.id).where(
        Procurement.reference == parsed.reference).with_for_update()).scalar()
    before = None
    if old_id is not None:
        if not replace:
            raise ImportRefused(f"Procurement {parsed.reference} already exists: "
                                "use --replace to replace it")
        before = summary(old_id)
        delete_procurement(old_id)
    procurement_id = _procurement(parsed)
    _partners_and_dates(procurement_id, parsed)
    lot_id = _ids(Lot, [
        {"procurement_id": procurement_id, "code": lot.code, "title": lot.title,
         "annual_value": lot.annual_value, "position": i, "model_locked": False,
         "results_final_at": None} for i, lot in enumerate(parsed.lots)],
        Lot.code, Lot.procurement_id == procurement_id)
    bidder_names = list(dict.fromkeys(b.bidder for b in parsed.bids))
    bidder_id = _ids(Bidder, [
        {"procurement_id": procurement_id, "name": name, "organisation_id": None}
        for name in bidder_names], Bidder.name, Bidder.procurement_id == procurement_id)
    bid_id, criterion_id, member_id = _lot_rows(parsed, lot_id, bidder_id)
    _scores(parsed, bid_id, criterion_id, member_id)
    if parsed.bids:  # bids received outside Tender: the evaluation is where it stands
        db.session.execute(update(Procurement).where(Procurement.id == procurement_id)
                           .values(state=lifecycle.advance("draft", "receive_bids_outside")[0]))
    # Core inserts bypass the ORM's flush: the new procurement's data version made here
    bump(db.session, [procurement_id], FIGURES)
    after = {"reference": parsed.reference, **summary(procurement_id), "sha256": parsed.sha256}
    record("procurement", procurement_id, "replace" if before else "import", before, after,
           procurement_ref=parsed.reference, actor=actor)
    return procurement_id


def _procurement(parsed: ParsedTender) -> int:
    organisation_id = db.session.execute(select(Organisation.id).where(
        Organisation.name == parsed.organisation)).scalar()
    if organisation_id is None:
        organisation_id = db.session.execute(insert(Organisation.__table__).values(
            name=parsed.organisation, kind="buyer")).inserted_primary_key[0]
    return db.session.execute(insert(Procurement.__table__).values(
        reference=parsed.reference, title=parsed.title, organisation_id=organisation_id,
        regime=parsed.regime, relates_to=", ".join(parsed.relates_to),
        initial_term_years=parsed.initial_term_years,
        extension_years=",".join(str(y) for y in parsed.extension_years),
        min_delphi=parsed.min_delphi, electronic_submission=parsed.electronic_submission,
    )).inserted_primary_key[0]


def _partners_and_dates(procurement_id: int, parsed: ParsedTender) -> None:
    _insert(PartnerContribution, [
        {"procurement_id": procurement_id, "name": p.name,
         "annual_contribution": p.annual_contribution, "position": i}
        for i, p in enumerate(parsed.partners)])
    rows = []
    for field, kind in DATES.items():
        value = getattr(parsed, field)
        if value is not None:
            with_time = isinstance(value, datetime)  # UK time in the workbook, UTC here
            at = uk_to_utc(value) if with_time else datetime.combine(value, time(0))
            rows.append({"procurement_id": procurement_id, "kind": kind, "at": at,
                         "with_time": with_time})
    _insert(TimelineDate, rows)


def _lot_rows(parsed: ParsedTender, lot_id: dict, bidder_id: dict):
    """Bids, criteria and panel members: ids keyed by (lot code, bidder / code / name)."""
    lot_code = {id_: code for code, id_ in lot_id.items()}
    bidder_name = {id_: name for name, id_ in bidder_id.items()}
    lot_ids = list(lot_id.values())
    _insert(Bid, [{"lot_id": lot_id[b.lot], "bidder_id": bidder_id[b.bidder],
                   "price": b.price, "selection": b.selection, "selection_reason": None,
                   "delphi_score": b.delphi_score, "financial": b.financial,
                   "financial_reason": None, "state": "opened", "received_at": None,
                   "source": "workbook",  # received outside Tender
                   "opened_at": None} for b in parsed.bids])
    bid_id = {(lot_code[lot], bidder_name[bidder]): id_ for id_, lot, bidder in
              db.session.execute(select(Bid.id, Bid.lot_id, Bid.bidder_id)
                                 .where(Bid.lot_id.in_(lot_ids)))}
    _insert(Criterion, [{"lot_id": lot_id[c.lot], "code": c.code, "section": c.section,
                         "title": c.title, "weight": c.weight, "kind": c.kind,
                         "max_score": c.max_score, "min_score": c.min_score,
                         "descriptors": None, "position": i}
                        for i, c in enumerate(parsed.criteria)])
    criterion_id = {(lot_code[lot], code): id_ for id_, lot, code in db.session.execute(
        select(Criterion.id, Criterion.lot_id, Criterion.code)
        .where(Criterion.lot_id.in_(lot_ids)))}
    now = utcnow()
    panel = dict.fromkeys((s.lot, s.evaluator) for s in parsed.scores)
    _insert(PanelMember, [{"lot_id": lot_id[lot], "name": name, "user_id": None,
                           "assigned_at": now} for lot, name in panel])
    member_id = {(lot_code[lot], name): id_ for id_, lot, name in db.session.execute(
        select(PanelMember.id, PanelMember.lot_id, PanelMember.name)
        .where(PanelMember.lot_id.in_(lot_ids)))}
    return bid_id, criterion_id, member_id


def _scores(parsed: ParsedTender, bid_id: dict, criterion_id: dict, member_id: dict) -> None:
    """Imported scores are the panel's final individual scores, hence "submitted"."""
    now = utcnow()
    _insert(Score, ({"bid_id": bid_id[s.lot, s.bidder],
                     "criterion_id": criterion_id[s.lot, s.criterion],
                     "member_id": member_id[s.lot, s.evaluator], "value": s.score,
                     "justification": s.comment, "state": "submitted", "submitted_at": now}
                    for s in parsed.scores))
    _insert(Consensus, ({"bid_id": bid_id[c.lot, c.bidder],
                         "criterion_id": criterion_id[c.lot, c.criterion], "value": c.score,
                         "rationale": c.rationale, "moderator_id": None, "updated_at": now}
                        for c in parsed.consensus))


def _insert(model, rows) -> None:
    """executemany in chunks; every dict carries every column, so no per-row defaults run."""
    table = model.__table__
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            db.session.execute(insert(table), chunk)
            chunk = []
    if chunk:
        db.session.execute(insert(table), chunk)


def _ids(model, rows: list[dict], key_column, where) -> dict:
    """Inserts `rows`, then reads their ids back keyed by `key_column`."""
    _insert(model, rows)
    return {key: id_ for id_, key in db.session.execute(select(model.id, key_column)
                                                         .where(where))}


def summary(procurement_id: int) -> dict:
    """Counts of what a procurement holds, for the audit record."""
    lots = select(Lot.id).where(Lot.procurement_id == procurement_id).scalar_subquery()
    bids = select(Bid.id).where(Bid.lot_id.in_(lots))

    def count(model, *where):
        return db.session.execute(select(func.count()).select_from(model).where(*where)
                                  ).scalar()

    return {"partners": count(PartnerContribution,
                              PartnerContribution.procurement_id == procurement_id),
            "lots": count(Lot, Lot.procurement_id == procurement_id),
            "criteria": count(Criterion, Criterion.lot_id.in_(lots)),
            "bids": count(Bid, Bid.lot_id.in_(lots)),
            "scores": count(Score, Score.bid_id.in_(bids)),
            "consensus": count(Consensus, Consensus.bid_id.in_(bids))}


def delete_procurement(procurement_id: int) -> None:
    """Deletes a procurement and every row that cascades from it, children first.

    Done in SQL from the schema's ON DELETE CASCADE foreign keys, so it works on SQLite
    (which does not enforce them) and covers tables added later without being listed here.
    """
    doomed = {"procurement": Procurement.__table__.c.id == procurement_id}
    order = []
    for table in db.metadata.sorted_tables:  # parents before children
        paths = [fk.parent.in_(select(fk.column).where(doomed[fk.column.table.name]))
                 for fk in table.foreign_keys
                 if (fk.ondelete or "").upper() == "CASCADE" and fk.column.table.name in doomed
                 and fk.column.table is not table]
        if paths:
            doomed[table.name] = or_(*paths)
            order.append(table)
    for table in reversed(order):
        db.session.execute(delete(table).where(doomed[table.name]))
    db.session.execute(delete(Procurement.__table__).where(doomed["procurement"]))
    db.session.expire_all()  # objects loaded before the delete must not be trusted


def export_tender(procurement: Procurement) -> ParsedTender:
    """The procurement as the workbook's plain data (set-based reads, not one per score)."""
    with gc_paused():
        return _export(procurement)


def _export(procurement: Procurement) -> ParsedTender:
    lots = list(procurement.lots)
    code = {lot.id: lot.code for lot in lots}
    place = {lot.id: i for i, lot in enumerate(lots)}
    lot_ids = list(code)
    criteria = db.session.execute(select(Criterion).where(Criterion.lot_id.in_(lot_ids))
                                  ).scalars().all()
    criteria.sort(key=lambda c: (place[c.lot_id], c.position, c.id))
    bids = db.session.execute(
        select(Bid, Bidder.name).join(Bidder, Bid.bidder_id == Bidder.id)
        .where(Bid.lot_id.in_(lot_ids), OPEN_FOR_EVALUATION).order_by(Bid.id)).all()
    bids.sort(key=lambda row: place[row[0].lot_id])
    scores = db.session.execute(
        select(Bid.lot_id, Bidder.name, Criterion.code, PanelMember.name, Score.value,
               Score.justification)
        .join(Bid, Score.bid_id == Bid.id).join(Bidder, Bid.bidder_id == Bidder.id)
        .join(Criterion, Score.criterion_id == Criterion.id)
        .join(PanelMember, Score.member_id == PanelMember.id)
        .where(Bid.lot_id.in_(lot_ids)).order_by(Score.id))
    consensus = db.session.execute(
        select(Bid.lot_id, Bidder.name, Criterion.code, Consensus.value, Consensus.rationale)
        .join(Bid, Consensus.bid_id == Bid.id).join(Bidder, Bid.bidder_id == Bidder.id)
        .join(Criterion, Consensus.criterion_id == Criterion.id)
        .where(Bid.lot_id.in_(lot_ids)).order_by(Consensus.id))
    recorded = {d.kind: d for d in procurement.dates}

    def day(kind):  # the workbook's date-only fields
        return recorded[kind].local_date if kind in recorded else None

    def moment(kind):  # a date, or the UK wall-clock time
        return recorded[kind].value if kind in recorded else None

    from interchange.selection_sheets import selection_sheets

    return ParsedTender(
        reference=procurement.reference, title=procurement.title,
        organisation=procurement.organisation.name, regime=procurement.regime,
        initial_term_years=procurement.initial_term_years,
        relates_to=procurement.relates_to_list, extension_years=procurement.extensions,
        itt_published=day("itt_published"), tender_deadline=moment("tender_deadline"),
        contract_start=day("contract_start"), min_delphi=procurement.min_delphi,
        pin_published=day("pin"), clarification_deadline=moment("clarification_deadline"),
        electronic_submission=procurement.electronic_submission,
        award_notice_published=day("award_notice"),
        partners=[PartnerRow(p.name, p.annual_contribution) for p in procurement.partners],
        lots=[LotRow(lot.code, lot.title, lot.annual_value) for lot in lots],
        criteria=[CriterionRow(code[c.lot_id], c.code, c.section, c.title, c.weight, c.kind,
                               c.max_score, c.min_score) for c in criteria],
        bids=[BidRow(code[b.lot_id], name, b.price, b.selection, b.delphi_score, b.financial)
              for b, name in bids],
        scores=[ScoreRow(code[lot], bidder, crit, member, value, note or "")
                for lot, bidder, crit, member, value, note in scores],
        consensus=[ConsensusRow(code[lot], bidder, crit, value, note or "")
                   for lot, bidder, crit, value, note in consensus],
        extra_sheets=selection_sheets(procurement))
