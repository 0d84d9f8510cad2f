"""The start page, the list of procurements and a procurement's page."""
from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.access import PROCUREMENT_LIST_ROLES, landing_endpoint
from evaluation.results.inputs import procurement_results
from extensions import db
from home import bp, work
from procurement import lifecycle
from procurement.access import granted, may, procurement_for
from procurement.key_dates import key_date_rows
from procurement.models import REGIMES, Lot, PanelMember, Procurement
from procurement.policy import PANEL
from procurement.setup.services import threshold_assessment


@bp.route("/")
def home():
    """Signed in: straight to one's work. Otherwise the start page: what the service is, the
    public pages, sign in and (where registration exists) register."""
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    registers = "accounts.register" in current_app.view_functions
    return render_template("home/start.html",
                           register_url=url_for("accounts.register") if registers else None)


@bp.route("/procurements")
def index():
    """The procurements of the person's own organisation, newest first."""
    if not current_user.has_role(*PROCUREMENT_LIST_ROLES):  # an evaluator: its own lots
        return redirect(url_for("evaluation.mine"))
    procurements = db.session.execute(
        select(Procurement).where(Procurement.organisation_id == current_user.organisation_id)
        .order_by(Procurement.created_at.desc())).scalars().all()
    officer = current_user.has_role("officer")
    return render_template(
        "procurement/index.html", procurements=procurements, regimes=REGIMES,
        officer_rows=work.officer_rows(procurements) if officer else [],
        to_sign=work.awaiting_signature(current_user, procurements),
        to_assess=(work.financial_to_record(procurements)
                   if current_user.has_role("finance") else []))


@bp.route("/procurements/<reference>")
def show(reference):
    procurement = procurement_for(reference)
    # A panel member sees its assigned lots only, and results only through the evaluation
    # pages (blind until moderation); the finance reviewer sees no results.
    whole = granted() != PANEL
    show_results = may("evaluation.results", procurement)
    lots = list(procurement.lots) if whole else _assigned_lots(procurement)
    results = procurement_results(procurement) if show_results else []
    stage = {"label": lifecycle.label(procurement.state),
             "next": lifecycle.next_step(procurement.state)}
    threshold = threshold_assessment(procurement) if whole else None
    return render_template("procurement/show.html", p=procurement, regimes=REGIMES, lots=lots,
                           results=results, show_results=show_results, stage=stage,
                           whole=whole, key_dates=key_date_rows(procurement),
                           threshold=threshold)


def _assigned_lots(procurement: Procurement) -> list[Lot]:
    return list(db.session.execute(
        select(Lot).join(PanelMember, PanelMember.lot_id == Lot.id)
        .where(Lot.procurement_id == procurement.id, PanelMember.user_id == current_user.id)
        .order_by(Lot.position, Lot.code)).scalars())


@bp.route("/supplier")
def supplier_home():
    """A supplier's start page: the opportunities it follows and the answers published to
    clarification questions since it began following them."""
    org = current_user.organisation_id
    followed, answers = [], []
    if org is not None:
        followed = work.followed(org)
        answers = work.new_answers(org)
    return render_template("notices/supplier_home.html", followed=followed, answers=answers)
