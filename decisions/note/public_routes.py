"""Published decision notes, for everyone (no login): the redacted public version only.

A note is published once a version of it is signed (state "completed") and, when its
publication is deferred, from the deferral date on. Before that date the page and the PDF
answer 403 and say when the note will be published.

What is published is the latest signed version as it was signed (`decisions.note.published`):
drawn from its frozen snapshot, never from the live note, which may have been taken back
to drafting as a new version and changed since. A version whose frozen record does not
match its hashes is not published: the page says so (409) instead.
"""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, render_template
from markupsafe import Markup
from sqlalchemy import func, select

from decisions import bp
import clock
from decisions.letters.service import note_of
from decisions.models import DecisionNote, NoteVersion
from decisions.note.published import (FrozenRecordError, deferred_until, public_pack,
                                      published_version, signed_note_data)
from decisions.pdf_common import Writer, long_date
from decisions.responses import pdf_response, refuse
from procurement.access import find_procurement, procurement_for
from procurement.conditional import conditional
from extensions import db


def is_published(data, on: date | None = None) -> bool:
    """Whether the signed note `data` (NoteData) is public on `on` (default today)."""
    until = deferred_until(data)
    return until is None or (on or clock.today()) >= until


def _signed_on(version: NoteVersion) -> date | None:
    return version.completed_at.date() if version.completed_at else None


def _not_published(reference: str, version: NoteVersion, err: FrozenRecordError):
    current_app.logger.error("Not publishing %s version %s: %s", reference, version.version, err)
    return refuse(409, "This decision note cannot be shown",
                  "The signed record of this decision note does not match its checksum, so it "
                  "is not published.")


def _published_or_refusal(reference: str):
    """(procurement, version, data, None) when published, else (…, the refusal response)."""
    p = procurement_for(reference)
    version = published_version(note_of(p))
    if version is None:
        abort(404)
    try:
        data = signed_note_data(version)
    except FrozenRecordError as err:
        return None, None, None, _not_published(reference, version, err)
    until = deferred_until(data)
    if until is not None and clock.today() < until:
        when = ("on a date not yet set" if until == date.max else f"on {long_date(until)}")
        return None, None, None, refuse(403, "This decision note is not published yet",
                                        f"This decision note will be published {when}.")
    return p, version, data, None


def _signed_decisions(**_kwargs):
    """What /decisions shows changes with the versions signed (and deferrals end by the day,
    which the minute in the ETag covers)."""
    count, last, top = db.session.execute(select(
        func.count(NoteVersion.id), func.max(NoteVersion.completed_at), func.max(NoteVersion.id))
        .where(NoteVersion.state == "completed")).one()
    return (count, last, top), last


def _signed_decision(reference: str, **_kwargs):
    p = find_procurement(reference)
    if p is None:
        return None
    found = db.session.execute(select(
        func.count(NoteVersion.id), func.max(NoteVersion.completed_at), func.max(NoteVersion.id))
        .join(DecisionNote, NoteVersion.note_id == DecisionNote.id)
        .where(DecisionNote.procurement_id == p.id, NoteVersion.state == "completed")).one()
    if not found[0]:
        return None  # not published: its page says why, in full
    return (p.id, tuple(found)), found[1]


@bp.route("/decisions")
@conditional(_signed_decisions)
def public_index():
    rows = db.session.execute(select(DecisionNote).where(
        DecisionNote.versions.any(NoteVersion.state == "completed"))).scalars().all()
    today, notes = clock.today(), []
    for note in rows:
        version = published_version(note)
        try:
            data = signed_note_data(version)
        except FrozenRecordError:
            continue  # not published: its own page says why
        if is_published(data, today):
            w = Writer(data.sensitive_phrases or [], public=True)
            notes.append({"reference": note.procurement.reference, "number": data.decision_number,
                          "title": w.redact(data.title),
                          "decision_maker": w.redact(data.decision_maker),
                          "signed_on": _signed_on(version)})
    notes.sort(key=lambda n: (n["signed_on"] or date.min, n["number"] or ""), reverse=True)
    return render_template("decisions/public_list.html", notes=notes)


@bp.route("/decisions/<reference>")
@conditional(_signed_decision)
def public_note(reference):
    p, version, data, refusal = _published_or_refusal(reference)
    if refusal:
        return refusal
    w = Writer(data.sensitive_phrases or [], public=True)
    from decisions.forms import NARRATIVE_FIELDS
    from decisions.markup import narrative_html

    def md(key_or_text, default: str = "") -> Markup:
        """A narrative section (by key) or text, redacted then rendered from its markup."""
        text = data.narrative.get(key_or_text) if key_or_text in data.narrative else None
        return Markup(narrative_html(w.redact(text if text is not None else default)))

    return render_template(
        "decisions/public_note.html", p=p, d=data, decision_number=data.decision_number,
        relates_to=data.relates_to, signed_on=_signed_on(version),
        decision_maker=w.redact(data.decision_maker), note_title=w.redact(data.title),
        r=w.redact, md=md, labels={k: label for k, label, _h in NARRATIVE_FIELDS},
        pdf_name=_pdf_name(p, data), signed_by=[s for s in data.signers_in_order() if s.name])


def _pdf_name(p, data) -> str:
    stem = (data.decision_number or p.reference).replace("/", "-")
    return f"{stem} decision note (public).pdf"


@bp.route("/decisions/<reference>/public.pdf")
def public_note_pdf(reference):
    p, version, data, refusal = _published_or_refusal(reference)
    if refusal:
        return refusal
    try:
        content = public_pack(version, data)
    except FrozenRecordError as err:
        return _not_published(reference, version, err)
    return pdf_response(content, _pdf_name(p, data), private=False)
