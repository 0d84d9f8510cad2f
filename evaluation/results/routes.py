"""Results per lot and their CSV, for the officer and the note's readers."""
from __future__ import annotations


from evaluation import bp
from evaluation.results.page import lot_csv, render_results
from evaluation.rules import RESULT_READERS
from procurement.access import lot_for
from procurement.downloads import attachment


@bp.route("/evaluation/<reference>/lots/<code>/results")
def results(reference, code):
    procurement, lot = lot_for(reference, code)
    return render_results(lot)


@bp.route("/evaluation/<reference>/lots/<code>/results.csv")
def results_csv(reference, code):
    procurement, lot = lot_for(reference, code)
    return attachment(lot_csv(lot), f"{reference}-lot-{code}-results.csv", "text/csv")
