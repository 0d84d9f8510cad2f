"""Results per lot and their CSV, for the officer and the note's readers."""
from __future__ import annotations

from flask import Response

from accounts.access import roles_required
from evaluation import bp
from evaluation.guards import load_lot, require_results_reader
from evaluation.results.page import lot_csv, render_results
from evaluation.rules import RESULT_READERS


@bp.route("/evaluation/<reference>/lots/<code>/results")
@roles_required(*RESULT_READERS)
def results(reference, code):
    procurement, lot = load_lot(reference, code)
    require_results_reader(procurement)
    return render_results(lot)


@bp.route("/evaluation/<reference>/lots/<code>/results.csv")
@roles_required(*RESULT_READERS)
def results_csv(reference, code):
    procurement, lot = load_lot(reference, code)
    require_results_reader(procurement)
    return Response(lot_csv(lot), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{_safe(reference)}-lot-{_safe(code)}-results.csv"'})


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text)
