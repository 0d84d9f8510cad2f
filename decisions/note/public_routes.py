"""Published decision notes, for everyone (no login): the redacted public version only.

A note is published once it is signed (state "completed") and, when its publication is
deferred, from the deferral date on. Before that date the page and the PDF answer 403 and
say when the note will be published.
"""
from __future__ import annotations

from datetime import date

from flask import abort, render_template
from sqlalchemy import select

from decisions import bp
import clock
from decisions.letters.service import note_of
from decisions.models import DecisionNote
from decisions.note.builder import decision_pack
from decisions.pdf_common import Writer, long_date
from decisions.responses import pdf_response, refuse
from procurement.access import procurement_for
from extensions import db
from procurement.models import Procurement


def deferred_until(note: DecisionNote) -> date | None:
    answers = note.answers or {}
    if not answers.get("deferral"):
        return None
    until = answers.get("deferral_until")
    return date.fromisoformat(until) if until else date.max


def is_published(note: DecisionNote | None, on: date | None = None) -> bool:
    if note is None or note.state != "completed":
        return False
    until = deferred_until(note)
    return until is None or (on or clock.today()) >= until


def _published_or_refusal(reference: str):
    """(procurement, note, None) when published, else (None, None, the refusal response)."""
    p = procurement_for(reference)
    note = note_of(p)
    if note is None or note.state != "completed":
        abort(404)
    until = deferred_until(note)
    if until is not None and clock.today() < until:
        when = ("on a date not yet set" if until == date.max else f"on {long_date(until)}")
        return None, None, refuse(403, "This decision note is not published yet",
                                  f"This decision note will be published {when}.")
    return p, note, None


def _signed_on(note: DecisionNote) -> date | None:
    version = note.current_version
    when = version.completed_at if version is not None else None
    return when.date() if when else None


@bp.route("/decisions")
def public_index():
    rows = db.session.execute(
        select(DecisionNote, Procurement).join(Procurement, DecisionNote.procurement_id == Procurement.id)
        .where(DecisionNote.state == "completed")).all()
    today = clock.today()
    notes = [(note, p, _signed_on(note)) for note, p in rows if is_published(note, today)]
    notes.sort(key=lambda x: (x[2] or date.min, x[0].decision_number or ""), reverse=True)
    return render_template("decisions/public_list.html", notes=notes)


@bp.route("/decisions/<reference>")
def public_note(reference):
    p, note, refusal = _published_or_refusal(reference)
    if refusal:
        return refusal
    w = Writer(note.sensitive_phrases or [], public=True)
    narrative = note.narrative or {}
    return render_template(
        "decisions/public_note.html", p=p, note=note, signed_on=_signed_on(note),
        decision_maker=w.redact(narrative.get("decision_maker") or p.organisation.name),
        note_title=w.redact(p.title), summary=w.redact(narrative.get("summary", "")),
        recommendation=w.redact(narrative.get("recommendation", "")))


@bp.route("/decisions/<reference>/public.pdf")
def public_note_pdf(reference):
    p, note, refusal = _published_or_refusal(reference)
    if refusal:
        return refusal
    content = decision_pack(p, public=True)
    db.session.rollback()
    stem = (note.decision_number or p.reference).replace("/", "-")
    return pdf_response(content, f"{stem} decision note (public).pdf", private=False)
