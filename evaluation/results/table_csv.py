"""A lot's results as CSV: one row per bid, weighted scores unrounded (pure)."""
from __future__ import annotations

import csv
import io

from evaluation.results.values import LotResult


def results_csv(reference: str, result: LotResult, criteria: list[str]) -> str:
    """`criteria`: the lot's criterion codes in order (columns)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["reference", "lot", "bidder", "status", "reason", "rank", "tied", "tie_break",
                "moderated", "price", *[_text(f"criterion {c}") for c in criteria],
                *[_text(f"section {s}") for s in result.sections], "total"])
    for b in result.bids:
        w.writerow([_text(reference), _text(result.code), _text(b.bidder), b.status, _text(b.reason),
                    b.rank if b.rank is not None else "", "yes" if b.tied else "no",
                    _text(b.tie_break), "yes" if b.moderated else "no",
                    "" if b.price is None else f"{b.price:.2f}",
                    *[_num(b.criteria.get(c)) for c in criteria],
                    *[_num(b.sections.get(s)) for s in result.sections], _num(b.total)])
    return out.getvalue()


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.6f}"


def _text(v: str | None) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    v = v or ""
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
