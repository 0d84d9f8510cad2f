"""The opening page (officer), opening and its confirmation, and the opening register
(officer and approvers, after opening)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

import clock
from accounts.models import User
from extensions import db
from procurement import bp
from procurement.access import procurement_for
from procurement.bids import opening as svc
from procurement.bids import opening_rules as rules
from procurement.bids.opening_pdf import render_register
from procurement.downloads import attachment
from procurement.notices.forms import ActionForm
from procurement.states import tender_deadline_utc


def _name(user_id):
    user = db.session.get(User, user_id) if user_id else None
    return f"{user.name} ({user.email})" if user else None


@bp.route("/procurements/<reference>/bids")
def bids_opening(reference):
    p = procurement_for(reference)
    opening = svc.opening_of(p)
    opened = opening is not None and opening.opened_at is not None
    lines = svc.register_lines(p, with_documents=False)
    by_lot = {lot.code: [ln for ln in lines if ln.lot == lot.code] for lot in p.lots}
    refusal = rules.open_refusal(
        is_officer=True, state=p.state, now=clock.utcnow(), deadline=tender_deadline_utc(p),
        requested=opening is not None, opened=opened)
    confirm = None
    if opening is not None and not opened:
        confirm = rules.confirm_refusal(
            is_officer=True, two_person=p.two_person_opening,
            requested_by_id=opening.requested_by_id, confirmer_id=current_user.id,
            opened=opened)
    return render_template("bids/opening.html", p=p, opening=opening, opened=opened,
                           by_lot=by_lot, refusal=refusal, confirm_refusal=confirm,
                           requested_by=_name(opening.requested_by_id) if opening else None,
                           deadline=tender_deadline_utc(p), form=ActionForm())


def _act(reference, do):
    p = procurement_for(reference)
    form = ActionForm()
    back = url_for("procurement.bids_opening", reference=p.reference)
    if not form.validate_on_submit():
        flash("The form had expired: try again.", "warning")
        return redirect(back)
    try:
        message = do(p, current_user._get_current_object())
    except svc.Refused as e:
        db.session.rollback()
        flash(str(e), "warning")
        return redirect(back)
    db.session.commit()
    flash(message, "success")
    if svc.is_opened(p):
        return redirect(url_for("procurement.bids_register", reference=p.reference))
    return redirect(back)


@bp.route("/procurements/<reference>/bids/open", methods=["POST"])
def bids_open(reference):
    return _act(reference, svc.request_opening)


@bp.route("/procurements/<reference>/bids/open/confirm", methods=["POST"])
def bids_open_confirm(reference):
    return _act(reference, svc.confirm_opening)


def _register(reference):
    p = procurement_for(reference)
    opening = svc.opening_of(p)
    if opening is None or opening.opened_at is None:
        abort(404)  # no register before the bids are opened
    return p, opening, svc.register_lines(p, with_documents=True)


@bp.route("/procurements/<reference>/bids/register")
def bids_register(reference):
    p, opening, lines = _register(reference)
    return render_template("bids/opening_register.html", p=p, opening=opening, lines=lines,
                           opened_by=_name(opening.requested_by_id),
                           confirmed_by=_name(opening.confirmed_by_id))


@bp.route("/procurements/<reference>/bids/register.pdf")
def bids_register_pdf(reference):
    p, opening, lines = _register(reference)
    pdf = render_register(p, opening, lines, _name(opening.requested_by_id),
                          _name(opening.confirmed_by_id))
    return attachment(pdf, f"opening-register-{p.reference}.pdf", "application/pdf")


@bp.app_context_processor
def _opening_helpers():
    """`bids_opened(p)` for the procurement page's links (the register exists once opened)."""
    return {"bids_opened": svc.is_opened}
