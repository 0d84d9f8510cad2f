"""The panel (officer assigns evaluators, sees declarations and progress) and the
evaluator's conflict-of-interest declaration."""
from __future__ import annotations

from flask import abort, render_template, request, url_for

from evaluation import bp, rules
from evaluation.panel import service as panel
from evaluation.guards import require_member
from procurement.access import lot_for
from procurement.models import PanelMember
from evaluation.progress import lot_status
from evaluation.web import FormErrors, done, refused
from extensions import db


def _panel_url(lot):
    return url_for("evaluation.panel_page", reference=lot.procurement.reference, code=lot.code)


@bp.route("/evaluation/<reference>/lots/<code>/panel", methods=["GET", "POST"])
def panel_page(reference, code):
    procurement, lot = lot_for(reference, code)
    errors = {}
    if request.method == "POST":
        try:
            user_id = int(request.form.get("user_id", ""))
        except ValueError:
            errors["user_id"] = "Select an evaluator to add to the panel"
        else:
            try:
                member = panel.assign(lot, user_id)
            except rules.Refused as e:
                db.session.rollback()
                errors["user_id"] = str(e)
            else:
                db.session.commit()
                return done(f"{member.name} added to the panel of lot {lot.code}.",
                            _panel_url(lot))
    return render_template("evaluation/panel.html", p=procurement, lot=lot,
                           status=lot_status(lot), bidders=panel.lot_bidders(lot),
                           declarations=panel.declarations(lot),
                           late_conflicts=panel.late_conflicts(lot),
                           candidates=panel.evaluator_candidates(lot), form=FormErrors(errors))


@bp.route("/evaluation/<reference>/lots/<code>/panel/<int:member_id>/remove", methods=["POST"])
def remove_member(reference, code, member_id):
    procurement, lot = lot_for(reference, code)
    member = db.session.get(PanelMember, member_id)
    if member is None or member.lot_id != lot.id:
        abort(404)
    name = member.name
    try:
        panel.remove(lot, member)
    except rules.Refused as e:
        db.session.rollback()
        return refused(str(e), _panel_url(lot))
    db.session.commit()
    return done(f"{name} removed from the panel of lot {lot.code}.", _panel_url(lot))


@bp.route("/evaluation/<reference>/lots/<code>/declarations", methods=["GET", "POST"])
def declarations(reference, code):
    """Before seeing any bid, the evaluator declares on every bidder of the lot."""
    procurement, lot = lot_for(reference, code)
    member = require_member(lot)
    errors = {}
    if request.method == "POST":
        clean, errors = panel.check_declarations(lot, member, request.form)
        if not errors and clean:
            try:
                panel.declare(lot, member, clean)
            except rules.Refused as e:
                db.session.rollback()
                return refused(str(e), request.path)
            db.session.commit()
            return done("Your declarations are recorded.",
                        url_for("evaluation.scoring", reference=reference, code=code))
    made = {d.bidder_id: d for d in member.declarations}
    return render_template("evaluation/declarations.html", p=procurement, lot=lot,
                           member=member, bidders=panel.lot_bidders(lot), made=made,
                           form=FormErrors(errors), values=request.form)
