"""The decision pack and the letters of a large tender as background jobs (procurement.jobs).

Above JOB_DECISION_BIDS bids (decisions.letters.rules.is_large) the note's PDFs, the public
version's preview, the letters' zip and issuing the letters are each a job: the request
answers at once with a progress page, a worker draws the file (kept in the job's row, so any
web worker serves it) or issues the letters. Issuing is all or nothing (the letters, their
date and their audit records commit with the job's outcome) and never twice: a retried job
is not run again (procurement.jobs.execute), and a second job finds the letters issued
(decisions.letters.service.issue_letters(once=True)). At or below the size, each answers in
the request as before.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from decisions.letters import rules
from decisions.letters.document import render_letter
from decisions.letters.service import issue_letters, letters_zip, plan_letters
from decisions.note.builder import build_note_data
from decisions.note.pdf import render_note, render_pack
from extensions import db
from procurement.jobs import JobFailed, handler
from procurement.models import Bid, Lot, Procurement

NOTE_PDF, PACK_PDF, PUBLIC_PREVIEW = "decision_note_pdf", "decision_pack_pdf", "decision_public_pdf"
LETTERS_ZIP, LETTERS_ISSUE = "letters_zip", "letters_issue"
NOTE_KINDS = (NOTE_PDF, PACK_PDF, PUBLIC_PREVIEW)  # seen by the note's readers
LETTER_KINDS = (LETTERS_ZIP, LETTERS_ISSUE)  # seen by the officer
NO_LETTERS = "No bid has a result to write about yet."


def bid_count(procurement: Procurement) -> int:
    return db.session.scalar(select(func.count(Bid.id)).join(Lot, Bid.lot_id == Lot.id)
                             .where(Lot.procurement_id == procurement.id)) or 0


def is_large(procurement: Procurement) -> bool:
    return rules.is_large(bid_count(procurement), current_app.config["JOB_DECISION_BIDS"])


def _setup(job) -> Procurement:
    return db.session.get(Procurement, job.procurement_id)


def _note_pdf(job, progress, draw) -> dict:
    procurement = _setup(job)
    bids = bid_count(procurement)
    data = build_note_data(procurement)
    progress(read=bids, checked=bids)
    content = draw(data)
    db.session.rollback()  # building may create an empty note: a download writes nothing
    job.output = content
    progress(written=bids)
    return {"filename": job.params["filename"], "bytes": len(content)}


@handler(NOTE_PDF)
def note_pdf(job, progress) -> dict:
    return _note_pdf(job, progress, render_note)


@handler(PACK_PDF)
def pack_pdf(job, progress) -> dict:
    return _note_pdf(job, progress, render_pack)


@handler(PUBLIC_PREVIEW)
def public_preview(job, progress) -> dict:
    return _note_pdf(job, progress, lambda data: render_pack(data, public=True))


@handler(LETTERS_ZIP)
def letters_zip_job(job, progress) -> dict:
    procurement = _setup(job)
    planned = [x for x in plan_letters(procurement) if x.data]
    progress(read=len(planned), checked=len(planned))
    if not planned:
        raise JobFailed([{"message": NO_LETTERS}])
    items = []
    for done, x in enumerate(planned, 1):
        items.append((x.filename, render_letter(x.data)))
        if done % 10 == 0 or done == len(planned):
            progress(written=done)
    job.output = letters_zip(items)
    return {"filename": job.params["filename"], "letters": len(items),
            "bytes": len(job.output)}


@handler(LETTERS_ISSUE)
def letters_issue(job, progress) -> dict:
    """Every letter or none, once: the work commits with the job's outcome."""
    procurement = _setup(job)
    issued, refusal = issue_letters(procurement, progress=progress, once=True)
    if refusal:
        raise JobFailed([{"message": refusal}])
    return {"issued": len(issued), "already": not issued}
