"""The evaluator's start page (its lots) and the officer's overview of a procurement's evaluation."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from evaluation import bp
from evaluation.progress import lot_progress
from procurement.access import may, procurement_for
from extensions import db
from procurement.models import Lot, PanelMember, Procurement


@bp.route("/evaluation/mine")
def mine():
    """The evaluator's start page: the lots whose panel they sit on, and nothing else."""
    rows = db.session.execute(
        select(PanelMember, Lot, Procurement).join(Lot, PanelMember.lot_id == Lot.id)
        .join(Procurement, Lot.procurement_id == Procurement.id)
        .where(PanelMember.user_id == current_user.id)
        .order_by(Procurement.reference, Lot.position, Lot.code)).all()
    return render_template("evaluation/mine.html", rows=rows)


@bp.route("/evaluation/<reference>")
def overview(reference):
    """The officer's view of a procurement's evaluation: each lot's model, panel and progress."""
    procurement = procurement_for(reference)
    progress = lot_progress(list(procurement.lots))  # counts: the same queries for any size
    lots = [(lot, progress[lot.id]) for lot in procurement.lots]
    return render_template("evaluation/overview.html", p=procurement, lots=lots)


@bp.app_template_global()
def evaluation_links(procurement: Procurement) -> dict:
    """What procurement/_links_evaluation.html offers the signed-in person on this procurement."""
    if not current_user.is_authenticated:
        return {"officer": False, "reader": False, "assigned": []}
    assigned = []
    if current_user.has_role("evaluator"):
        assigned = list(db.session.execute(
            select(Lot).join(PanelMember, PanelMember.lot_id == Lot.id)
            .where(Lot.procurement_id == procurement.id, PanelMember.user_id == current_user.id)
            .order_by(Lot.position, Lot.code)).scalars())
    return {"officer": may("evaluation.overview", procurement),
            "reader": may("evaluation.results", procurement),
            "assigned": assigned}
