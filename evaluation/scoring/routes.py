"""Individual scoring (evaluator): blind, own scores only, drafts then submission."""
from __future__ import annotations

from accounts.models import get_setting
from flask import abort, jsonify, redirect, render_template, request, url_for

from evaluation import bp, rules
from evaluation.scoring import service as svc
from evaluation.guards import declared_map, require_member
from evaluation.panel.service import lot_bidders
from evaluation.web import FormErrors, done, refused
from procurement.access import lot_for
from procurement.bids import opening_rules as bid_rules
from procurement.bids.opening import opened_documents
from procurement.bids.sealed import open_bid_for
from extensions import db
from procurement.formatting import raw_score


def _urls(lot):
    ref = lot.procurement.reference
    return (url_for("evaluation.scoring", reference=ref, code=lot.code),
            url_for("evaluation.declarations", reference=ref, code=lot.code))


def _seat(reference, code):
    """The lot and the evaluator's seat, and the declarations made (bidder id -> conflicted)."""
    procurement, lot = lot_for(reference, code)
    member = require_member(lot)
    return procurement, lot, member, declared_map(member)


def _must_declare(lot, declared):
    return rules.undeclared([b for b, _ in lot_bidders(lot)], declared)


@bp.route("/evaluation/<reference>/lots/<code>/scoring")
def scoring(reference, code):
    procurement, lot, member, declared = _seat(reference, code)
    if _must_declare(lot, declared):
        return redirect(_urls(lot)[1])  # nothing of a bid before the declarations
    return render_template("evaluation/scoring.html", p=procurement, lot=lot, member=member,
                           rows=svc.overview(member, lot, declared),
                           refusal=svc.scoring_refusal(lot),
                           conflicted=sum(1 for c in declared.values() if c))


def _bid_for(lot, bid_id, declared):
    bid = open_bid_for(bid_id)
    if bid.bidder_id not in declared:
        return bid, "declare"
    if declared[bid.bidder_id]:
        abort(403)  # a declared conflict bars the evaluator from this bidder
    return bid, None


@bp.route("/evaluation/<reference>/lots/<code>/scoring/<int:bid_id>", methods=["GET", "POST"])
def score_bid(reference, code, bid_id):
    procurement, lot, member, declared = _seat(reference, code)
    bid, problem = _bid_for(lot, bid_id, declared)
    overview_url, declare_url = _urls(lot)
    if problem == "declare":
        return refused("Declare any conflicts of interest with the lot's bidders before you "
                       "see or score a bid.", declare_url)
    criteria = svc.scored_criteria(lot)
    mine = svc.my_scores(member, [bid.id])
    locked = any(s.state == "submitted" for s in mine.values())
    errors = {}
    if request.method == "POST":
        refusal = svc.scoring_refusal(lot)
        if refusal:
            return refused(refusal, request.path)
        if locked:
            return refused(f"Your scores for {bid.bidder.name} are submitted and locked: "
                           "they cannot change.", request.path)
        submit = request.form.get("action") == "submit"
        clean, errors = svc.check_scores(criteria, request.form, submit=submit)
        if not errors:
            try:
                svc.save(lot, member, bid, bid.bidder.name, clean, submit=submit)
            except rules.Refused as e:
                db.session.rollback()
                return refused(str(e), request.path)
            db.session.commit()
            if submit:
                return done(f"Your scores for {bid.bidder.name} are submitted.", overview_url)
            warnings = svc.draft_warnings(criteria, request.form)
            return done(f"Draft scores for {bid.bidder.name} saved." + (
                " Before you submit: " + "; ".join(warnings) + "." if warnings else ""),
                request.path)
    values = request.form if request.method == "POST" else {
        **{f"score-{c}": raw_score(s.value) for (_, c), s in mine.items()},
        **{f"justification-{c}": s.justification for (_, c), s in mine.items()}}
    return render_template("evaluation/score_bid.html", p=procurement, lot=lot, member=member,
                           bid=bid, criteria=criteria, values=values, locked=locked,
                           documents=opened_documents(bid),
                           show_price=bid_rules.price_visible(
                               get_setting("price_to_evaluators"), officer=False,
                               scores_submitted=locked),
                           refusal=svc.scoring_refusal(lot), form=FormErrors(errors),
                           min_length=svc.justification_min_length(),
                           steps={c.id: svc.step_of(c) for c in criteria},
                           score_rule=rules.score_rule, step_words=rules.step_words)


@bp.route("/evaluation/<reference>/lots/<code>/scoring/submit", methods=["POST"])
def submit_all(reference, code):
    procurement, lot, member, declared = _seat(reference, code)
    overview_url, declare_url = _urls(lot)
    if _must_declare(lot, declared):
        return refused("Declare any conflicts of interest with the lot's bidders first.",
                       declare_url)
    refusal = svc.scoring_refusal(lot)
    if refusal:
        return refused(refusal, overview_url)
    try:
        count = svc.submit_all(lot, member, declared)
    except rules.Refused as e:
        db.session.rollback()
        return refused(str(e), overview_url)
    db.session.commit()
    return done(f"{count} score{'s' if count != 1 else ''} submitted for lot {lot.code}.",
                overview_url)


@bp.route("/evaluation/<reference>/lots/<code>/scoring/my-scores.json")
def my_scores_json(reference, code):
    """The evaluator's own scores for the lot (never another's)."""
    procurement, lot, member, declared = _seat(reference, code)
    codes = {c.id: c.code for c in svc.scored_criteria(lot)}
    names = dict((bid.id, name) for bid, name in svc.visible_bids(lot, declared))
    mine = svc.my_scores(member, list(names))
    return jsonify({"reference": procurement.reference, "lot": lot.code, "evaluator": member.name,
                    "scores": [{"bidder": names[b], "criterion": codes[c],
                                "score": float(s.value), "justification": s.justification,
                                "state": s.state}
                               for (b, c), s in sorted(mine.items()) if c in codes]})


@bp.app_template_global("score_rule_for")
def score_rule_for(criterion) -> str:
    """The scale's rule for a criterion, as its hint says it (the validation says the same)."""
    return rules.score_rule(criterion.max_score, svc.step_of(criterion))
