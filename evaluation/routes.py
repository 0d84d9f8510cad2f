"""Evaluation pages: model editor, panel, scoring, moderation, results.

Views stay thin: parse the form, ask a rule or service, persist with its audit record in
the same commit, redirect. This module holds the shared helpers, the evaluator's start page
and the officer's overview; the other pages live in the routes_* modules imported below.
"""
from __future__ import annotations

# The procurement package imports evaluation.services, and evaluation.models imports
# procurement.models: load procurement whole first so neither sees the other half-made.
import procurement  # noqa: F401,I001

from flask import flash, redirect, render_template
from flask_login import current_user
from sqlalchemy import select

from accounts.access import roles_required
from evaluation import bp
from evaluation.guards import load_procurement, require_officer
from evaluation.models import PanelMember
from evaluation.progress import lot_status
from extensions import db
from procurement.models import Lot, Procurement


class FormErrors:
    """Errors of a hand-parsed form, shaped like a WTForms form's for base.html and
    macros.error_summary: {field id: [message]}; each links to the field with that id."""

    def __init__(self, errors: dict[str, str] | None = None):
        self.errors = {k: [v] for k, v in (errors or {}).items()}

    def __contains__(self, name) -> bool:
        return False

    def message(self, name: str) -> str | None:
        return self.errors.get(name, [None])[0]


def refused(message: str, target: str):
    """A guard said no: say why at the top of the page it sends back to (303)."""
    flash(message, "error")
    return redirect(target, code=303)


def done(message: str, target: str):
    flash(message, "success")
    return redirect(target, code=303)


@bp.route("/evaluation/mine")
@roles_required("evaluator")
def mine():
    """The evaluator's start page: the lots whose panel they sit on, and nothing else."""
    rows = db.session.execute(
        select(PanelMember, Lot, Procurement).join(Lot, PanelMember.lot_id == Lot.id)
        .join(Procurement, Lot.procurement_id == Procurement.id)
        .where(PanelMember.user_id == current_user.id)
        .order_by(Procurement.reference, Lot.position, Lot.code)).all()
    return render_template("evaluation/mine.html", rows=rows)


@bp.route("/evaluation/<reference>")
@roles_required("officer")
def overview(reference):
    """The officer's view of a procurement's evaluation: each lot's model, panel and progress."""
    procurement = load_procurement(reference)
    require_officer(procurement)
    lots = [(lot, lot_status(lot)) for lot in procurement.lots]
    return render_template("evaluation/overview.html", p=procurement, lots=lots)


@bp.app_template_global()
def evaluation_links(procurement: Procurement) -> dict:
    """What procurement/_links_evaluation.html offers the signed-in person on this procurement."""
    if not current_user.is_authenticated:
        return {"officer": False, "reader": False, "assigned": []}
    from evaluation.rules import RESULT_READERS
    same = current_user.organisation_id == procurement.organisation_id
    assigned = []
    if current_user.has_role("evaluator"):
        assigned = list(db.session.execute(
            select(Lot).join(PanelMember, PanelMember.lot_id == Lot.id)
            .where(Lot.procurement_id == procurement.id, PanelMember.user_id == current_user.id)
            .order_by(Lot.position, Lot.code)).scalars())
    return {"officer": same and current_user.has_role("officer"),
            "reader": same and current_user.has_role(*RESULT_READERS),
            "assigned": assigned}


from evaluation import (routes_model, routes_moderation, routes_panel,  # noqa: E402,F401
                        routes_results, routes_scoring)
