"""The decision note page: officers edit it, approvers read it; numbering; PDF downloads."""
from __future__ import annotations

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from audit.services import record
from decisions import bp, job_pages
from decisions import jobs as decision_jobs
import clock
from decisions.annexes.forms import TITLES
from decisions.forms import (NARRATIVE_FIELDS, QUESTIONS, ActionForm, NoteForm, answer_field_name,
                             apply_values, load_note, narrative_field_name, note_changes,
                             submitted_values)
from decisions.letters.service import note_of
from decisions.note.builder import build_note_data, decision_pack
from decisions.note.pdf import render_note
from decisions.note.wording import assessment_sentence
from evaluation.criteria.service import procurement_sections, section_descriptions
from decisions.note.service import assign_decision_number, default_marking, get_or_create_note
from decisions.responses import pdf_response, read_only_refusal
from procurement import states
from procurement.access import may, procurement_for
from extensions import db


def _blank_note():
    """What the page shows before anything is saved (nothing is written on GET)."""
    return SimpleNamespace(narrative={}, answers={}, sensitive_phrases=[], annexes=[],
                           marking=default_marking(), date_received=None,
                           decision_number=None, state="draft", id=None)


@bp.route("/procurements/<reference>/decision-note", methods=["GET", "POST"])
def note_page(reference):
    p = procurement_for(reference)
    can_edit = may("decisions.note_page", p, method="POST")
    note = note_of(p) or _blank_note()
    form = NoteForm()
    if request.method == "POST":
        refusal = read_only_refusal(note)  # a signed-off note is changed by a new version
        if refusal:
            return refusal
        if form.validate_on_submit():
            note = get_or_create_note(p)
            values = submitted_values(form)
            before, after = note_changes(note, values)
            if not after and not before:
                flash("There were no changes to save.", "info")
                db.session.rollback()
                return redirect(url_for("decisions.note_page", reference=reference))
            was_sent = note.state != "draft"
            apply_values(note, values)
            record("decision_note", p.reference, "edit", before, after,
                   procurement_ref=p.reference)
            states.act(p, "draft_note", strict=False)  # results final -> drafting the note
            db.session.commit()
            message = "Decision note saved."
            if was_sent:
                message += (" It had been sent for signature: the sent note is now out of date "
                            "and must be sent again before it can be completed.")
            flash(message, "success")
            return redirect(url_for("decisions.note_page", reference=reference))
    else:
        load_note(form, note)
    annexes = {a.kind: a for a in getattr(note, "annexes", [])}
    read_only = note.state == "completed"
    return render_template(
        "decisions/note.html", p=p, note=note, form=form, can_edit=can_edit and not read_only,
        read_only=read_only, may_start_version=can_edit and read_only,
        action_form=ActionForm(), annexes=annexes,
        annex_titles=TITLES, narrative_fields=NARRATIVE_FIELDS, questions=QUESTIONS,
        hints={k: h for k, _l, h in NARRATIVE_FIELDS},
        labels={k: lbl for k, lbl, _h in NARRATIVE_FIELDS},
        nf=narrative_field_name, af=answer_field_name,
        assessment=assessment_sentence(procurement_sections(p), section_descriptions(p)))


@bp.route("/procurements/<reference>/decision-note/number", methods=["POST"])
def note_assign_number(reference):
    p = procurement_for(reference)
    if not ActionForm().validate_on_submit():
        abort(400)
    existing = note_of(p)
    refusal = read_only_refusal(existing)
    if refusal:
        return refusal
    if existing is not None and existing.decision_number:
        flash(f"The decision number is already {existing.decision_number}; it is assigned once "
              "and never changes.", "info")
        return redirect(url_for("decisions.note_page", reference=reference))
    for attempt in range(3):  # two first numbers of a year at once: one of them retries
        note = get_or_create_note(p)
        number = assign_decision_number(note, on=clock.today())
        try:
            db.session.commit()
            break
        except IntegrityError:
            db.session.rollback()
            p = procurement_for(reference)
            if attempt == 2:
                raise
    flash(f"Decision number {number} assigned.", "success")
    return redirect(url_for("decisions.note_page", reference=reference))


def _file_stem(p, note) -> str:
    return (note.decision_number if note and note.decision_number else p.reference).replace("/", "-")


def _pdf(reference: str, kind: str, name: str, draw):
    """A PDF of the note in the request; for a large tender, a job (decisions.jobs) and its
    progress page, so that no request draws 50 lots."""
    p = procurement_for(reference)
    filename = f"{_file_stem(p, note_of(p))} {name}.pdf"
    if decision_jobs.is_large(p):
        return job_pages.start(kind, p, filename)
    content = draw(p)
    db.session.rollback()  # building may create an empty note: a download writes nothing
    return pdf_response(content, filename)


@bp.route("/procurements/<reference>/decision-note/note.pdf")
def note_pdf(reference):
    """The note as it stands (a draft until signed), without annexes."""
    return _pdf(reference, decision_jobs.NOTE_PDF, "decision note",
                lambda p: render_note(build_note_data(p)))


@bp.route("/procurements/<reference>/decision-note/pack.pdf")
def note_pack_pdf(reference):
    """The decision pack: the note, then the EIA and the DPIA."""
    return _pdf(reference, decision_jobs.PACK_PDF, "decision pack", decision_pack)


@bp.route("/procurements/<reference>/decision-note/public-preview.pdf")
def note_public_preview(reference):
    """The public version as it would be published: sensitive text replaced by [REDACTED]."""
    return _pdf(reference, decision_jobs.PUBLIC_PREVIEW,
                "decision note (public version preview)",
                lambda p: decision_pack(p, public=True))
