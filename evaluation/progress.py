"""Where a lot's evaluation stands, read with a few set-based queries (never one per bid)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

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


def _exclusion(bid: Bid, min_delphi) -> str | None:
    causes = selection_causes(BidIn(
        bidder="", selection=bid.selection, delphi_score=bid.delphi_score,
        financial=bid.financial, selection_reason=bid.selection_reason,
        financial_reason=bid.financial_reason), min_delphi)
    return "; ".join(reason for _cause, reason in causes) if causes else None


def excluded_bids(lot: Lot) -> dict[int, str]:
    """The lot's bids excluded before scoring, with the reason (as the results say it)."""
    return _excluded([lot])[lot.id]


def _excluded(lots: list[Lot]) -> dict[int, dict[int, str]]:
    """Each lot's excluded bids (bid id -> why), in one query for every lot."""
    out: dict[int, dict[int, str]] = {lot.id: {} for lot in lots}
    if not lots:
        return out
    min_delphi = lots[0].procurement.min_delphi
    for bid in db.session.execute(select(Bid).where(
            Bid.lot_id.in_(list(out)), OPEN_FOR_EVALUATION)).scalars():
        why = _exclusion(bid, min_delphi)
        if why:
            out[bid.lot_id][bid.id] = why
    return out


def lot_status(lot: Lot, with_values: bool = False) -> LotStatus:
    return lot_statuses([lot], with_values)[lot.id]


@dataclass
class _Seats:
    """What both views of a lot's progress read first: its panel, its open bids, and who
    declared what about which bidder."""

    members: dict[int, list[PanelMember]]  # lot id -> members, by name
    bids: dict[int, list[tuple[int, int, str]]]  # lot id -> (bid, bidder, name), by name
    declared: dict[int, dict[int, set[int]]]  # lot id -> member id -> bidders declared
    conflicts: dict[int, set[tuple[int, int]]]  # lot id -> (member, bidder) conflicted


def _seats(ids: list[int]) -> _Seats:
    """Three queries for every lot named."""
    members: dict[int, list[PanelMember]] = {i: [] for i in ids}
    for m in db.session.execute(select(PanelMember).where(PanelMember.lot_id.in_(ids))
                                .order_by(PanelMember.name)).scalars():
        members[m.lot_id].append(m)
    bids: dict[int, list] = {i: [] for i in ids}
    for bid_id, bidder_id, name, lot_id in db.session.execute(
            select(Bid.id, Bid.bidder_id, Bidder.name, Bid.lot_id)
            .join(Bidder, Bid.bidder_id == Bidder.id)
            .where(Bid.lot_id.in_(ids), OPEN_FOR_EVALUATION).order_by(Bidder.name)):
        bids[lot_id].append((bid_id, bidder_id, name))
    lot_of_member = {m.id: lot_id for lot_id, ms in members.items() for m in ms}
    conflicts: dict[int, set] = {i: set() for i in ids}
    declared: dict[int, dict[int, set[int]]] = {i: {} for i in ids}
    if lot_of_member:
        for member_id, bidder_id, conflicted in db.session.execute(
                select(ConflictDeclaration.member_id, ConflictDeclaration.bidder_id,
                       ConflictDeclaration.conflicted)
                .join(PanelMember, ConflictDeclaration.member_id == PanelMember.id)
                .where(PanelMember.lot_id.in_(ids))):
            lot_id = lot_of_member[member_id]
            declared[lot_id].setdefault(member_id, set()).add(bidder_id)
            if conflicted:
                conflicts[lot_id].add((member_id, bidder_id))
    return _Seats(members=members, bids=bids, declared=declared, conflicts=conflicts)


def lot_statuses(lots: list[Lot], with_values: bool = False) -> dict[int, LotStatus]:
    """Every lot's status with the same few queries however many lots (the overview)."""
    ids = [lot.id for lot in lots]
    if not ids:
        return {}
    seats = _seats(ids)
    members, bids, declared, conflicts = (seats.members, seats.bids, seats.declared,
                                          seats.conflicts)
    scored: dict[int, list[Criterion]] = {i: [] for i in ids}
    for c in db.session.execute(select(Criterion).where(
            Criterion.lot_id.in_(ids), Criterion.kind == "scored")
            .order_by(Criterion.position, Criterion.id)).scalars():
        scored[c.lot_id].append(c)
    excluded = _excluded(lots)
    submitted: dict[int, dict] = {i: {} for i in ids}
    drafts: dict[int, Counter] = {i: Counter() for i in ids}
    columns = [Score.member_id, Score.bid_id, Score.criterion_id, Score.state, Bid.lot_id]
    if with_values:  # only the moderator's page needs the values
        columns.append(Score.value)
    for row in db.session.execute(select(*columns).join(Bid, Score.bid_id == Bid.id)
                                  .where(Bid.lot_id.in_(ids))):
        member_id, bid_id, criterion_id, state, lot_id = row[:5]
        if state == "submitted":
            submitted[lot_id][member_id, bid_id, criterion_id] = row[5] if with_values else None
        else:
            drafts[lot_id][member_id] += 1
    consensus: dict[int, set] = {i: set() for i in ids}
    for bid_id, criterion_id, lot_id in db.session.execute(
            select(Consensus.bid_id, Consensus.criterion_id, Bid.lot_id)
            .join(Bid, Consensus.bid_id == Bid.id).where(Bid.lot_id.in_(ids))):
        consensus[lot_id].add((bid_id, criterion_id))
    out = {}
    for lot_id in ids:
        member_ids = [m.id for m in members[lot_id]]
        expected = rules.expected_scores(
            member_ids, [(b, bidder) for b, bidder, _ in bids[lot_id]
                         if b not in excluded[lot_id]],
            [c.id for c in scored[lot_id]], conflicts[lot_id])
        status = LotStatus(lot_id=lot_id, members=members[lot_id], bids=bids[lot_id],
                           scored=scored[lot_id], conflicts=conflicts[lot_id],
                           declared=declared[lot_id], expected=expected,
                           submitted=set(submitted[lot_id]), drafts=drafts[lot_id],
                           consensus=consensus[lot_id], excluded=excluded[lot_id])
        if with_values and status.moderation_open:
            status.values = submitted[lot_id]
        out[lot_id] = status
    return out


@dataclass
class LotProgress:
    """A lot's progress as counts, for the overview of every lot: the figures `LotStatus`
    gives, read with grouped queries so a tender of 200,000 scores costs thousands of rows."""

    members: int
    bids: int  # open for evaluation, excluded ones too
    scored: int  # scored criteria
    expected: int
    submitted: int
    consensus_needed: int  # (bid, scored criterion) pairs of the bids not excluded
    consensus: int  # of those, with a consensus recorded

    @property
    def moderation_refusal(self) -> str | None:
        if not self.members:
            return "The lot has no panel yet."
        return rules.outstanding_refusal(self.expected - self.submitted, self.expected)

    @property
    def moderation_open(self) -> bool:
        return self.moderation_refusal is None


def lot_progress(lots: list[Lot]) -> dict[int, LotProgress]:
    """Every lot's progress with the same seven queries however many lots and scores."""
    ids = [lot.id for lot in lots]
    if not ids:
        return {}
    seats = _seats(ids)
    members = {lot_id: [m.id for m in ms] for lot_id, ms in seats.members.items()}
    bids = {lot_id: [(b, bidder) for b, bidder, _name in rows]
            for lot_id, rows in seats.bids.items()}
    conflicts = set().union(*seats.conflicts.values())
    scored = Counter(dict(db.session.execute(
        select(Criterion.lot_id, func.count()).where(
            Criterion.lot_id.in_(ids), Criterion.kind == "scored")
        .group_by(Criterion.lot_id)).all()))
    excluded = _excluded(lots)
    submitted: dict[tuple[int, int], int] = {
        (member_id, bid_id): n for bid_id, member_id, n in db.session.execute(
            select(Score.bid_id, Score.member_id, func.count())
            .join(Bid, Score.bid_id == Bid.id)
            .join(Criterion, Score.criterion_id == Criterion.id)
            .where(Bid.lot_id.in_(ids), Score.state == "submitted", Criterion.kind == "scored")
            .group_by(Score.bid_id, Score.member_id))}
    consensus: Counter = Counter(dict(db.session.execute(
        select(Consensus.bid_id, func.count())
        .join(Bid, Consensus.bid_id == Bid.id)
        .join(Criterion, Consensus.criterion_id == Criterion.id)
        .where(Bid.lot_id.in_(ids), Criterion.kind == "scored")
        .group_by(Consensus.bid_id)).all()))
    out = {}
    for lot_id in ids:
        open_bids = [(b, bidder) for b, bidder in bids[lot_id] if b not in excluded[lot_id]]
        expected, done = rules.progress_counts(members[lot_id], open_bids, scored[lot_id],
                                               conflicts, submitted)
        out[lot_id] = LotProgress(
            members=len(members[lot_id]), bids=len(bids[lot_id]), scored=scored[lot_id],
            expected=expected, submitted=done,
            consensus_needed=len(open_bids) * scored[lot_id],
            consensus=sum(min(consensus[b], scored[lot_id]) for b, _ in open_bids))
    return out
