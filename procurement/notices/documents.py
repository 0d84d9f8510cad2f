"""Tender documents: the officer uploads them (checked by their bytes and size), the public
downloads them once the procurement has a published notice.

Documents live in the database, not on a machine's disk, so every worker on every machine
serves the same ones. A new version of a document replaces it: the earlier one is kept,
marked replaced, and stays downloadable by its address. The size limit is the
administrator's setting `document_max_mb` (default 25 MB a file).
"""
from __future__ import annotations

import hashlib

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

import clock
from accounts.models import get_setting
from audit.services import current_actor, record
from extensions import db
from procurement import bp
from procurement.access import procurement_for
from procurement.downloads import attachment
from procurement.notices import filetypes, queries, rules
from procurement.notices.forms import ActionForm, DocumentForm
from procurement.notices.models import TenderDocument
from procurement.states import tender_deadline_utc

UPLOAD_ENDPOINTS = {"procurement.documents_upload"}
FORM_ROOM = 1024 * 1024  # the form's other fields and the multipart framing


def max_bytes() -> int:
    try:
        mb = float(get_setting("document_max_mb") or 25)
    except ValueError:
        mb = 25.0
    return int(max(mb, 0.001) * 1024 * 1024)


def limit_uploads():
    """before_request, first of all (before the CSRF check reads the form): a document
    upload may be as large as the setting allows, other requests keep the app's limit."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        limit = max_bytes()
        request.max_content_length = limit + FORM_ROOM
        g.upload_limit = filetypes.size_text(limit)


def register(app) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, limit_uploads)


def _document(procurement, document_id: int) -> TenderDocument:
    doc = db.session.get(TenderDocument, document_id)
    if doc is None or doc.procurement_id != procurement.id:
        abort(404)
    return doc


def send_document(doc: TenderDocument, *, public: bool) -> Response:
    kind = filetypes.TYPES.get(doc.file_type)
    if kind is None or hashlib.sha256(doc.content).hexdigest() != doc.sha256:
        abort(409)
    return attachment(doc.content, filetypes.download_name(doc.filename, kind),
                      kind.content_type, public=public)


def _page(p, form, status=200):
    docs = list(db.session.execute(select(TenderDocument).where(
        TenderDocument.procurement_id == p.id).order_by(TenderDocument.uploaded_at,
                                                        TenderDocument.id)).scalars())
    current = [d for d in docs if d.current]
    form.replaces.choices = [(0, "No, it is a new document")] + [
        (d.id, f"Yes, it replaces “{d.title}” ({d.filename})") for d in current]
    return render_template(
        "notices/documents.html", p=p, form=form, docs=docs, current=current,
        public=queries.is_public(p), action_form=ActionForm(),
        limit=filetypes.size_text(max_bytes()), accepted=filetypes.ACCEPTED), status


@bp.route("/procurements/<reference>/documents")
def documents_page(reference):
    return _page(procurement_for(reference), DocumentForm())


@bp.route("/procurements/<reference>/documents", methods=["POST"])
def documents_upload(reference):
    p = procurement_for(reference)
    try:
        form = DocumentForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = DocumentForm(formdata=None)
        form.document.errors = [f"The file is larger than the {filetypes.size_text(max_bytes())} "
                                "allowed"]
        return _page(p, form, 400)
    upload = form.document.data
    data, filename = b"", ""
    if upload and hasattr(upload, "read"):
        try:
            data, filename = upload.read(), (upload.filename or "").strip()
        finally:
            upload.close()  # a large upload is spooled to a temporary file: let it go now
    problem = filetypes.document_refusal(filename, data, max_bytes())
    replaced = None
    if form.replaces.data:
        replaced = db.session.get(TenderDocument, form.replaces.data)
        if replaced is None or replaced.procurement_id != p.id or not replaced.current:
            form.replaces.errors = ["Choose a document that is uploaded and not replaced"]
    if not valid or problem or form.replaces.errors:
        if problem:
            form.document.errors = [problem]
        return _page(p, form, 400)
    kind = filetypes.sniff(data)
    now = clock.utcnow()
    doc = TenderDocument(procurement_id=p.id, title=form.title.data.strip(),
                         filename=filetypes.clean_filename(filename), file_type=kind.code,
                         content_type=kind.content_type, size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), content=data,
                         uploaded_at=now, uploaded_by=current_actor(),
                         replaces_id=replaced.id if replaced else None)
    db.session.add(doc)
    if replaced is not None:
        replaced.replaced_at = now
    db.session.flush()
    record("tender_document", f"{p.reference}/{doc.id}", "upload",
           {"replaces": replaced.id} if replaced else None,
           {"title": doc.title, "filename": doc.filename, "type": kind.code, "size": doc.size,
            "sha256": doc.sha256, "replaces": doc.replaces_id}, procurement_ref=p.reference)
    db.session.commit()
    flash(f"{doc.filename} was uploaded" + (f", replacing {replaced.filename}" if replaced else "")
          + ".", "success")
    if queries.is_public(p):
        warning = rules.late_change_warning(p.regime, tender_deadline_utc(p), now)
        if warning:
            flash(warning, "warning")
    return redirect(url_for("procurement.documents_page", reference=reference))


@bp.route("/procurements/<reference>/documents/<int:document_id>")
def document_download(reference, document_id):
    p = procurement_for(reference)
    return send_document(_document(p, document_id), public=False)


@bp.route("/procurements/<reference>/documents/<int:document_id>/remove", methods=["POST"])
def document_remove(reference, document_id):
    p = procurement_for(reference)
    doc = _document(p, document_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if queries.is_public(p):
        return render_template(
            "errors/error.html", title="Published documents stay",
            message="The procurement has a published notice, so its documents are public: "
                    "upload a new version to replace one instead."), 409
    record("tender_document", f"{p.reference}/{doc.id}", "remove",
           {"title": doc.title, "filename": doc.filename, "sha256": doc.sha256}, None,
           procurement_ref=p.reference)
    for later in db.session.execute(select(TenderDocument).where(
            TenderDocument.replaces_id == doc.id)).scalars():
        later.replaces_id = None
    if doc.current and doc.replaces_id is not None:  # the version it replaced is current again
        earlier = db.session.get(TenderDocument, doc.replaces_id)
        if earlier is not None:
            earlier.replaced_at = None
    db.session.delete(doc)
    db.session.commit()
    flash(f"{doc.filename} was removed.", "success")
    return redirect(url_for("procurement.documents_page", reference=reference))


@bp.route("/opportunities/<reference>/documents/<int:document_id>")
def public_document(reference, document_id):
    """A tender document, for anyone, once the procurement has a published notice."""
    p = procurement_for(reference)
    if not queries.is_public(p):
        abort(404)
    return send_document(_document(p, document_id), public=True)
