from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.access import staff_required
from evaluation.services import find_procurement, procurement_results
from extensions import db
from procurement import bp
from procurement.models import DATE_LABELS, REGIMES, Procurement


@bp.route("/")
def home():
    if current_user.is_authenticated and current_user.is_staff:
        return redirect(url_for("procurement.index"))
    return redirect(url_for("accounts.login"))


@bp.route("/procurements")
@staff_required
def index():
    procurements = db.session.execute(
        select(Procurement).order_by(Procurement.created_at.desc())).scalars().all()
    return render_template("procurement/index.html", procurements=procurements, regimes=REGIMES)


@bp.route("/procurements/<reference>")
@staff_required
def show(reference):
    procurement = find_procurement(reference)
    if procurement is None:
        abort(404)
    # Evaluators see lot results only through the evaluation pages (blind until moderation).
    show_results = current_user.has_role("officer", "admin", "finance", "originating_officer",
                                         "chief_executive", "monitoring_officer",
                                         "s151_officer", "commissioner")
    results = procurement_results(procurement) if show_results else []
    return render_template("procurement/show.html", p=procurement, regimes=REGIMES,
                           results=results, show_results=show_results,
                           date_labels=DATE_LABELS)
