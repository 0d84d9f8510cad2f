"""Clarifications: a signed-in supplier asks about a published opportunity until questions
close; the officer sees who asked, answers, and publishes the answer to everyone without the
asker. Suppliers who asked or registered interest see new answers on their home page.

The asker (user and organisation) is shown on the officer's pages only; what is published
(the public page, the OCDS `tender.enquiries`) is the question as the officer publishes it
(`public_question`, so that anything naming the asker can be taken out) and the answer.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

import clock
from audit.services import current_actor, record
from extensions import db
from procurement import bp, states
from procurement.access import procurement_for
from procurement.models import Lot
from procurement.notices import queries, rules
from procurement.notices.forms import ActionForm, AnswerForm, QuestionForm
from procurement.notices.models import Clarification, Interest
from procurement.states import tender_deadline_utc


def _clarification(p, clarification_id: int) -> Clarification:
    c = db.session.get(Clarification, clarification_id)
    if c is None or c.procurement_id != p.id:
        abort(404)
    return c


def asking_refusal(p) -> str | None:
    published = queries.published_notices(p)
    if not published:
        abort(404)  # not an opportunity: nothing public to ask about
    return rules.asking_refusal(queries.opens_competition(p, published),
                                queries.terminated(p, published), queries.questions_close(p),
                                clock.utcnow())


def register_interest(p, organisation_id: int | None) -> bool:
    """Follow the opportunity (once); True when newly registered. In the caller's commit."""
    if organisation_id is None:
        return False
    found = db.session.execute(select(Interest).where(
        Interest.procurement_id == p.id, Interest.organisation_id == organisation_id)
    ).scalar_one_or_none()
    if found is not None:
        return False
    db.session.add(Interest(procurement_id=p.id, organisation_id=organisation_id,
                            registered_at=clock.utcnow()))
    record("interest", f"{p.reference}/{organisation_id}", "register", None,
           {"organisation_id": organisation_id}, procurement_ref=p.reference)
    return True


# -- the supplier ----------------------------------------------------------------------------

def _lot_choices(p) -> list[tuple[str, str]]:
    return [("", "The whole procurement")] + [(lot.code, f"Lot {lot.code}: {lot.title}")
                                              for lot in p.lots]


@bp.route("/opportunities/<reference>/questions", methods=["GET", "POST"])
def ask_question(reference):
    p = procurement_for(reference)
    refusal = asking_refusal(p)
    form = QuestionForm()
    form.lot.choices = _lot_choices(p)
    if refusal:
        return render_template("notices/ask.html", p=p, form=form, refusal=refusal), 409 \
            if form.is_submitted() else 200
    if form.validate_on_submit():
        problem = rules.question_refusal(form.question.data)
        lot = None
        if form.lot.data:
            lot = db.session.execute(select(Lot).where(
                Lot.procurement_id == p.id, Lot.code == form.lot.data)).scalar_one_or_none()
            if lot is None:
                form.lot.errors = ["Choose a lot of this procurement, or the whole procurement"]
        if problem:
            form.question.errors = [problem]
        if not (problem or form.lot.errors):
            c = Clarification(procurement_id=p.id, lot_id=lot.id if lot else None,
                              asker_id=current_user.id,
                              asker_organisation_id=current_user.organisation_id,
                              question=form.question.data.strip(), asked_at=clock.utcnow())
            db.session.add(c)
            db.session.flush()
            record("clarification", f"{p.reference}/{c.id}", "ask", None,
                   {"lot": lot.code if lot else None, "question": c.question},
                   procurement_ref=p.reference)
            register_interest(p, current_user.organisation_id)
            db.session.commit()
            flash("Your question was sent to the buyer. The answer will be published on this "
                  "page for every supplier, without your name or your organisation's.",
                  "success")
            return redirect(url_for("publication.opportunity", reference=reference))
        return render_template("notices/ask.html", p=p, form=form, refusal=None), 400
    return render_template("notices/ask.html", p=p, form=form, refusal=None)


@bp.route("/opportunities/<reference>/interest", methods=["POST"])
def follow(reference):
    p = procurement_for(reference)
    if not queries.is_public(p):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if register_interest(p, current_user.organisation_id):
        db.session.commit()
        flash("You are following this opportunity: new answers to clarification questions "
              "will show on your home page.", "success")
    else:
        flash("Your organisation already follows this opportunity.", "info")
    return redirect(url_for("publication.opportunity", reference=reference))


# -- the officer ------------------------------------------------------------------------------

@bp.route("/procurements/<reference>/clarifications")
def clarifications_page(reference):
    p = procurement_for(reference)
    rows = list(db.session.execute(select(Clarification).where(
        Clarification.procurement_id == p.id).order_by(Clarification.asked_at,
                                                       Clarification.id)).scalars())
    return render_template("notices/clarifications.html", p=p, rows=rows,
                           closes=queries.questions_close(p))


def _answer_page(p, c, form, status=200):
    warning = None
    if c.published_at is None:
        warning = rules.late_change_warning(p.regime, tender_deadline_utc(p), clock.utcnow())
    return render_template("notices/answer.html", p=p, c=c, form=form, warning=warning,
                           action_form=ActionForm()), status


@bp.route("/procurements/<reference>/clarifications/<int:clarification_id>",
          methods=["GET", "POST"])
def clarification_answer(reference, clarification_id):
    p = procurement_for(reference)
    c = _clarification(p, clarification_id)
    form = AnswerForm()
    if not form.is_submitted():
        form.public_question.data = c.public_question or c.question
        form.answer.data = c.answer or ""
        return _answer_page(p, c, form)
    if c.published_at is not None:
        return render_template("errors/error.html", title="This answer is published",
                               message="A published answer is never changed: answer again as "
                                       "a new clarification if it needs correcting."), 409
    if not form.validate_on_submit():
        abort(400)
    problem = rules.answer_refusal(form.public_question.data, form.answer.data)
    if problem:
        (form.answer if "answer" in problem else form.public_question).errors = [problem]
        return _answer_page(p, c, form, 400)
    before = {"public_question": c.public_question, "answer": c.answer}
    c.public_question = form.public_question.data.strip()
    c.answer = form.answer.data.strip()
    c.answered_at, c.answered_by = clock.utcnow(), current_actor()
    record("clarification", f"{p.reference}/{c.id}", "answer", before,
           {"public_question": c.public_question, "answer": c.answer},
           procurement_ref=p.reference)
    db.session.commit()
    flash("The answer was saved. It is not public until you publish it.", "success")
    return redirect(url_for("procurement.clarification_answer", reference=reference,
                            clarification_id=c.id))


@bp.route("/procurements/<reference>/clarifications/<int:clarification_id>/publish",
          methods=["POST"])
def clarification_publish(reference, clarification_id):
    p = procurement_for(reference)
    c = _clarification(p, clarification_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if c.published_at is not None:
        return render_template("errors/error.html", title="This answer is published",
                               message="A published answer is never changed."), 409
    problem = rules.answer_refusal(c.public_question or "", c.answer or "")
    if problem:
        flash(f"{problem}, save it, then publish.", "error")
        return redirect(url_for("procurement.clarification_answer", reference=reference,
                                clarification_id=c.id))
    refusal = states.act(p, "clarify", actor=current_actor())
    if refusal is not None:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("procurement.clarification_answer", reference=reference,
                                clarification_id=c.id))
    now = clock.utcnow()
    c.published_at, c.published_by = now, current_actor()
    record("clarification", f"{p.reference}/{c.id}", "publish", None,
           {"public_question": c.public_question, "answer": c.answer,
            "published_at": now}, procurement_ref=p.reference)
    db.session.commit()
    flash("The answer is published to every supplier, without the asker.", "success")
    warning = rules.late_change_warning(p.regime, tender_deadline_utc(p), now)
    if warning:
        flash(warning, "warning")
    return redirect(url_for("procurement.clarifications_page", reference=reference))
