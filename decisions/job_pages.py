"""The pages of a decision job (decisions.jobs): its progress, its JSON status, its file.

A job is seen with the grants of the act that started it, within its own procurement: the
note's PDFs by the note's readers (decisions.note_job_*), the letters' jobs by the officer
(decisions.letters_job_*). Any other procurement's URL, or a job of the other family,
answers 404.
"""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from decisions import bp
from decisions import jobs as decision_jobs
from procurement import jobs
from procurement.access import procurement_for
from procurement.downloads import attachment

TITLES = {decision_jobs.NOTE_PDF: "Preparing the decision note (PDF)",
          decision_jobs.PACK_PDF: "Preparing the decision pack (PDF)",
          decision_jobs.PUBLIC_PREVIEW: "Preparing the public version preview (PDF)",
          decision_jobs.LETTERS_ZIP: "Preparing every letter (zip)",
          decision_jobs.LETTERS_ISSUE: "Issuing the letters"}
NOTE, LETTERS = "note", "letters"  # the two families, each with its own grants
KINDS = {NOTE: decision_jobs.NOTE_KINDS, LETTERS: decision_jobs.LETTER_KINDS}


def start(kind: str, procurement, filename: str | None = None):
    """Queue the job and answer at once: 303 to its progress page."""
    job = jobs.start(kind, procurement_id=procurement.id, user_id=current_user.id,
                     params={"total": decision_jobs.bid_count(procurement),
                             **({"filename": filename} if filename else {})})
    return redirect(_page_url(procurement.reference, job), 303)


def _family(kind: str) -> str:
    return NOTE if kind in decision_jobs.NOTE_KINDS else LETTERS


def _page_url(reference: str, job) -> str:
    return url_for(f"decisions.{_family(job.kind)}_job_page", reference=reference,
                   job_id=job.id)


def _job(reference: str, job_id: str, family: str):
    procurement = procurement_for(reference)
    job = jobs.job_of(procurement.id, job_id) if len(job_id) == 32 else None
    if job is None or job.kind not in KINDS[family]:
        abort(404)
    return procurement, job


def _view(p, job) -> dict:
    """What the shared progress page (templates/job.html) shows for this kind of job."""
    ref, family = p.reference, _family(job.kind)
    view = {"title": TITLES[job.kind],
            "status_url": url_for(f"decisions.{family}_job_status", reference=ref,
                                  job_id=job.id)}
    if family == NOTE:
        view.update(back_url=url_for("decisions.note_page", reference=ref),
                    back_label="Back to the decision note",
                    failed_title="There is a problem: the PDF was not made")
    else:
        view.update(back_url=url_for("decisions.letters_page", reference=ref),
                    back_label="Back to the letters",
                    failed_title="There is a problem: no letter was issued"
                    if job.kind == decision_jobs.LETTERS_ISSUE
                    else "There is a problem: the letters were not drawn")
    result = job.result or {}
    if job.kind == decision_jobs.LETTERS_ISSUE:
        view["done_text"] = (
            "These letters had been issued already: none was issued again."
            if result.get("already") else
            f"{result.get('issued', 0)} letter{'s' if result.get('issued') != 1 else ''} issued.")
    elif job.state == jobs.DONE:
        view.update(download_url=url_for(f"decisions.{family}_job_output", reference=ref,
                                         job_id=job.id),
                    download_label=f"Download {result.get('filename', 'the file')}")
    return view


def _page(reference: str, job_id: str, family: str):
    p, job = _job(reference, job_id, family)
    return render_template("job.html", p=p, job=job, view=_view(p, job),
                           status=jobs.status(job, _page_url(reference, job)))


def _status(reference: str, job_id: str, family: str):
    _p, job = _job(reference, job_id, family)
    return jobs.status_response(job, _page_url(reference, job))


def _output(reference: str, job_id: str, family: str):
    _p, job = _job(reference, job_id, family)
    if job.state != jobs.DONE or job.kind == decision_jobs.LETTERS_ISSUE or not job.output:
        abort(404)
    filename = (job.result or {}).get("filename") or "download"
    mimetype = ("application/zip" if job.kind == decision_jobs.LETTERS_ZIP
                else "application/pdf")
    return attachment(job.output, filename, mimetype)


@bp.route("/procurements/<reference>/decision-note/jobs/<job_id>")
def note_job_page(reference, job_id):
    return _page(reference, job_id, NOTE)


@bp.route("/procurements/<reference>/decision-note/jobs/<job_id>/status.json")
def note_job_status(reference, job_id):
    return _status(reference, job_id, NOTE)


@bp.route("/procurements/<reference>/decision-note/jobs/<job_id>/download")
def note_job_output(reference, job_id):
    return _output(reference, job_id, NOTE)


@bp.route("/procurements/<reference>/letters/jobs/<job_id>")
def letters_job_page(reference, job_id):
    return _page(reference, job_id, LETTERS)


@bp.route("/procurements/<reference>/letters/jobs/<job_id>/status.json")
def letters_job_status(reference, job_id):
    return _status(reference, job_id, LETTERS)


@bp.route("/procurements/<reference>/letters/jobs/<job_id>/letters.zip")
def letters_job_output(reference, job_id):
    return _output(reference, job_id, LETTERS)
