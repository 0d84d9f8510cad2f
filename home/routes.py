"""The start page, the list of procurements and a procurement's page."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.access import WHOLE_PROCUREMENT_ROLES, evaluator_only, landing_endpoint, staff_required
from procurement.models import PanelMember
from evaluation.results.inputs import procurement_results
from procurement.access import find_procurement
from extensions import db
from home import bp
from procurement.models import DATE_LABELS, REGIMES, Lot, Procurement


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    return redirect(url_for("accounts.login"))


@bp.route("/procurements")
@staff_required
def index():
    if evaluator_only(current_user):  # sees only the lots it is assigned to
        return redirect(url_for("evaluation.mine"))
    procurements = db.session.execute(
        select(Procurement).order_by(Procurement.created_at.desc())).scalars().all()
    return render_template("procurement/index.html", procurements=procurements, regimes=REGIMES)


@bp.route("/procurements/<reference>")
@staff_required
def show(reference):
    procurement = find_procurement(reference)
    if procurement is None:
        abort(404)
    # Evaluators see their assigned lots only, and results only through the evaluation
    # pages (blind until moderation).
    show_results = current_user.has_role(*WHOLE_PROCUREMENT_ROLES)
    lots = list(procurement.lots)
    if evaluator_only(current_user):
        lots = _assigned_lots(procurement)
        if not lots:
            abort(403)
    results = procurement_results(procurement) if show_results else []
    return render_template("procurement/show.html", p=procurement, regimes=REGIMES, lots=lots,
                           results=results, show_results=show_results,
                           whole=show_results, date_labels=DATE_LABELS)


def _assigned_lots(procurement: Procurement) -> list[Lot]:
    return list(db.session.execute(
        select(Lot).join(PanelMember, PanelMember.lot_id == Lot.id)
        .where(Lot.procurement_id == procurement.id, PanelMember.user_id == current_user.id)
        .order_by(Lot.position, Lot.code)).scalars())
