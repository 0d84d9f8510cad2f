"""The officer's workbook download and the panel's score upload, through the browser."""
from __future__ import annotations

import io

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from evaluation.web import FormErrors, done
from procurement import jobs
from procurement.access import procurement_for
from procurement.downloads import attachment
from extensions import db
from interchange import bp, jobs as workbook_jobs, uploads
from interchange.workbook_limits import container_problem, limits_from_config

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/evaluation/<reference>/workbook.xlsx")
def workbook(reference):
    """The whole procurement as the contract's workbook (it carries every individual score,
    so only the officer may download it)."""
    procurement = procurement_for(reference)
    if workbook_jobs.score_rows(procurement) > current_app.config["JOB_EXPORT_SCORES"]:
        job = jobs.start(workbook_jobs.EXPORT, procurement_id=procurement.id,
                         user_id=current_user.id)
        return redirect(url_for("interchange.job_page", reference=reference, job_id=job.id))
    return attachment(uploads.workbook_bytes(procurement), f"{reference}.xlsx", XLSX)


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
        elif (request.content_length or 0) > current_app.config["JOB_UPLOAD_BYTES"]:
            # a large workbook: its container is bounded here, at once (a bomb is refused
            # before it is queued); its rows are checked and written by a worker, with a page
            # that follows it
            payload = file.stream.read()
            problem = container_problem(io.BytesIO(payload), limits_from_config(current_app.config))
            if problem:
                errors = [uploads.UploadError("", None, None, problem)]
            else:
                job = jobs.start(workbook_jobs.UPLOAD, procurement_id=procurement.id,
                                 user_id=current_user.id,
                                 params={"moderator_id": current_user.id}, payload=payload)
                return redirect(url_for("interchange.job_page", reference=reference,
                                        job_id=job.id))
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


def _job(reference: str, job_id: str):
    procurement = procurement_for(reference)
    job = jobs.job_of(procurement.id, job_id) if len(job_id) == 32 else None
    if job is None:
        abort(404)
    return procurement, job


def job_status(reference: str, job) -> dict:
    return jobs.status(job, url_for("interchange.job_page", reference=reference, job_id=job.id))


def _view(reference: str, job) -> dict:
    """What the shared progress page (templates/job.html) shows for a workbook job."""
    result = job.result or {}
    view = {"title": ("Uploading a panel's scores" if job.kind == workbook_jobs.UPLOAD
                      else "Preparing the workbook"),
            "back_url": url_for("evaluation.overview", reference=reference),
            "back_label": "Back to the evaluation",
            "status_url": url_for("interchange.job_status_json", reference=reference,
                                  job_id=job.id),
            "failed_title": "There is a problem: nothing was uploaded"}
    if job.kind == workbook_jobs.UPLOAD:
        view.update(retry_url=url_for("interchange.upload", reference=reference),
                    retry_label="Upload a corrected workbook")
    if job.state == jobs.DONE and job.kind == workbook_jobs.UPLOAD:
        scores, consensus = result.get("scores"), result.get("consensus")
        view["done_text"] = (f"Uploaded {scores} individual score{'s' if scores != 1 else ''} "
                             f"and {consensus} consensus score{'s' if consensus != 1 else ''}.")
    elif job.state == jobs.DONE and job.kind == workbook_jobs.EXPORT:
        view.update(download_url=url_for("interchange.job_output", reference=reference,
                                         job_id=job.id),
                    download_label="Download the workbook (.xlsx)",
                    download_note=f" ({result.get('scores')} individual scores).")
    return view


@bp.route("/evaluation/<reference>/jobs/<job_id>")
def job_page(reference, job_id):
    """A job's progress: updates itself (static/js/job-progress.js polls the status), or
    with the refresh link; ends with the result or the errors by sheet, row and column."""
    procurement, job = _job(reference, job_id)
    return render_template("job.html", p=procurement, job=job, view=_view(reference, job),
                           status=job_status(reference, job))


@bp.route("/evaluation/<reference>/jobs/<job_id>/status.json")
def job_status_json(reference, job_id):
    _procurement, job = _job(reference, job_id)
    return jobs.status_response(
        job, url_for("interchange.job_page", reference=reference, job_id=job.id))


@bp.route("/evaluation/<reference>/jobs/<job_id>/workbook.xlsx")
def job_output(reference, job_id):
    _procurement, job = _job(reference, job_id)
    if job.kind != workbook_jobs.EXPORT or job.state != jobs.DONE or not job.output:
        abort(404)
    return attachment(job.output, f"{reference}.xlsx", XLSX)
