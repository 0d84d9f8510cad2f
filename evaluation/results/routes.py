"""Results per lot and their CSV, for the officer and the note's readers."""
from __future__ import annotations

from flask import Response

from evaluation import bp
from evaluation.results.page import lot_csv, render_results
from evaluation.rules import RESULT_READERS
from procurement.access import lot_for


@bp.route("/evaluation/<reference>/lots/<code>/results")
def results(reference, code):
    procurement, lot = lot_for(reference, code)
    return render_results(lot)


@bp.route("/evaluation/<reference>/lots/<code>/results.csv")
def results_csv(reference, code):
    procurement, lot = lot_for(reference, code)
    return Response(lot_csv(lot), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{_safe(reference)}-lot-{_safe(code)}-results.csv"'})


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text)
