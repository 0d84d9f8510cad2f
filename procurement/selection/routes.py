"""Selection pages: the officer's questionnaire (Part 3 editable, deviations shown), SQ
markers, marking (after opening), the supplier's answers (while the tender is open) and the
finance reviewer's financial assessments. Thin views: parse, call the services, commit with
the audit record, redirect; bad input re-renders with an error summary (status 400)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

import clock
from accounts.models import User
from extensions import db
from procurement import bp
from procurement.access import procurement_for
from procurement.models import Bidder, Lot
from procurement.selection import financial_rules as fr
from procurement.selection import rules, services
from procurement.selection.models import PARTY_ROLES, SqMark, SqQuestion
from procurement.states import tender_deadline_utc

BASE = "/procurements/<reference>/selection"
OPEN_STATES = ("tender_published", "clarifications")  # the tender is out, not yet closed


def _question(p, key: str) -> SqQuestion:
    q = next((q for q in services.questions(p) if q.key == key), None)
    if q is None:
        abort(404)
    return q


def _bidder(p, bidder_id: int) -> Bidder:
    bidder = db.session.get(Bidder, bidder_id)
    if bidder is None or bidder.procurement_id != p.id:
        abort(404)
    return bidder


def _done(message: str, target: str):
    flash(message, "success")
    return redirect(target, code=303)


# -- the officer's questionnaire ----------------------------------------------------------

@bp.route(BASE)
def selection_page(reference):
    p = procurement_for(reference)
    qs = services.ensure_questionnaire(p, current_user.email)
    db.session.commit()
    evaluators = db.session.execute(select(User).where(
        User.organisation_id == p.organisation_id, User.active.is_(True))
        .order_by(User.name)).scalars()
    return render_template("procurement/selection/questionnaire.html", p=p, questions=qs,
                           deviations=services.deviations(p), kinds=rules.KINDS,
                           scopes=rules.SCOPES, markers=services.markers(p),
                           evaluators=[u for u in evaluators if u.has_role("evaluator")],
                           second=services.second_marker(), errors=[])


def _question_form(p, q: SqQuestion | None):
    errors, data = [], {}
    if request.method == "POST":
        data = {k: request.form.get(k, "") for k in ("text", "kind", "scope", "guidance")}
        data["mandatory"] = request.form.get("mandatory") == "yes"
        refusals = services.save_question(p, q, data, current_user.email)
        if not refusals:
            db.session.commit()
            return _done("The question is saved: the change from the standard is shown",
                         url_for("procurement.selection_page", reference=p.reference))
        db.session.rollback()
        errors = [(_field_of(m), m) for m in refusals]
    elif q is not None:
        data = {"text": q.text, "kind": q.kind, "scope": q.scope, "guidance": q.guidance,
                "mandatory": q.mandatory}
    return render_template("procurement/selection/question.html", p=p, q=q, data=data,
                           errors=errors, kinds=rules.KINDS, scopes=rules.SCOPES), \
        400 if errors else 200


def _field_of(message: str) -> str:
    if "pass or fail" in message:
        return "kind"
    if "per lot" in message:
        return "scope"
    return "text"


@bp.route(BASE + "/questions/<question_key>", methods=["GET", "POST"])
def selection_question(reference, question_key):
    p = procurement_for(reference)
    q = _question(p, question_key)
    if rules.check_edit(q.part):
        flash(rules.check_edit(q.part)[0], "error")
        return redirect(url_for("procurement.selection_page", reference=reference), code=303)
    return _question_form(p, q)


@bp.route(BASE + "/questions/new", methods=["GET", "POST"])
def selection_question_new(reference):
    p = procurement_for(reference)
    services.ensure_questionnaire(p, current_user.email)
    return _question_form(p, None)


@bp.route(BASE + "/questions/<question_key>/remove", methods=["POST"])
def selection_question_remove(reference, question_key):
    p = procurement_for(reference)
    refusals = services.remove_question(p, _question(p, question_key), current_user.email)
    if refusals:
        db.session.rollback()
        flash(refusals[0], "error")
    else:
        db.session.commit()
        flash(f"Question {question_key} is removed: the change from the standard is shown",
              "success")
    return redirect(url_for("procurement.selection_page", reference=reference), code=303)


@bp.route(BASE + "/markers", methods=["POST"])
def selection_markers(reference):
    p = procurement_for(reference)
    user = db.session.get(User, request.form.get("user_id", type=int) or 0)
    refusals = (["Choose an evaluator of your organisation"]
                if user is None or user.organisation_id != p.organisation_id
                else services.assign_marker(p, user, current_user.email))
    if refusals:
        db.session.rollback()
        flash(refusals[0], "error")
    else:
        db.session.commit()
        flash(f"{user.name} marks the selection questionnaire", "success")
    return redirect(url_for("procurement.selection_page", reference=reference), code=303)


# -- marking ------------------------------------------------------------------------------

@bp.route(BASE + "/bidders")
def selection_bidders(reference):
    p = procurement_for(reference)
    bidders = [b for b in p.bidders if services.answer_sets(b) or b.bids]
    return render_template("procurement/selection/bidders.html", p=p, bidders=bidders,
                           opened=services.opened)


@bp.route(BASE + "/bidders/<int:bidder_id>", methods=["GET", "POST"])
def selection_mark(reference, bidder_id):
    p = procurement_for(reference)
    bidder = _bidder(p, bidder_id)
    if not services.opened(bidder):  # sealed: nobody but the supplier reads the answers
        return render_template("procurement/selection/sealed.html", p=p, bidder=bidder), 403
    qs = services.ensure_questionnaire(p, current_user.email)
    errors = []
    if request.method == "POST":
        errors = _post_mark(p, bidder, qs)
        if not errors:
            db.session.commit()
            return _done("The mark is recorded", request.path)
        db.session.rollback()
    sets = services.answer_sets(bidder)
    views = []
    for s in sets:
        answers, marks = services.answers_by_slot(s), services.marks_of(s)
        views.append((s, services.answer_slots(services.questions_for(qs, s), list(bidder.bids)),
                      answers, marks))
    return render_template("procurement/selection/mark.html", p=p, bidder=bidder,
                           views=views, errors=errors, marks=rules.MARKS,
                           second=services.second_marker(), parties=PARTY_ROLES,
                           slot_name=services.slot_name, rules=rules), 400 if errors else 200


def _post_mark(p, bidder, qs) -> list[tuple[str, str]]:
    s = next((s for s in services.answer_sets(bidder)
              if s.id == request.form.get("answer_set_id", type=int)), None)
    q = next((q for q in qs if q.id == request.form.get("question_id", type=int)), None)
    lot = None
    if request.form.get("lot_id"):
        lot = db.session.get(Lot, request.form.get("lot_id", type=int) or 0)
        if lot is None or lot.procurement_id != p.id:
            abort(404)
    if s is None or q is None:
        return [("main-content", "Choose an answer of this bidder to mark")]
    field = f"outcome-{services.slot_name(q, None)}-{s.id}-{lot.id if lot else 0}"
    refusals = services.mark(p, s, q, lot, request.form.get("outcome", ""),
                             request.form.get("reason", ""), current_user)
    return [(field, m) for m in refusals]


@bp.route(BASE + "/marks/<int:mark_id>/confirm", methods=["POST"])
def selection_confirm(reference, mark_id):
    p = procurement_for(reference)
    row = db.session.get(SqMark, mark_id)
    if row is None or row.answer_set.bidder.procurement_id != p.id:
        abort(404)
    refusals = services.confirm(p, row, current_user)
    if refusals:
        db.session.rollback()
        flash(refusals[0], "error")
    else:
        db.session.commit()
        flash("The mark is confirmed", "success")
    return redirect(url_for("procurement.selection_mark", reference=reference,
                            bidder_id=row.answer_set.bidder_id), code=303)


@bp.route(BASE + "/answers/<int:answer_id>/evidence")
def selection_evidence(reference, answer_id):
    from procurement.bids import storage
    from procurement.selection.models import SqAnswer

    p = procurement_for(reference)
    a = db.session.get(SqAnswer, answer_id)
    if a is None or a.answer_set.bidder.procurement_id != p.id or a.evidence_file_id is None:
        abort(404)
    if not services.opened(a.answer_set.bidder):
        abort(403)
    stored = db.session.get(storage.StoredFile, a.evidence_file_id)
    return storage.send(stored, a.evidence_filename or "evidence", "application/octet-stream")


# -- the supplier's answers ---------------------------------------------------------------

@bp.route("/opportunities/<reference>/selection", methods=["GET", "POST"])
def supplier_selection(reference):
    p = procurement_for(reference)
    deadline = tender_deadline_utc(p)
    org = current_user.organisation
    if org is None or p.state not in OPEN_STATES or not rules.tender_open(clock.utcnow(), deadline):
        return render_template("procurement/selection/closed.html", reference=reference,
                               deadline=deadline), 403 if request.method == "POST" else 200
    bidder = services.bidder_of(p, org, create=request.method == "POST")
    qs = services.ensure_questionnaire(p, current_user.email) if request.method == "POST" \
        else services.questions(p)
    if not qs:
        qs = services.ensure_questionnaire(p, current_user.email)
        db.session.commit()
    bids = list(bidder.bids) if bidder else []
    party = (request.values.get("party") or "").strip()[:200]
    answers = services.answer_set(bidder, party) if bidder else None
    errors = []
    texts = {}
    if request.method == "POST":
        role = request.form.get("party_role", "bidder")
        if party and role not in ("consortium_member", "subcontractor"):
            errors = [("party_role", "Choose whether the party is a consortium member or a "
                                     "subcontractor relied on")]
        else:
            answers = services.answer_set(bidder, party, role if party else "bidder", create=True)
            slots = services.answer_slots(services.questions_for(qs, answers), bids)
            texts = {services.slot_name(q, b): request.form.get(services.slot_name(q, b), "")
                     for q, b in slots}
            errors = services.save_answers(answers, slots, texts, request.files,
                                           request.form.get("action") == "submit",
                                           current_user.email, p.reference)
        if not errors:
            db.session.commit()
            return _done("Your answers are submitted" if request.form.get("action") == "submit"
                         else "Your answers are saved as a draft",
                         url_for("procurement.supplier_selection", reference=reference,
                                 party=party or None))
        db.session.rollback()
        bidder = services.bidder_of(p, org)
        bids = list(bidder.bids) if bidder else []
        answers = services.answer_set(bidder, party) if bidder else None
    shown = qs if answers is None or not party else services.questions_for(qs, answers)
    if party and answers is None:
        shown = [q for q in qs if q.every_party]
    slots = services.answer_slots(shown, bids)
    saved = services.answers_by_slot(answers) if answers else {}
    for q, b in slots:
        name = services.slot_name(q, b)
        if name not in texts:
            row = saved.get((q.id, b.id if b else None))
            texts[name] = row.text if row else ""
    return render_template("procurement/selection/supplier.html", p=p, slots=slots,
                           texts=texts, errors=errors, answers=answers, party=party,
                           parties=services.answer_sets(bidder) if bidder else [],
                           deadline=deadline, slot_name=services.slot_name, rules=rules,
                           saved=saved), 400 if errors else 200


# -- financial standing -------------------------------------------------------------------

@bp.route("/procurements/<reference>/financial")
def financial_page(reference):
    p = procurement_for(reference)
    rows = [(b, services.assessment_of(b)) for b in p.bidders]
    return render_template("procurement/selection/financial_list.html", p=p, rows=rows,
                           outcomes=fr.OUTCOMES)


MONEY_FIELDS = ("turnover", "profit_before_tax", "net_assets", "current_assets",
                "current_liabilities")
MONEY_LABELS = {"turnover": "Turnover", "profit_before_tax": "Profit before tax",
                "net_assets": "Net assets", "current_assets": "Current assets",
                "current_liabilities": "Current liabilities"}


@bp.route("/procurements/<reference>/financial/<int:bidder_id>", methods=["GET", "POST"])
def financial_bidder(reference, bidder_id):
    p = procurement_for(reference)
    bidder = _bidder(p, bidder_id)
    a = services.assessment_of(bidder)
    errors, form = [], _form_of(a)
    if request.method == "POST":
        form = request.form.to_dict()
        values, years, errors = _parse_financial(form)
        if not errors:
            refusals = services.record_assessment(p, bidder, values, years, request.files,
                                                  current_user)
            errors = [(_financial_field(f), m) for f, m in refusals]
        if not errors:
            db.session.commit()
            return _done("The financial assessment is recorded", request.path)
        db.session.rollback()
        a = services.assessment_of(bidder)
    multiple = services.turnover_multiple()
    return render_template("procurement/selection/financial.html", p=p, bidder=bidder, a=a,
                           form=form, errors=errors, outcomes=fr.OUTCOMES,
                           mitigations=fr.MITIGATIONS, money=MONEY_LABELS,
                           ratios=services.ratios_of(a) if a else [],
                           annual_value=services.annual_value(bidder), multiple=multiple,
                           bands=services.bands(),
                           bands_source=services.get_setting("delphi_risk_bands_source"),
                           editable=current_user.has_role("finance")), 400 if errors else 200


def _financial_field(field: str) -> str:
    return {"accounts": "year_end_0"}.get(field, field)


def _form_of(a) -> dict:
    if a is None:
        return {"turnover_multiple": str(services.turnover_multiple())}
    form = {"delphi_score": str(a.delphi_score), "delphi_date": a.delphi_date.isoformat(),
            "delphi_source": a.delphi_source, "turnover_multiple": str(a.turnover_multiple),
            "multiple_justification": a.multiple_justification, "outcome": a.outcome,
            "mitigation": a.mitigation, "justification": a.justification}
    for i, y in enumerate(a.accounts[:2]):
        form[f"year_end_{i}"] = y.year_end.isoformat()
        form[f"audited_{i}"] = "yes" if y.audited else "no"
        for f in MONEY_FIELDS:
            form[f"{f}_{i}"] = f"{getattr(y, f):,.2f}"
    return form


def _parse_financial(form: dict):
    errors = []
    score_text = (form.get("delphi_score") or "").strip()
    score = int(score_text) if score_text.lstrip("-").isdigit() else None
    on = services.parse_date(form.get("delphi_date", ""))
    errors += fr.check_score(score, on, clock.today())
    source = (form.get("delphi_source") or "").strip()
    if not source:
        errors.append(("delphi_source", "Enter the source of the score, like the credit "
                                        "reference agency's report"))
    try:
        multiple = Decimal((form.get("turnover_multiple") or "").strip())
    except InvalidOperation:
        multiple = None
    if multiple is not None and not multiple.is_finite():
        multiple = None
    years = []
    for i in (0, 1):
        year_end = services.parse_date(form.get(f"year_end_{i}", ""))
        if year_end is None:
            errors.append((f"year_end_{i}", f"Enter the year end of the accounts for year "
                                            f"{i + 1} as YYYY-MM-DD"))
        elif year_end > clock.today():
            errors.append((f"year_end_{i}", f"The year end of year {i + 1} must be in the past"))
        amounts = {}
        for f in MONEY_FIELDS:
            amounts[f] = fr.parse_money(form.get(f"{f}_{i}", ""))
            if amounts[f] is None:
                errors.append((f"{f}_{i}", f"Enter the {MONEY_LABELS[f].lower()} for year "
                                           f"{i + 1} in pounds, like 1,250,000.00"))
            elif f in ("turnover", "current_assets", "current_liabilities") and amounts[f] < 0:
                errors.append((f"{f}_{i}", f"The {MONEY_LABELS[f].lower()} for year {i + 1} "
                                           "cannot be negative"))
        if form.get(f"audited_{i}") not in ("yes", "no"):
            errors.append((f"audited_{i}", f"Say whether the accounts for year {i + 1} are "
                                           "audited"))
        years.append({"year_end": year_end, "audited": form.get(f"audited_{i}") == "yes",
                      **amounts})
    values = {"delphi_score": score, "delphi_date": on, "delphi_source": source[:300],
              "turnover_multiple": multiple,
              "multiple_justification": form.get("multiple_justification", ""),
              "outcome": form.get("outcome", ""), "mitigation": form.get("mitigation", ""),
              "justification": form.get("justification", "")}
    return values, years, errors
