"""The annexes: EIA and DPIA as structured forms, or an uploaded PDF instead (officers)."""
from __future__ import annotations

import hashlib

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from audit.services import plain, record
from decisions import bp
from decisions.annexes.forms import (EIA_PARTS, EIA_SECTIONS, ICO_FACTORS, KINDS,
                                   PROTECTED_CHARACTERISTICS, SHARING_QUESTIONS, TITLES, DPIAForm,
                                   EIAForm, UploadForm, char_field, dpia_from_form, dpia_to_form,
                                   eia_from_form, eia_to_form, pdf_problem)
from decisions.annexes.forms import ico_name, sharing_name  # noqa: F401 (templates use them)
from decisions.forms import ActionForm
from decisions.letters.service import note_of
from decisions.models import Annex
from decisions.note.builder import build_note_data
from decisions.note.pdf import render_dpia, render_eia
from decisions.note.service import get_or_create_note
from decisions.responses import pdf_response, read_only_refusal
from procurement.access import procurement_for
from extensions import db


def _kind_or_404(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return KINDS[kind]


def _annex(note, kind: str) -> Annex | None:
    if note is None:
        return None
    return next((a for a in note.annexes if a.kind == kind), None)


def _changed(old: dict | None, new: dict) -> tuple[dict | None, dict]:
    if not old:
        return None, plain(new)
    old = plain(old)
    new = plain(new)
    keys = sorted(set(old) | set(new))
    before = {k: old.get(k) for k in keys if old.get(k) != new.get(k)}
    after = {k: new.get(k) for k in keys if old.get(k) != new.get(k)}
    return before, after


def _render(p, kind, annex, form, upload_form, status=200):
    note = note_of(p)
    template = "decisions/annex_eia.html" if kind == "EIA" else "decisions/annex_dpia.html"
    return render_template(
        template, p=p, kind=kind, slug=kind.lower(), title=TITLES[kind], annex=annex,
        form=form, upload_form=upload_form, action_form=ActionForm(),
        note_sent=note is not None and note.state == "sent",
        read_only=note is not None and note.state == "completed",
        eia_sections=EIA_SECTIONS, eia_parts=EIA_PARTS, characteristics=PROTECTED_CHARACTERISTICS,
        char_field=char_field, sharing_questions=SHARING_QUESTIONS, ico_factors=ICO_FACTORS,
        ico_name=ico_name, sharing_name=sharing_name), status


@bp.route("/procurements/<reference>/decision-note/annexes/<kind>", methods=["GET", "POST"])
def annex_form(reference, kind):
    kind = _kind_or_404(kind)
    p = procurement_for(reference)
    annex = _annex(note_of(p), kind)
    form = EIAForm() if kind == "EIA" else DPIAForm()
    if request.method == "POST":
        refusal = read_only_refusal(note_of(p))
        if refusal:
            return refusal
        if form.validate_on_submit():
            new = eia_from_form(form, annex.form if annex else None) if kind == "EIA" \
                else dpia_from_form(form)
            note = get_or_create_note(p)
            annex = _annex(note, kind)
            if annex is None:
                annex = Annex(kind=kind)
                note.annexes.append(annex)
            before, after = _changed(annex.form, new)
            if not after and annex.id is not None:
                flash("There were no changes to save.", "info")
                db.session.rollback()
            else:
                annex.form = plain(new)
                record("annex", f"{p.reference}/{kind}", "edit", before, after,
                       procurement_ref=p.reference)
                db.session.commit()
                flash(f"{TITLES[kind]} saved." + (
                    " The uploaded PDF is still the one attached: remove it to attach this form "
                    "instead." if annex.pdf else ""), "success")
            return redirect(url_for("decisions.annex_form", reference=reference,
                                    kind=kind.lower()))
    else:
        (eia_to_form if kind == "EIA" else dpia_to_form)(form, annex.form if annex else None)
    return _render(p, kind, annex, form, UploadForm(formdata=None))


@bp.route("/procurements/<reference>/decision-note/annexes/<kind>/upload", methods=["POST"])
def annex_upload(reference, kind):
    kind = _kind_or_404(kind)
    p = procurement_for(reference)
    upload_form = UploadForm()
    if not upload_form.validate_on_submit():  # the CSRF token is checked before this
        abort(400)
    refusal = read_only_refusal(note_of(p))
    if refusal:
        return refusal
    file = upload_form.pdf.data
    problem = None
    if file is None or not getattr(file, "filename", ""):
        problem = "Select a PDF file to upload"
    else:
        content = file.read(10 * 1024 * 1024 + 1)
        problem = pdf_problem(content)
    if problem:
        upload_form.pdf.errors = [problem]
        annex = _annex(note_of(p), kind)
        form = EIAForm(formdata=None) if kind == "EIA" else DPIAForm(formdata=None)
        (eia_to_form if kind == "EIA" else dpia_to_form)(form, annex.form if annex else None)
        return _render(p, kind, annex, form, upload_form, status=400)
    note = get_or_create_note(p)
    annex = _annex(note, kind)
    if annex is None:
        annex = Annex(kind=kind)
        note.annexes.append(annex)
    before = ({"filename": annex.filename, "sha256": hashlib.sha256(annex.pdf).hexdigest()}
              if annex.pdf else None)
    filename = secure_filename(file.filename) or f"{kind.lower()}.pdf"
    annex.pdf, annex.filename = content, filename
    record("annex", f"{p.reference}/{kind}", "upload", before,
           {"filename": filename, "sha256": hashlib.sha256(content).hexdigest(),
            "bytes": len(content)}, procurement_ref=p.reference)
    db.session.commit()
    flash(f"{filename} is attached as the {TITLES[kind]}.", "success")
    return redirect(url_for("decisions.annex_form", reference=reference, kind=kind.lower()))


@bp.route("/procurements/<reference>/decision-note/annexes/<kind>/remove-upload",
          methods=["POST"])
def annex_remove_upload(reference, kind):
    kind = _kind_or_404(kind)
    p = procurement_for(reference)
    if not ActionForm().validate_on_submit():
        abort(400)
    refusal = read_only_refusal(note_of(p))
    if refusal:
        return refusal
    annex = _annex(note_of(p), kind)
    if annex is None or not annex.pdf:
        flash("There is no uploaded PDF to remove.", "info")
    else:
        record("annex", f"{p.reference}/{kind}", "remove_upload",
               {"filename": annex.filename, "sha256": hashlib.sha256(annex.pdf).hexdigest()},
               None, procurement_ref=p.reference)
        if annex.form:
            annex.pdf, annex.filename = None, None
        else:
            db.session.delete(annex)
        db.session.commit()
        flash("The uploaded PDF was removed.", "success")
    return redirect(url_for("decisions.annex_form", reference=reference, kind=kind.lower()))


@bp.route("/procurements/<reference>/decision-note/annexes/<kind>/delete", methods=["POST"])
def annex_delete(reference, kind):
    kind = _kind_or_404(kind)
    p = procurement_for(reference)
    if not ActionForm().validate_on_submit():
        abort(400)
    refusal = read_only_refusal(note_of(p))
    if refusal:
        return refusal
    annex = _annex(note_of(p), kind)
    if annex is None:
        flash(f"There is no {TITLES[kind]} attached.", "info")
    else:
        record("annex", f"{p.reference}/{kind}", "delete",
               {"form": annex.form, "filename": annex.filename}, None,
               procurement_ref=p.reference)
        db.session.delete(annex)
        db.session.commit()
        flash(f"The {TITLES[kind]} was removed from the decision note.", "success")
    return redirect(url_for("decisions.note_page", reference=reference))


@bp.route("/procurements/<reference>/decision-note/annexes/<kind>/annex.pdf")
def annex_pdf(reference, kind):
    kind = _kind_or_404(kind)
    p = procurement_for(reference)
    annex = _annex(note_of(p), kind)
    if annex is None or not (annex.pdf or annex.form):
        abort(404)
    if annex.pdf:
        content = annex.pdf
    else:
        data = build_note_data(p)
        content = (render_eia if kind == "EIA" else render_dpia)(annex.form, data)
        db.session.rollback()
    return pdf_response(content, f"{p.reference} {TITLES[kind]}.pdf")
