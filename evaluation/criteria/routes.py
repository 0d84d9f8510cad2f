"""The evaluation model editor (procurement officer): criteria, weights, section minimums."""
from __future__ import annotations

from flask import abort, render_template, request, url_for

from accounts.models import get_setting

from evaluation import bp, rules
from evaluation.criteria import service as model_editor
from evaluation.models import Criterion
from evaluation.web import FormErrors, done, refused
from procurement.access import lot_for
from extensions import db
from procurement.formatting import raw_score


def _lot(reference, code):
    procurement, lot = lot_for(reference, code)
    return procurement, lot


def _model_url(lot):
    return url_for("evaluation.model", reference=lot.procurement.reference, code=lot.code)


@bp.route("/evaluation/<reference>/lots/<code>/model")
def model(reference, code):
    procurement, lot = _lot(reference, code)
    criteria = model_editor.criteria_of(lot)
    ok, weights = rules.weights_message(c.weight for c in criteria)
    return render_template(
        "evaluation/model.html", p=procurement, lot=lot, criteria=criteria,
        weights_ok=ok, weights_message=weights, lock=model_editor.lock_reason(lot),
        sections=model_editor.sections_of(lot), minimums=model_editor.section_minimums(lot),
        form=FormErrors(), values={})


def _criterion_form(procurement, lot, criterion, values, errors, status=200):
    lock = model_editor.lock_reason(lot)
    return render_template("evaluation/criterion.html", p=procurement, lot=lot,
                           criterion=criterion, values=values, form=FormErrors(errors),
                           lock=lock, default_step_words=rules.step_words(
                               rules.criterion_step(None, get_setting("score_step")))), status


def _values_of(c: Criterion | None) -> dict:
    if c is None:
        return {"kind": "scored", "max_score": "5"}
    return {"code": c.code, "section": c.section, "title": c.title,
            "weight": raw_score(c.weight), "kind": c.kind,
            "max_score": raw_score(c.max_score), "min_score": raw_score(c.min_score),
            "descriptors": rules.descriptors_text(c.descriptors),
            "score_step": raw_score(c.score_step) if c.score_step is not None else ""}


@bp.route("/evaluation/<reference>/lots/<code>/model/criteria/new", methods=["GET", "POST"])
@bp.route("/evaluation/<reference>/lots/<code>/model/criteria/<int:criterion_id>",
          methods=["GET", "POST"])
def criterion(reference, code, criterion_id=None):
    procurement, lot = _lot(reference, code)
    c = None
    if criterion_id is not None:
        c = db.session.get(Criterion, criterion_id)
        if c is None or c.lot_id != lot.id:
            abort(404)
    if request.method == "GET":
        return _criterion_form(procurement, lot, c, _values_of(c), {})
    lock = model_editor.lock_reason(lot)
    if lock:
        return refused(lock + " The change was not made.", _model_url(lot))
    clean, errors = model_editor.check_criterion(lot, request.form, c)
    if errors:
        return _criterion_form(procurement, lot, c, request.form.to_dict(), errors)
    try:
        saved = model_editor.save_criterion(lot, clean, c)
    except rules.Refused as e:
        db.session.rollback()
        return refused(str(e), _model_url(lot))
    db.session.commit()
    return done(f"Criterion {saved.code} {'added' if c is None else 'saved'}.", _model_url(lot))


@bp.route("/evaluation/<reference>/lots/<code>/model/criteria/<int:criterion_id>/delete",
          methods=["POST"])
def delete_criterion(reference, code, criterion_id):
    procurement, lot = _lot(reference, code)
    c = db.session.get(Criterion, criterion_id)
    if c is None or c.lot_id != lot.id:
        abort(404)
    try:
        model_editor.delete_criterion(lot, c)
    except rules.Refused as e:
        db.session.rollback()
        return refused(str(e), _model_url(lot))
    db.session.commit()
    return done(f"Criterion {c.code} deleted.", _model_url(lot))


@bp.route("/evaluation/<reference>/lots/<code>/model/sections", methods=["POST"])
def section_minimums(reference, code):
    procurement, lot = _lot(reference, code)
    sections = model_editor.sections_of(lot)
    errors, clean = {}, {}
    for i, section in enumerate(sections):
        value, error = rules.section_minimum_error(request.form.get(f"minimum-{i}"))
        if error:
            errors[f"minimum-{i}"] = f"{section}: {error}"
        clean[section] = value
    if errors:
        criteria = model_editor.criteria_of(lot)
        ok, weights = rules.weights_message(c.weight for c in criteria)
        return render_template(
            "evaluation/model.html", p=procurement, lot=lot, criteria=criteria,
            weights_ok=ok, weights_message=weights, lock=model_editor.lock_reason(lot),
            sections=sections, minimums=model_editor.section_minimums(lot),
            form=FormErrors(errors), values=request.form.to_dict())
    try:
        for section, value in clean.items():
            model_editor.set_section_minimum(lot, section, value)
    except rules.Refused as e:
        db.session.rollback()
        return refused(str(e), _model_url(lot))
    db.session.commit()
    return done("Section minimums saved.", _model_url(lot))
