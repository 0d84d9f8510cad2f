"""The results engine: a lot's ranked results, then the smallest change that flips its winner.

`ranking` computes the results; `robustness` searches for a flip by re-running `ranking.evaluate`
on changed scores. Both are pure: plain values in, plain values out.
"""
from __future__ import annotations

from evaluation.results.ranking import evaluate, raw_scores
from evaluation.results.robustness import find_flip
from evaluation.results.values import LotIn, LotResult


def compute_all(lots: list[LotIn]) -> list[LotResult]:
    return [compute_lot(lot) for lot in lots]


def compute_lot(lot: LotIn) -> LotResult:
    raw, moderated = raw_scores(lot)
    result = evaluate(lot, raw, moderated)
    result.flip = find_flip(lot, raw, moderated, result)
    return result
