"""Where a lot's evaluation stands, read with a few set-based queries (never one per bid)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from evaluation import rules
from evaluation.models import ConflictDeclaration, Consensus, Criterion, Score
from evaluation.results.ranking import selection_causes
from evaluation.results.values import BidIn
from procurement.models import PanelMember
from extensions import db
from procurement.models import Bid, Bidder, Lot
from procurement.bids.sealed import OPEN_FOR_EVALUATION


@dataclass
class LotStatus:
    lot_id: int
    members: list[PanelMember]
    bids: list[tuple[int, int, str]]  # (bid id, bidder id, bidder name), by bidder name
    scored: list[Criterion]  # scored criteria, in order
    conflicts: set[tuple[int, int]]  # (member id, bidder id) declared conflicted
    declared: dict[int, set[int]]  # member id -> bidder ids declared (either way)
    expected: set[rules.Key]
    submitted: set[rules.Key]
    drafts: Counter = field(default_factory=Counter)  # member id -> draft scores
    consensus: set[tuple[int, int]] = field(default_factory=set)  # (bid id, criterion id)
    # submitted scores' values, (member id, bid id, criterion id) -> value: only for the
    # moderator, and only read into here once every expected score is submitted
    values: dict = field(default_factory=dict)
    # bids excluded at selection (questionnaire, financial standing, Delphi): bid id -> why.
    # Nobody scores or moderates them: they are not outstanding work.
    excluded: dict[int, str] = field(default_factory=dict)

    @property
    def submitted_count(self) -> int:
        """Expected scores that are submitted (how many of `len(expected)`)."""
        return len(self.submitted & self.expected)

    @property
    def moderation_refusal(self) -> str | None:
        if not self.members:
            return "The lot has no panel yet."
        return rules.moderation_refusal(self.expected, self.submitted)

    @property
    def moderation_open(self) -> bool:
        return self.moderation_refusal is None

    @property
    def per_member(self) -> dict[int, tuple[int, int]]:
        got = rules.progress(self.expected, self.submitted)
        return {m.id: got.get(m.id, (0, 0)) for m in self.members}

    @property
    def missing_consensus(self) -> list[tuple[int, int]]:
        return rules.missing_consensus([b for b, _, _ in self.bids if b not in self.excluded],
                                       [c.id for c in self.scored], self.consensus)

    def declared_count(self, member_id: int) -> int:
        return len(self.declared.get(member_id, set()) & {b for _, b, _ in self.bids})

    @property
    def bidder_count(self) -> int:
        return len({b for _, b, _ in self.bids})


def excluded_bids(lot: Lot) -> dict[int, str]:
    """The lot's bids excluded before scoring, with the reason (as the results say it)."""
    min_delphi = lot.procurement.min_delphi
    out = {}
    for bid in db.session.execute(select(Bid).where(Bid.lot_id == lot.id)).scalars():
        causes = selection_causes(BidIn(
            bidder="", selection=bid.selection, delphi_score=bid.delphi_score,
            financial=bid.financial, selection_reason=bid.selection_reason,
            financial_reason=bid.financial_reason), min_delphi)
        if causes:
            out[bid.id] = "; ".join(reason for _cause, reason in causes)
    return out


def lot_status(lot: Lot, with_values: bool = False) -> LotStatus:
    members = list(db.session.execute(select(PanelMember).where(PanelMember.lot_id == lot.id)
                                      .order_by(PanelMember.name)).scalars())
    bids = [tuple(row) for row in db.session.execute(
        select(Bid.id, Bid.bidder_id, Bidder.name).join(Bidder, Bid.bidder_id == Bidder.id)
        .where(Bid.lot_id == lot.id, OPEN_FOR_EVALUATION).order_by(Bidder.name))]
    scored = list(db.session.execute(select(Criterion).where(
        Criterion.lot_id == lot.id, Criterion.kind == "scored")
        .order_by(Criterion.position, Criterion.id)).scalars())
    member_ids = [m.id for m in members]
    conflicts: set[tuple[int, int]] = set()
    declared: dict[int, set[int]] = {}
    if member_ids:
        for member_id, bidder_id, conflicted in db.session.execute(
                select(ConflictDeclaration.member_id, ConflictDeclaration.bidder_id,
                       ConflictDeclaration.conflicted)
                .where(ConflictDeclaration.member_id.in_(member_ids))):
            declared.setdefault(member_id, set()).add(bidder_id)
            if conflicted:
                conflicts.add((member_id, bidder_id))
    excluded = excluded_bids(lot)
    expected = rules.expected_scores(member_ids, [(b, bidder) for b, bidder, _ in bids
                                                  if b not in excluded],
                                     [c.id for c in scored], conflicts)
    submitted: dict[rules.Key, object] = {}
    drafts: Counter = Counter()
    for member_id, bid_id, criterion_id, state, value in db.session.execute(
            select(Score.member_id, Score.bid_id, Score.criterion_id, Score.state, Score.value)
            .join(Bid, Score.bid_id == Bid.id).where(Bid.lot_id == lot.id)):
        if state == "submitted":
            submitted[member_id, bid_id, criterion_id] = value
        else:
            drafts[member_id] += 1
    consensus = {tuple(row) for row in db.session.execute(
        select(Consensus.bid_id, Consensus.criterion_id)
        .join(Bid, Consensus.bid_id == Bid.id).where(Bid.lot_id == lot.id))}
    status = LotStatus(lot_id=lot.id, members=members, bids=bids, scored=scored,
                       conflicts=conflicts, declared=declared, expected=expected,
                       submitted=set(submitted), drafts=drafts, consensus=consensus,
                       excluded=excluded)
    if with_values and status.moderation_open:
        status.values = submitted
    return status
