"""How the decision note names the evaluation model's sections (officer): one description
per section of the procurement, for "Assessment of bids was undertaken through …"."""
from __future__ import annotations

from flask import render_template, request, url_for

from decisions import bp
from decisions.letters.service import note_of
from decisions.note.wording import assessment_sentence
from decisions.responses import read_only_refusal
from evaluation import rules
from evaluation.criteria import service as model_editor
from evaluation.web import FormErrors, done, refused
from extensions import db
from procurement.access import procurement_for


def _page(p, values: dict, errors: dict, status: int = 200):
    sections = model_editor.procurement_sections(p)
    descriptions = model_editor.section_descriptions(p)
    note = note_of(p)
    return render_template(
        "decisions/sections.html", p=p, sections=sections, values=values,
        form=FormErrors(errors), sentence=assessment_sentence(sections, descriptions),
        note_sent=note is not None and note.state not in ("draft", "completed"),
        read_only=note is not None and note.state == "completed"), status


@bp.route("/procurements/<reference>/decision-note/sections", methods=["GET", "POST"])
def note_sections(reference):
    p = procurement_for(reference)
    sections = model_editor.procurement_sections(p)
    if request.method == "GET":
        descriptions = model_editor.section_descriptions(p)
        return _page(p, {f"description-{i}": descriptions.get(s, "")
                         for i, s in enumerate(sections)}, {})
    refusal = read_only_refusal(note_of(p))  # a signed-off note is changed by a new version
    if refusal:
        return refusal
    clean, errors = {}, {}
    for i, section in enumerate(sections):
        text, error = rules.description_error(request.form.get(f"description-{i}"))
        if error:
            errors[f"description-{i}"] = f"{section}: {error}"
        clean[section] = text
    if errors:
        return _page(p, request.form.to_dict(), errors)
    try:
        changed = sum(model_editor.set_section_description(p, s, text)
                      for s, text in clean.items())
    except rules.Refused as e:
        db.session.rollback()
        return refused(str(e), request.path)
    db.session.commit()
    here = url_for("decisions.note_sections", reference=p.reference)
    return done("Section descriptions saved." if changed else "There were no changes to save.",
                here)
