"""Reading the recorded evaluation into the results engine's plain values."""
from __future__ import annotations

import hashlib
from collections import defaultdict

from sqlalchemy import Float, and_, cast, select

from evaluation.models import Consensus, Criterion, Score, SectionMinimum
from evaluation.results import cache
from evaluation.results.values import BidIn, CriterionIn, LotIn, LotResult
from extensions import db
from procurement.models import Bid, Bidder, Lot, Procurement
from procurement.bids.sealed import OPEN_FOR_EVALUATION


def lot_inputs(procurement: Procurement, lots: list[Lot] | None = None,
               all_scores: bool = False) -> list[LotIn]:
    """One LotIn per lot, read with a handful of set-based queries (not one per bid).

    The engine uses individual scores only where a bid and criterion has no consensus, so by
    default only those are read (a moderated 50-lot tender has 200,000 of them); the frozen
    snapshot of a sent note asks for `all_scores`, since any individual score may change.
    """
    lots = lots if lots is not None else list(procurement.lots)
    lot_ids = [lot.id for lot in lots]
    if not lot_ids:
        return []
    criteria = defaultdict(list)
    code_of = {}
    for c in db.session.execute(select(Criterion).where(Criterion.lot_id.in_(lot_ids))
                                .order_by(Criterion.lot_id, Criterion.position, Criterion.id)
                                ).scalars():
        criteria[c.lot_id].append(CriterionIn(
            code=c.code, section=c.section, title=c.title, weight=float(c.weight),
            kind=c.kind, max_score=float(c.max_score) if c.max_score is not None else None,
            min_score=float(c.min_score) if c.min_score is not None else None))
        code_of[c.id] = c.code
    bids = defaultdict(list)
    bid_key = {}
    rows = db.session.execute(select(Bid, Bidder.name).join(Bidder, Bid.bidder_id == Bidder.id)
                              .where(Bid.lot_id.in_(lot_ids), OPEN_FOR_EVALUATION))
    for bid, name in rows:
        bids[bid.lot_id].append(BidIn(
            bidder=name, price=bid.price, selection=bid.selection,
            delphi_score=bid.delphi_score, financial=bid.financial,
            selection_reason=bid.selection_reason, financial_reason=bid.financial_reason))
        bid_key[bid.id] = (bid.lot_id, name)
    consensus = defaultdict(dict)
    for bid_id, crit_id, value in db.session.execute(
            select(Consensus.bid_id, Consensus.criterion_id, cast(Consensus.value, Float))
            .join(Bid, Consensus.bid_id == Bid.id).where(Bid.lot_id.in_(lot_ids))):
        lot_id, name = bid_key[bid_id]
        consensus[lot_id][(name, code_of[crit_id])] = value
    scores = defaultdict(lambda: defaultdict(list))
    query = (select(Score.bid_id, Score.criterion_id, cast(Score.value, Float))
             .join(Bid, Score.bid_id == Bid.id).where(Bid.lot_id.in_(lot_ids))
             .order_by(Score.bid_id, Score.criterion_id, Score.member_id))
    if not all_scores:  # only where there is no consensus to use instead
        query = query.outerjoin(Consensus, and_(Consensus.bid_id == Score.bid_id,
                                                Consensus.criterion_id == Score.criterion_id)
                                ).where(Consensus.id.is_(None))
    for rows in driver_rows(query):  # 100,000 scores of an unmoderated half of a tender
        for bid_id, crit_id, value in rows:
            lot_id, name = bid_key[bid_id]
            scores[lot_id][(name, code_of[crit_id])].append(value)
    minimums = defaultdict(dict)
    for m in db.session.execute(select(SectionMinimum)
                                .where(SectionMinimum.lot_id.in_(lot_ids))).scalars():
        minimums[m.lot_id][m.section] = float(m.min_percent)
    return [LotIn(code=lot.code, title=lot.title, criteria=criteria[lot.id],
                  bids=sorted(bids[lot.id], key=lambda b: b.bidder),
                  scores=dict(scores[lot.id]), consensus=consensus[lot.id],
                  min_delphi=procurement.min_delphi, section_minimums=minimums[lot.id])
            for lot in lots]


def scores_digest(procurement: Procurement, lots: list[Lot] | None = None) -> str:
    """SHA-256 naming every individual score of the lots' open bids (bid, criterion, member,
    value), also those under a consensus that the engine does not use: the frozen snapshot
    of a sent note holds this, not 200,000 values, so a changed score is seen as a change.

    Read through the driver's cursor, inside the session's transaction: the ORM's rows cost
    a second more than the read itself on a large tender, for values only hashed."""
    lot_ids = [lot.id for lot in (lots if lots is not None else procurement.lots)]
    digest = hashlib.sha256()
    if not lot_ids:  # no lots, no scores: the digest of nothing, without asking
        return digest.hexdigest()
    query = (select(Score.bid_id, Score.criterion_id, Score.member_id, cast(Score.value, Float))
             .join(Bid, Score.bid_id == Bid.id)
             .where(Bid.lot_id.in_(lot_ids), OPEN_FOR_EVALUATION)
             .order_by(Score.bid_id, Score.criterion_id, Score.member_id))
    for rows in driver_rows(query):
        digest.update(repr([tuple(row) for row in rows]).encode())
    return digest.hexdigest()


def driver_rows(query, size: int = 20_000):
    """The rows of a Core `query` of plain columns, `size` at a time, through the driver's
    cursor inside the session's transaction: for the 100,000s of scores of a large tender,
    where the ORM's Row objects cost a second more than the read itself."""
    db.session.flush()  # the cursor sees the transaction, not the session's pending rows
    connection = db.session.connection()
    compiled = query.compile(dialect=connection.dialect,
                             compile_kwargs={"render_postcompile": True})
    params = (tuple(compiled.params[name] for name in compiled.positiontup)
              if compiled.positional else compiled.params)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


def procurement_results(procurement: Procurement, lots: list[Lot] | None = None
                        ) -> list[LotResult]:
    return [result for result, _criteria in lot_results(procurement, lots)]


def lot_results(procurement: Procurement, lots: list[Lot] | None = None,
                inputs: list[LotIn] | None = None) -> list[tuple[LotResult, list]]:
    """(result, criteria) per lot: from the cache of this request or of this data version
    (evaluation.results.cache), the rest read in one go and computed once. `inputs`, when
    the caller read them already (for all lots), are used instead of reading them again."""
    lots = lots if lots is not None else list(procurement.lots)
    now, found = cache.lookup(procurement.id, [lot.id for lot in lots])
    missing = [lot for lot in lots if lot.id not in found]
    if missing:
        if inputs is not None and len(inputs) == len(lots):
            by_code = {lot_in.code: lot_in for lot_in in inputs}
            read = [by_code[lot.code] for lot in missing]
        else:
            read = lot_inputs(procurement, missing)
        for lot, lot_in in zip(missing, read):
            found[lot.id] = cache.computed(procurement.id, now, lot.id, lot_in)
    return [found[lot.id] for lot in lots]
