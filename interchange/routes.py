"""The officer's workbook download and the panel's score upload, through the browser."""
from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask_login import current_user

from evaluation.web import FormErrors, done
from procurement.access import procurement_for
from extensions import db
from interchange import bp, uploads


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text)


@bp.route("/evaluation/<reference>/workbook.xlsx")
def workbook(reference):
    """The whole procurement as the contract's workbook (it carries every individual score,
    so only the officer may download it)."""
    procurement = procurement_for(reference)
    data = uploads.workbook_bytes(procurement)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet", headers={
                        "Content-Disposition": f'attachment; filename="{_safe(reference)}.xlsx"'})


@bp.route("/evaluation/<reference>/upload", methods=["GET", "POST"])
def upload(reference):
    """Upload a panel's filled-in Scores and Consensus sheets: all rows or none."""
    procurement = procurement_for(reference)
    errors: list = []
    if request.method == "POST":
        file = request.files.get("workbook")
        if file is None or not file.filename:
            errors = [uploads.UploadError("", None, None, "Select a workbook (.xlsx) to upload")]
        elif not file.filename.lower().endswith(".xlsx"):
            errors = [uploads.UploadError("", None, None, "The file must be an Excel workbook (.xlsx)")]
        else:
            counts, errors = uploads.apply_upload(procurement, file.stream, current_user.id)
            if not errors:
                db.session.commit()
                return done(f"Uploaded {counts['scores']} individual score"
                            f"{'s' if counts['scores'] != 1 else ''} and {counts['consensus']} "
                            f"consensus score{'s' if counts['consensus'] != 1 else ''}.",
                            url_for("evaluation.overview", reference=reference))
            db.session.rollback()
    form = FormErrors({"workbook": "x"} if errors else None)
    return render_template("evaluation/upload.html", p=procurement, errors=errors, form=form,
                           status=(400 if errors else 200)), (400 if errors else 200)
