"""Robustness: the smallest change to one consensus score that would change a lot's winner.

Scores move on a 0.01 grid. Changing one score moves only that bid's total, linearly, until
it excludes or re-admits that bid (a minimum score or section minimum is crossed), which may
also move the lowest price and so everyone's price score. So for each bid and scored
criterion the winner can change only where:
- a ranked bid's total rises past the winner's (raising its score);
- the winner's total falls past the runner-up's, or the winner becomes excluded (lowering);
- an excluded bid is re-admitted, then rises past the top total;
- the bid with the lowest price is excluded, re-scaling every price score.
Each gives a lower bound on the change it needs, worked out analytically; candidates are
then checked cheapest first by re-running `evaluate` on the changed scores, stopping once
the next lower bound exceeds the best verified change. A change counts only when it leaves
a different, named winner: an exact tie counts only if the tie-break picks the other bid,
and excluding the only ranked bid leaves no winner, so is not a flip.
"""
from __future__ import annotations

import heapq
import math

from evaluation.results.ranking import evaluate, priced
from evaluation.results.values import BidIn, BidResult, CriterionIn, Flip, LotIn, LotResult, Raw

SLACK = 1e-3  # in hundredths: widens each analytic bound so float noise never overshoots
STEPS = 3  # grid points tried from a bound (exact ties and rounding settle within two)


def find_flip(lot: LotIn, raw: Raw, moderated: dict[str, bool], base: LotResult) -> Flip | None:
    return _Search(lot, raw, moderated, base).run() if base.winner is not None else None


def _up(v: float) -> int:
    """Smallest grid point (in hundredths) at or above v, give or take the slack."""
    return math.ceil(v * 100 - SLACK)


def _below(v: float) -> int:
    """Largest grid point clearly below v (within 1e-6 of v counts as at v)."""
    return math.ceil(v * 100 - 1e-4) - 1


def _above(v: float) -> int:
    """Smallest grid point clearly above v."""
    return math.floor(v * 100 + 1e-4) + 1


class _Search:
    def __init__(self, lot: LotIn, raw: Raw, moderated: dict[str, bool], base: LotResult):
        self.lot, self.raw, self.moderated, self.base = lot, raw, moderated, base
        self.winner = base.winner
        ranked = [r for r in base.bids if r.status == "ranked"]
        self.top_total = ranked[0].total
        self.runner_up = ranked[1] if len(ranked) > 1 else None
        self.scored = [c for c in lot.criteria if c.kind == "scored" and c.max_score and c.weight]
        self.section_weight: dict[str, float] = {}
        for c in lot.criteria:
            self.section_weight[c.section] = self.section_weight.get(c.section, 0.0) + c.weight
        # Only a bid alone at the lowest price moves the price scores when it is excluded.
        admitted = [r for r in base.bids if r.status != "excluded" and priced(r.price)]
        lowest = min((r.price for r in admitted), default=None)
        at_lowest = [r.bidder for r in admitted if r.price == lowest]
        self.sole_lowest = at_lowest[0] if len(at_lowest) == 1 and any(
            c.kind == "price" for c in lot.criteria) else None
        # Section minimums price bids against the lowest price of those not excluded on other
        # grounds (see results.evaluate); a bid reaching a section threshold is among them.
        self.section_pool = [(r.price, r.bidder) for r in base.bids if priced(r.price)
                             and all(x.startswith("section:") for x in r.exclusions)]
        # Who wins once a bid is excluded does not depend on which score excluded it.
        self.when_excluded: dict[str, str | None] = {}
        self.heap: list = []

    def run(self) -> Flip | None:
        bids = {b.bidder: b for b in self.lot.bids}
        for position, res in enumerate(self.base.bids):
            self._add(position, res, bids[res.bidder])
        heapq.heapify(self.heap)
        best = None  # (change, Flip); stop once no candidate can need less than the best
        while self.heap and (best is None or self.heap[0][0] < best[0] - 1e-9):
            _, _, _, kind, res, c, point = heapq.heappop(self.heap)
            found = getattr(self, kind)(res, c, point)
            if found is not None and (best is None or found[0] < best[0] - 1e-9):
                best = found
        return best[1] if best else None

    def _push(self, bound: float, position: int, kind: str, res: BidResult, c: CriterionIn,
              point: int) -> None:
        # Equal bounds (rounded, so float noise cannot reorder them): the better-placed bid
        # first, then criteria order (the sequence).
        self.heap.append((round(bound, 9), position, len(self.heap), kind, res, c, point))

    def _add(self, position: int, res: BidResult, bid: BidIn) -> None:
        readmit = res.status == "excluded" and all(  # complete, so it would be ranked
            x.code in res.raw if x.kind == "scored" else priced(bid.price)
            for x in self.lot.criteria)
        if res.status != "ranked" and not readmit and res.bidder != self.sole_lowest:
            return  # an incomplete or otherwise excluded bid: no one score changes anything
        for c in self.scored:
            score = res.raw.get(c.code)
            if score is None:
                continue
            per_point = c.weight / c.max_score  # weighted score per raw point
            if res.bidder == self.winner:
                if self.runner_up is not None:  # fall to the runner-up's total
                    point = min(math.floor((score - (res.total - self.runner_up.total)
                                            / per_point) * 100 + SLACK), _below(score))
                    if point >= 0:
                        self._push(score - point / 100, position, "fall", res, c, point)
            elif res.status == "ranked":  # rise past the winner's total
                point = max(_up(score + (self.top_total - res.total) / per_point), _above(score))
                if point <= c.max_score * 100 + 1e-6:
                    self._push(point / 100 - score, position, "rise", res, c, point)
            elif readmit and all(
                    cause in (f"criterion:{c.code}", f"section:{c.section}")
                    for cause in res.exclusions):
                point = self._readmission_point(res, c, score, per_point)
                if point is not None:
                    self._push(point / 100 - score, position, "readmitted", res, c, point)
            if res.bidder in (self.winner, self.sole_lowest) and res.status != "excluded":
                point = self._exclusion_point(res, c, score, per_point)
                if point is not None:
                    self._push(score - point / 100, position, "excluded", res, c, point)

    def _section_threshold(self, res: BidResult, c: CriterionIn, score: float,
                           per_point: float) -> float | None:
        """The raw score at which this bid's section score meets the section minimum."""
        minimum = self.lot.section_minimums.get(c.section)
        if minimum is None or c.section not in res.sections:
            return None
        needed = minimum / 100 * self.section_weight[c.section] - self._section_as_checked(
            res, c.section)
        return score + needed / per_point

    def _section_as_checked(self, res: BidResult, section: str) -> float:
        """The bid's section score as its section minimum sees it (the reported one prices
        against the lowest price of the bids finally not excluded, which may be higher)."""
        total = 0.0
        for x in self.lot.criteria:
            if x.section != section:
                continue
            if x.kind == "price":
                lowest = min([p for p, name in self.section_pool if name != res.bidder]
                             + [res.price])
                total += float(lowest) / float(res.price) * x.weight
            else:
                total += res.criteria[x.code]
        return total

    def _exclusion_point(self, res: BidResult, c: CriterionIn, score: float,
                         per_point: float) -> int | None:
        """Highest grid point below the score at which the bid is excluded."""
        points = [_below(c.min_score)] if c.min_score is not None else []
        threshold = self._section_threshold(res, c, score, per_point)
        if threshold is not None:
            points.append(_below(threshold))
        points = [p for p in points if 0 <= p <= _below(score)]
        return max(points) if points else None

    def _readmission_point(self, res: BidResult, c: CriterionIn, score: float,
                           per_point: float) -> int | None:
        """Lowest grid point above the score clearing this criterion's exclusion causes."""
        point = _above(score)
        if f"criterion:{c.code}" in res.exclusions:
            point = max(point, _up(c.min_score))
        threshold = self._section_threshold(res, c, score, per_point)
        if f"section:{c.section}" in res.exclusions and threshold is not None:
            point = max(point, _up(threshold))
        return point if point <= c.max_score * 100 + 1e-6 else None

    # --- checks: each returns (change, Flip) or None ---------------------------------------

    def _verify(self, res: BidResult, c: CriterionIn, point: int) -> LotResult:
        changed = {**self.raw, res.bidder: {**self.raw[res.bidder], c.code: point / 100}}
        return evaluate(self.lot, changed, self.moderated)

    def _flip(self, res: BidResult, c: CriterionIn, point: int, new_winner: str | None):
        if new_winner is None or new_winner == self.winner:
            return None
        score = res.raw[c.code]
        return abs(point / 100 - score), Flip(res.bidder, c.code, score, round(point / 100, 2),
                                              new_winner)

    def _walk(self, res: BidResult, c: CriterionIn, start: int, step: int):
        for point in range(start, start + STEPS * step, step):
            if not 0 <= point <= c.max_score * 100 + 1e-6:
                break
            found = self._flip(res, c, point, self._verify(res, c, point).winner)
            if found is not None:
                return found
        return None

    def fall(self, res: BidResult, c: CriterionIn, point: int):
        return self._walk(res, c, point, -1)

    def rise(self, res: BidResult, c: CriterionIn, point: int):
        return self._walk(res, c, point, 1)

    def excluded(self, res: BidResult, c: CriterionIn, point: int):
        if res.bidder in self.when_excluded:
            return self._flip(res, c, point, self.when_excluded[res.bidder])
        for candidate in (point, point - 1)[:point + 1]:  # one lower covers a float edge
            result = self._verify(res, c, candidate)
            if _status(result, res.bidder) == "excluded":
                self.when_excluded[res.bidder] = result.winner
                return self._flip(res, c, candidate, result.winner)
        return None

    def readmitted(self, res: BidResult, c: CriterionIn, point: int):
        """Re-admitted at `point`; if it does not win there, it must rise past the top total."""
        result = self._verify(res, c, point)
        if _status(result, res.bidder) != "ranked" and point + 1 <= c.max_score * 100 + 1e-6:
            point += 1  # one higher covers a float edge
            result = self._verify(res, c, point)
        if _status(result, res.bidder) != "ranked":
            return None
        found = self._flip(res, c, point, result.winner)
        if found is not None:
            return found
        mine = next(r for r in result.bids if r.bidder == res.bidder)
        top = max(r.total for r in result.bids if r.status == "ranked")
        target = _up(point / 100 + (top - mine.total) / (c.weight / c.max_score))
        return self._walk(res, c, max(target, point + 1), 1)


def _status(result: LotResult, bidder: str) -> str:
    return next(r.status for r in result.bids if r.bidder == bidder)
