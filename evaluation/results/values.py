"""The results engine's plain values: what goes in (criteria, bids, scores) and what comes out.

No Flask, no ORM: `evaluation.results.inputs` reads the records into these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

TIE_EPSILON = 1e-9


@dataclass(frozen=True)
class CriterionIn:
    code: str
    section: str
    title: str
    weight: float
    kind: str  # "scored" or "price"
    max_score: float | None = None
    min_score: float | None = None


@dataclass(frozen=True)
class BidIn:
    bidder: str
    price: Decimal | None = None
    selection: str = "pass"  # "pass" or "fail"
    delphi_score: int | None = None
    financial: str | None = None  # None, "pass", "fail" or "mitigated"
    selection_reason: str | None = None  # why selection failed, when recorded
    financial_reason: str | None = None


@dataclass
class LotIn:
    code: str
    title: str
    criteria: list[CriterionIn]
    bids: list[BidIn]
    # (bidder, criterion code) -> individual evaluators' scores
    scores: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    # (bidder, criterion code) -> consensus score
    consensus: dict[tuple[str, str], float] = field(default_factory=dict)
    min_delphi: int | None = None
    # section -> minimum percentage of the section's weight (optional)
    section_minimums: dict[str, float] = field(default_factory=dict)


@dataclass
class BidResult:
    bidder: str
    status: str  # "ranked", "excluded" or "incomplete"
    reason: str | None
    rank: int | None
    tied: bool
    moderated: bool
    price: Decimal | None
    sections: dict[str, float]
    criteria: dict[str, float]
    total: float | None
    # the raw (consensus or mean) score per scored criterion, for letters and tables
    raw: dict[str, float] = field(default_factory=dict)
    # how a tie on total was broken, e.g. "higher non-price score", or None
    tie_break: str | None = None
    # machine-readable exclusion causes, in reason order: "selection", "financial", "delphi",
    # "criterion:<code>", "section:<name>" (robustness uses them to see what a change can undo)
    exclusions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Flip:
    """The smallest single consensus change that would change the winner."""

    bidder: str
    criterion: str
    from_score: float
    to_score: float
    new_winner: str

    @property
    def change(self) -> float:
        return abs(self.to_score - self.from_score)


@dataclass
class LotResult:
    code: str
    title: str
    sections: list[str]  # section names in criteria order
    bids: list[BidResult]  # by rank, then bidder name (unranked after ranked)
    winner: str | None
    margin: float | None  # winner's total minus the runner-up's, None with < 2 ranked
    flip: Flip | None  # None when no single change alters the winner

Raw = dict[str, dict[str, float]]  # bidder -> scored criterion code -> consensus or mean
