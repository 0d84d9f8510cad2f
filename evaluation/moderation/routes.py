"""Moderation (procurement officer as moderator): side by side, consensus, results final."""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from evaluation import bp, rules
from evaluation.moderation import service as moderation
from evaluation.web import FormErrors, done, refused
from procurement.access import lot_for
from procurement.bids.sealed import open_bid_for
from extensions import db


def _lot(reference, code):
    procurement, lot = lot_for(reference, code)
    return procurement, lot


def _moderation_url(lot):
    return url_for("evaluation.moderation_page", reference=lot.procurement.reference,
                   code=lot.code)


@bp.route("/evaluation/<reference>/lots/<code>/moderation")
def moderation_page(reference, code):
    _, lot = _lot(reference, code)
    return moderation.render_moderation(lot)


@bp.route("/evaluation/<reference>/lots/<code>/moderation/<int:bid_id>", methods=["GET", "POST"])
def consensus(reference, code, bid_id):
    _, lot = _lot(reference, code)
    bid = open_bid_for(bid_id)
    errors = {}
    saved = []
    if request.method == "POST":
        criteria = [c for c in lot.criteria if c.kind == "scored"]
        clean, errors = moderation.check_consensus(criteria, request.form)
        if clean:  # save what is filled in, even while another criterion's row is not
            try:
                moderation.record_consensus(lot, bid, bid.bidder.name, clean, current_user.id)
            except rules.Refused as e:
                db.session.rollback()
                return refused(str(e), _moderation_url(lot))
            db.session.commit()
            saved = [c.code for c in criteria if c.id in clean]
        if not errors:
            remaining = moderation.still_to_moderate(lot, bid)
            if remaining:
                return done(f"Consensus scores for {bid.bidder.name} recorded. Still to "
                            f"moderate: {', '.join(remaining)}.", request.path)
            return done(f"Consensus scores for {bid.bidder.name} recorded.", _moderation_url(lot))
    ctx = moderation.bid_context(lot, bid)
    if ctx["refusal"] and request.method == "POST":
        return refused(ctx["refusal"], _moderation_url(lot))
    values = request.form if request.method == "POST" else {}
    return render_template("evaluation/consensus.html", **ctx, form=FormErrors(errors),
                           values=values, saved=saved)


@bp.route("/evaluation/<reference>/lots/<code>/moderation/final", methods=["POST"])
def mark_final(reference, code):
    _, lot = _lot(reference, code)
    try:
        moderation.mark_final(lot)
    except rules.Refused as e:
        db.session.rollback()
        return refused(str(e), _moderation_url(lot))
    db.session.commit()
    return done(f"The results of lot {lot.code} are final.",
                url_for("evaluation.results", reference=reference, code=code))
