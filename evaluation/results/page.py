"""A lot's results page: the results engine over the recorded evaluation, nothing stored.

`results_context(lot)` reads the lot with the set-based queries of `lot_inputs` and runs
the engine once (or takes its results from the cache of the data version); the benchmark times it and `render_results(lot)`.
"""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from evaluation.results import cache
from evaluation.results.values import LotResult
from evaluation.results.table_csv import results_csv
from evaluation.results.inputs import lot_results
from procurement.models import Lot


def compute(lot: Lot) -> tuple[LotResult, list]:
    return lot_results(lot.procurement, [lot])[0]


def results_context(lot: Lot) -> dict:
    result, criteria = compute(lot)
    sections = {s: [c for c in criteria if c.section == s] for s in result.sections}
    context = {"lot": lot, "p": lot.procurement, "result": result, "criteria": criteria,
               "sections": sections, "final": lot.results_final_at is not None,
               "unmoderated": [b.bidder for b in result.bids if not b.moderated]}
    # the tables are most of the page's cost (600 cells on a large lot) and are drawn from
    # the results alone: kept against the results' own key
    context["tables"] = Markup(cache.fragment(
        lot.procurement_id, lot.id, TABLES,
        lambda: render_template(TABLES, lot=lot, result=result, criteria=criteria,
                                sections=sections)))
    return context


TABLES = "evaluation/_results_tables.html"


def render_results(lot: Lot) -> str:
    """The lot's results page as HTML (needs an app and request context)."""
    return render_template("evaluation/results.html", **results_context(lot))


def lot_csv(lot: Lot) -> str:
    result, criteria = compute(lot)
    return results_csv(lot.procurement.reference, result, [c.code for c in criteria])
