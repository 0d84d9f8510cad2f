"""The results engine: exclusions, weighted scores, ranking and tie-breaks for one lot.

Plain Python over plain values (no Flask, no ORM), so every rule of
`tender-workbook.md` "How results are computed" is unit-tested fast and exactly.
Scores are floats (weighted scores are ratios); money arrives as Decimal and is
only turned into a float inside the price formula. The robustness "flip" (smallest score
change that changes the winner) is in `robustness.py`.
"""
from __future__ import annotations

from decimal import Decimal
from functools import cmp_to_key

from evaluation.results.values import (TIE_EPSILON, BidIn, BidResult, CriterionIn, Flip, LotIn,
                                       LotResult, Raw)

def raw_scores(lot: LotIn) -> tuple[Raw, dict[str, bool]]:
    """The score each scored criterion counts with: the consensus, else the evaluators' mean.

    A bid is moderated only when every scored criterion has a consensus (a missing score
    has none, so an incomplete bid is not moderated either)."""
    raw: Raw = {}
    moderated: dict[str, bool] = {}
    for bid in lot.bids:
        scores: dict[str, float] = {}
        all_consensus = True
        for c in lot.criteria:
            if c.kind != "scored":
                continue
            key = (bid.bidder, c.code)
            if key in lot.consensus:
                scores[c.code] = float(lot.consensus[key])
                continue
            all_consensus = False
            individual = lot.scores.get(key)
            if individual:
                scores[c.code] = sum(individual) / len(individual)
        raw[bid.bidder] = scores
        moderated[bid.bidder] = all_consensus
    return raw, moderated


def priced(price: Decimal | None) -> bool:
    # Prices are positive by contract; a zero price counts as missing rather than dividing by it.
    return price is not None and price > 0


def selection_causes(bid: BidIn, min_delphi: int | None) -> list[tuple[str, str]]:
    """The selection-stage exclusions (questionnaire, financial, Delphi): (cause, reason).

    The decision note's selection outcome uses this too, so both say the same thing."""
    causes = []
    if bid.selection == "fail":
        causes.append(("selection", _with_reason("Failed the selection questionnaire",
                                                 bid.selection_reason)))
    if bid.financial == "fail":
        causes.append(("financial", _with_reason("Failed the financial assessment",
                                                 bid.financial_reason)))
    # No Delphi score recorded is not "lower" than the minimum: the contract only excludes a
    # recorded score below it (the finance reviewer's outcome covers the rest).
    if delphi_below(bid, min_delphi) and bid.financial != "mitigated":
        causes.append(("delphi", f"Delphi score {bid.delphi_score} is below the minimum "
                                 f"of {min_delphi}"))
    return causes


def delphi_below(bid: BidIn, min_delphi: int | None) -> bool:
    return (min_delphi is not None and bid.delphi_score is not None
            and bid.delphi_score < min_delphi)


def _fixed_causes(lot: LotIn, bid: BidIn, scores: dict[str, float]) -> list[tuple[str, str]]:
    """Exclusion causes that do not depend on other bids (everything but section minimums)."""
    causes = selection_causes(bid, lot.min_delphi)
    for c in lot.criteria:
        score = scores.get(c.code)
        if c.kind == "scored" and c.min_score is not None and score is not None \
                and score < c.min_score - TIE_EPSILON:  # tolerance: a mean of 2s is still 2
            causes.append((f"criterion:{c.code}", f"{c.code} score {score:.2f} is below the "
                                                  f"minimum of {c.min_score:g}"))
    return causes


def _with_reason(text: str, reason: str | None) -> str:
    return f"{text}: {reason}" if reason else text


def _lowest(bids: list[BidIn], causes: dict[str, list]) -> Decimal | None:
    # Only excluded bids are set aside: an incomplete bid's price still counts (the contract
    # says "bids that are not excluded").
    return min((b.price for b in bids if not causes[b.bidder] and priced(b.price)), default=None)


def _weighted(lot: LotIn, bid: BidIn, scores: dict[str, float],
              lowest: Decimal | None) -> dict[str, float]:
    """Weighted score per criterion that can be computed, in criteria order."""
    out = {}
    for c in lot.criteria:
        if c.kind == "price":
            if lowest is not None and priced(bid.price):
                out[c.code] = float(lowest) / float(bid.price) * c.weight
        elif c.code in scores and c.max_score:
            out[c.code] = scores[c.code] / c.max_score * c.weight
    return out


def evaluate(lot: LotIn, raw: Raw, moderated: dict[str, bool]) -> LotResult:
    """Everything but the flip, from the raw score of each bid and scored criterion."""
    sections = list(dict.fromkeys(c.section for c in lot.criteria))
    codes_of = {s: [c.code for c in lot.criteria if c.section == s] for s in sections}
    section_weight = {s: sum(c.weight for c in lot.criteria if c.section == s) for s in sections}
    price_codes = {c.code for c in lot.criteria if c.kind == "price"}
    causes = {b.bidder: _fixed_causes(lot, b, raw.get(b.bidder, {})) for b in lot.bids}

    if lot.section_minimums:
        # Section scores may include price, which needs the lowest price of the bids not
        # excluded: take it over the bids not excluded on the other grounds. A price score only
        # rises as the lowest price does, so no bid passing here could fail afterwards.
        lowest = _lowest(lot.bids, causes)
        for bid in lot.bids:
            weighted = _weighted(lot, bid, raw.get(bid.bidder, {}), lowest)
            for s in sections:
                minimum = lot.section_minimums.get(s)
                if minimum is None or not section_weight[s] \
                        or any(code not in weighted for code in codes_of[s]):
                    continue
                percent = sum(weighted[code] for code in codes_of[s]) / section_weight[s] * 100
                if percent < minimum - TIE_EPSILON:
                    causes[bid.bidder].append((f"section:{s}", f"{s} section score {percent:.2f}%"
                                               f" is below the minimum of {minimum:g}%"))

    # Excluded bids are scored against the same lowest price, for their letters.
    lowest = _lowest(lot.bids, causes)
    results: list[BidResult] = []
    nonprice: dict[str, float] = {}
    for bid in lot.bids:
        scores = raw.get(bid.bidder, {})
        weighted = _weighted(lot, bid, scores, lowest)
        missing = [c.code for c in lot.criteria if c.code not in weighted]
        nonprice[bid.bidder] = sum(v for k, v in weighted.items() if k not in price_codes)
        result = BidResult(
            bidder=bid.bidder, status="ranked", reason=None, rank=None, tied=False,
            moderated=moderated.get(bid.bidder, False), price=bid.price,
            sections={s: sum(weighted[k] for k in codes_of[s]) for s in sections
                      if all(k in weighted for k in codes_of[s])},
            criteria=weighted, total=None if missing else sum(weighted.values()),
            raw=dict(scores), exclusions=[key for key, _ in causes[bid.bidder]])
        if causes[bid.bidder]:
            result.status, result.reason = "excluded", "; ".join(m for _, m in causes[bid.bidder])
        elif missing:
            result.status = "incomplete"
            result.reason = "Missing a score for " + ", ".join(missing)
        results.append(result)

    ranked = _rank([r for r in results if r.status == "ranked"], nonprice)
    unranked = sorted((r for r in results if r.status != "ranked"), key=_name_key)
    winners = [r for r in ranked if r.rank == 1]
    runner_up = next((r for r in ranked if r.rank != 1), None)
    if len(winners) > 1:
        margin = 0.0  # a shared first place: no winner, and nothing between the top bids
    else:
        margin = winners[0].total - runner_up.total if runner_up else None
    return LotResult(code=lot.code, title=lot.title, sections=sections, bids=ranked + unranked,
                     winner=winners[0].bidder if len(winners) == 1 else None,
                     margin=margin, flip=None)


def _name_key(r: BidResult) -> tuple[str, str]:
    return r.bidder.casefold(), r.bidder


def _tie_rule(a: BidResult, b: BidResult, nonprice: dict[str, float]) -> str | None:
    """Which rule orders two bids of equal total, None when they stay tied."""
    if abs(nonprice[a.bidder] - nonprice[b.bidder]) > TIE_EPSILON:
        return "equal total; higher non-price score"
    if a.price is not None and b.price is not None and a.price != b.price:
        return "equal total and non-price score; lower price"
    return None


def _rank(bids: list[BidResult], nonprice: dict[str, float]) -> list[BidResult]:
    """Competition ranking (1, 1, 3) by total, then non-price total, then lower price."""
    def compare(a: BidResult, b: BidResult) -> int:
        if abs(a.total - b.total) > TIE_EPSILON:
            return -1 if a.total > b.total else 1
        if abs(nonprice[a.bidder] - nonprice[b.bidder]) > TIE_EPSILON:
            return -1 if nonprice[a.bidder] > nonprice[b.bidder] else 1
        if a.price is not None and b.price is not None and a.price != b.price:
            return -1 if a.price < b.price else 1
        return 0

    order = sorted(sorted(bids, key=_name_key), key=cmp_to_key(compare))
    for i, bid in enumerate(order):
        previous = order[i - 1] if i else None
        if previous is not None and compare(previous, bid) == 0:
            bid.rank = previous.rank
            bid.tied = previous.tied = True
        else:
            bid.rank = i + 1
    # Name the rule wherever a tie on total was broken: a bid takes the rule that placed it
    # below the bids just above it, else the one that placed it above the bids just below.
    for previous, bid in zip(order, order[1:]):
        if previous.rank != bid.rank and abs(previous.total - bid.total) <= TIE_EPSILON:
            rule = _tie_rule(previous, bid, nonprice)
            for other in order:
                if other.rank in (previous.rank, bid.rank) and other.tie_break is None:
                    other.tie_break = rule
    return order
