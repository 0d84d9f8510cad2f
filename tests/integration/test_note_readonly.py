"""Issue 9, "A completed note is read-only", over HTTP with CSRF on.

- Once sign-off is complete, every change to the note or its annexes is refused (409), with
  a message, and changes nothing (records and audit trail alike); so is sending it again.
- A change needs a new version: the officer starts one (only of a signed-off note), edits,
  sends and has it signed again; the signed version stays downloadable and published.
- The public page, the public PDF, the list and `render --public` show the signed version
  (its frozen snapshot and pack), whatever the records say now; a tampered snapshot is not
  published.
"""
from __future__ import annotations

import hashlib
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from audit.chain import canonical
from audit.models import AuditRecord
from decisions.models import Annex, DecisionNote, DecisionNumber, NoteVersion
from evaluation.models import Consensus
from extensions import db
from tests.conftest import csrf_token
from tests.integration.readonly_fixtures import ORDER
from tests.integration.signing_fixtures import client_for
from tests.integration.test_decision_note_annexes import a_pdf, eia_data, upload
from tests.integration.test_decision_note_fixtures import (REF, SECRET, WINNER, fill_note,
                                                           make_tender, pdf_text)
from tests.integration.test_decision_note_page import form_data

NOTE = f"/procurements/{REF}/decision-note"
EIA_URL, DPIA_URL = f"{NOTE}/annexes/eia", f"{NOTE}/annexes/dpia"
PUBLIC, PUBLIC_PDF = f"/decisions/{REF}", f"/decisions/{REF}/public.pdf"
SIGNED_SUMMARY = f"The panel preferred {WINNER} over {SECRET} on quality."
EIA_TEXT = "Age research text"  # in eia_data's form
DPIA_TEXT = "Our DPIA as uploaded and signed"


@pytest.fixture()
def as_role(app, users):
    clients = {}

    def _client(role):
        if role not in clients:
            clients[role] = client_for(app, users[role].email)
        return clients[role]

    return _client


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": csrf_token(client, "/procurements"),
                                  **(data or {})})


def send(as_role):
    return post(as_role("officer"), f"{NOTE}/send")


def sign_all(as_role, comments: str = ""):
    for position, role in enumerate(ORDER, 1):
        resp = post(as_role(role), f"{NOTE}/sign", {"position": str(position),
                                                    "comments": comments})
        assert resp.status_code == 302, (role, resp.get_data(as_text=True))


def new_version(client):
    return post(client, f"{NOTE}/new-version")


def the_note() -> DecisionNote:
    db.session.expire_all()
    return db.session.execute(select(DecisionNote)).scalar_one()


def audit_count() -> int:
    """Records of the procurement's things (not the sign-ins the tests make on the way)."""
    return db.session.scalar(select(func.count()).select_from(AuditRecord)
                             .where(AuditRecord.entity != "user"))


def records() -> dict:
    """Everything a change to the note could touch, as plain values."""
    note = the_note()
    return {
        "note": canonical([note.state, note.decision_number, note.narrative, note.answers,
                           note.sensitive_phrases, note.marking, str(note.date_received),
                           str(note.updated_at)]),
        "annexes": sorted((a.kind, canonical(a.form), a.filename,
                           hashlib.sha256(a.pdf).hexdigest() if a.pdf else None)
                          for a in db.session.scalars(select(Annex))),
        "versions": [(v.version, v.state, v.pdf_sha256, v.snapshot_sha256,
                      [(s.position, str(s.signed_at), s.comments) for s in v.signoffs])
                     for v in db.session.scalars(select(NoteVersion).order_by(NoteVersion.version))],
        "numbers": db.session.scalar(select(func.count()).select_from(DecisionNumber)),
        "audit": audit_count(),
    }


@pytest.fixture()
def signed(app, users, as_role):
    """The reference tender's note with a structured EIA and an uploaded DPIA, signed off."""
    p = make_tender(users["officer"].organisation)
    fill_note(p)
    db.session.commit()
    officer = as_role("officer")
    assert officer.post(EIA_URL, data=eia_data(officer)).status_code == 302
    assert upload(officer, DPIA_URL, a_pdf(DPIA_TEXT), "dpia.pdf").status_code == 302
    assert send(as_role).status_code == 302
    sign_all(as_role, comments="Approved as recommended.")
    note = the_note()
    assert note.state == "completed" and note.current_version.state == "completed"
    return p


def public_text(client) -> str:
    resp = client.get(PUBLIC_PDF)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    return pdf_text(resp.data)


# --- 1. a completed note is read-only --------------------------------------------------------

CHANGES = {
    "note edit": lambda c: c.post(NOTE, data=form_data(c, n_summary="Changed after signing.")),
    "decision number": lambda c: c.post(f"{NOTE}/number",
                                        data={"csrf_token": csrf_token(c, NOTE)}),
    "annex form": lambda c: c.post(EIA_URL, data=eia_data(c, aims="Changed after signing.")),
    "annex upload": lambda c: upload(c, DPIA_URL, a_pdf("A different DPIA"), "other.pdf"),
    "annex upload over a form": lambda c: upload(c, EIA_URL, a_pdf("An EIA PDF"), "eia.pdf"),
    "remove upload": lambda c: c.post(f"{DPIA_URL}/remove-upload",
                                      data={"csrf_token": csrf_token(c, DPIA_URL)}),
    "annex delete": lambda c: c.post(f"{EIA_URL}/delete",
                                     data={"csrf_token": csrf_token(c, EIA_URL)}),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_completed_note_refuses_every_change_and_changes_nothing(as_role, signed, change):
    officer = as_role("officer")
    before = records()
    resp = CHANGES[change](officer)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409, html
    assert "The decision note is read-only" in html and "start a new version" in html
    assert records() == before


def test_a_completed_note_is_not_sent_again(as_role, signed):
    before = records()
    resp = send(as_role)
    assert resp.status_code == 409
    assert "signed off; it cannot be sent again" in resp.get_data(as_text=True)
    after = records()
    assert after["versions"] == before["versions"] and after["note"] == before["note"]
    assert after["audit"] == before["audit"] + 1  # the refusal, as every sign-off refusal
    assert db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())
                              ).first().action == "send_refused"


def test_the_note_page_is_read_only_with_a_new_version_button(as_role, signed):
    html = as_role("officer").get(NOTE).get_data(as_text=True)
    assert 'id="read-only"' in html and "Start a new version" in html
    assert "Save the decision note" not in html
    assert f'action="{NOTE}/new-version"' in html
    approver = as_role("commissioner").get(NOTE).get_data(as_text=True)
    assert 'id="read-only"' in approver and "Start a new version" not in approver
    annex_page = as_role("officer").get(EIA_URL).get_data(as_text=True)
    assert "read-only" in annex_page


def test_the_button_is_not_shown_before_completion(as_role, users):
    p = make_tender(users["officer"].organisation)
    fill_note(p)
    db.session.commit()
    assert "Start a new version" not in as_role("officer").get(NOTE).get_data(as_text=True)
    assert send(as_role).status_code == 302
    html = as_role("officer").get(NOTE).get_data(as_text=True)
    assert "Start a new version" not in html and "Save the decision note" in html


# --- 3. the public version is what was signed -----------------------------------------------

def _change_everything_live(p):
    """Edit the records behind the note directly, as no route may."""
    note = the_note()
    note.narrative = {**note.narrative, "summary": "A summary written after signing.",
                      "recommendation": "A recommendation written after signing."}
    note.sensitive_phrases = []
    note.decision_number = None
    p.title = "A title changed after signing"
    consensus = db.session.scalars(select(Consensus)).first()  # lot A, the winner's quality
    consensus.value = Decimal("50")
    for annex in note.annexes:
        if annex.kind == "EIA":
            annex.form = {**annex.form, "characteristics": {}}
        else:
            annex.pdf = a_pdf("A DPIA swapped in after signing")
    db.session.commit()


def test_public_page_and_pdf_keep_the_signed_text_after_a_live_edit(client, signed):
    assert SIGNED_SUMMARY.replace(SECRET, "[REDACTED]") in client.get(PUBLIC).get_data(
        as_text=True)
    signed_pdf = public_text(client)
    assert "97.00" in signed_pdf and EIA_TEXT in signed_pdf and DPIA_TEXT in signed_pdf
    assert "Approved as recommended." in signed_pdf

    _change_everything_live(signed)

    html = client.get(PUBLIC).get_data(as_text=True)
    assert "The panel preferred Victim Support over [REDACTED] on quality." in html
    assert "written after signing" not in html and SECRET not in html
    assert "changed after signing" not in html and "Re-commissioning of pan Staffordshire" in html
    text = public_text(client)
    assert text == signed_pdf  # the same public version, word for word
    assert "97.00" in text and "62.00" not in text
    assert "written after signing" not in text and SECRET not in text
    assert EIA_TEXT in text and DPIA_TEXT in text and "swapped in" not in text
    listing = client.get("/decisions").get_data(as_text=True)
    assert "changed after signing" not in listing and "Re-commissioning of pan" in listing
    assert f'href="{PUBLIC}"' in listing


def test_render_public_of_a_signed_note_is_the_signed_version(app, client, signed, tmp_path):
    signed_pdf = public_text(client)
    _change_everything_live(signed)
    out = tmp_path / "public.pdf"
    result = app.test_cli_runner().invoke(args=["decision-note", "render", REF, str(out),
                                                "--public"])
    assert result.exit_code == 0, result.output
    assert pdf_text(out.read_bytes()) == signed_pdf


def test_the_frozen_public_version_is_the_live_one_at_signing(as_role, client, signed):
    """Right after sign-off the records are the signed ones: the public version drawn from the
    frozen record (the DPIA's pages from the frozen pack) is the one drawn from the records."""
    officer = as_role("officer")
    preview = officer.get(f"{NOTE}/public-preview.pdf")
    assert pdf_text(preview.data) == public_text(client)


@pytest.mark.parametrize("layout", ["uploaded EIA, structured DPIA", "both uploaded",
                                    "no annexes"])
def test_public_version_from_the_frozen_pack_for_each_annex_layout(as_role, client, users,
                                                                   layout):
    p = make_tender(users["officer"].organisation)
    fill_note(p)
    db.session.commit()
    officer = as_role("officer")
    if layout != "no annexes":
        upload(officer, EIA_URL, a_pdf("An uploaded EIA, page one"), "eia.pdf")
    if layout == "both uploaded":
        upload(officer, DPIA_URL, a_pdf("An uploaded DPIA, page one"), "dpia.pdf")
    elif layout != "no annexes":
        from demo.note_sample import DPIA
        from audit.services import plain
        db.session.add(Annex(note_id=the_note().id, kind="DPIA", form=plain(DPIA)))
        db.session.commit()
    assert send(as_role).status_code == 302
    sign_all(as_role)
    live = pdf_text(officer.get(f"{NOTE}/public-preview.pdf").data)
    for annex in the_note().annexes:  # the live annexes go: the public version does not
        db.session.delete(annex)
    db.session.commit()
    assert public_text(client) == live


def test_a_tampered_snapshot_is_not_published(app, client, signed, tmp_path):
    version = the_note().current_version
    snapshot = dict(version.snapshot)
    snapshot["note"] = {**snapshot["note"],
                        "narrative": {**snapshot["note"]["narrative"], "summary": "Forged."}}
    version.snapshot = snapshot
    db.session.commit()
    for path in (PUBLIC, PUBLIC_PDF):
        resp = client.get(path)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 409, path
        assert "does not match its checksum" in html and "Forged." not in html
        assert "%PDF" not in html
    assert f'href="{PUBLIC}"' not in client.get("/decisions").get_data(as_text=True)
    out = tmp_path / "public.pdf"
    result = app.test_cli_runner().invoke(args=["decision-note", "render", REF, str(out),
                                                "--public"])
    assert result.exit_code == 1 and "does not match its SHA-256" in result.output
    assert not out.exists()


def test_a_tampered_pack_is_not_used_for_an_uploaded_annex(client, signed):
    version = the_note().current_version
    version.pdf = version.pdf + b"\n% appended"
    db.session.commit()
    assert client.get(PUBLIC).status_code == 200  # the page needs no pack
    resp = client.get(PUBLIC_PDF)
    assert resp.status_code == 409 and "does not match its checksum" in resp.get_data(
        as_text=True)


def test_a_pack_whose_pages_do_not_match_the_snapshot_is_not_used(client, signed):
    """A consistent hash is not enough: the uploaded DPIA's pages are found by the note's
    page count, checked against the pack's page footers."""
    version = the_note().current_version
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(version.pdf)).pages[1:]:  # the note's first page gone
        writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    version.pdf, version.pdf_sha256 = buf.getvalue(), hashlib.sha256(buf.getvalue()).hexdigest()
    db.session.commit()
    resp = client.get(PUBLIC_PDF)
    assert resp.status_code == 409 and "%PDF" not in resp.get_data(as_text=True)


# --- 2. a new version --------------------------------------------------------------------------

def test_a_new_version_is_edited_sent_and_signed_while_the_old_one_stays_published(
        as_role, client, signed):
    officer = as_role("officer")
    v1_pdf = the_note().current_version.pdf
    signed_public = public_text(client)
    audit_before = audit_count()

    resp = new_version(officer)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(NOTE)
    note = the_note()
    assert note.state == "draft" and [v.state for v in note.versions] == ["completed"]
    rec = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert audit_count() == audit_before + 1
    assert (rec.action, rec.actor, rec.before, rec.after["state"], rec.after["signed_version"]) \
        == ("new_version", "officer@example.org", {"state": "completed", "version": 1}, "draft", 1)

    page = officer.get(NOTE).get_data(as_text=True)
    assert "Save the decision note" in page and 'id="new-version-started"' in page
    assert "Start a new version" not in page

    # editing is allowed again: the note and its annexes
    resp = officer.post(NOTE, data=form_data(officer, n_summary="The revised summary."))
    assert resp.status_code == 302
    assert upload(officer, DPIA_URL, a_pdf("A revised DPIA"), "dpia2.pdf").status_code == 302
    assert the_note().narrative["summary"] == "The revised summary."

    # drafting: nothing is stale, nobody signs, the old version is still published
    signoff = officer.get(f"{NOTE}/sign-off").get_data(as_text=True)
    assert 'id="stale-banner"' not in signoff and "Send again" in signoff
    assert "Sign the decision note" not in as_role("originating_officer").get(
        f"{NOTE}/sign-off").get_data(as_text=True)
    resp = post(as_role("originating_officer"), f"{NOTE}/sign", {"position": "1"})
    assert resp.status_code == 409
    assert public_text(client) == signed_public
    assert "The revised summary." not in client.get(PUBLIC).get_data(as_text=True)
    v1 = officer.get(f"{NOTE}/versions/1.pdf")
    assert v1.status_code == 200 and v1.data == v1_pdf

    # sent again: version 2 awaits signature, version 1 stays completed and published
    assert send(as_role).status_code == 302
    note = the_note()
    assert note.state == "sent" and [(v.version, v.state) for v in note.versions] == [
        (1, "completed"), (2, "sent")]
    assert public_text(client) == signed_public
    assert as_role("officer").get(f"{NOTE}/versions/1.pdf").data == v1_pdf

    # signed: version 2 is the published one now
    sign_all(as_role)
    note = the_note()
    assert note.state == "completed"
    assert [(v.version, v.state) for v in note.versions] == [(1, "completed"), (2, "completed")]
    assert "The revised summary." in client.get(PUBLIC).get_data(as_text=True)
    text = public_text(client)
    assert "The revised summary." in text and "A revised DPIA" in text
    assert DPIA_TEXT not in text
    assert officer.get(f"{NOTE}/versions/1.pdf").data == v1_pdf
    assert officer.post(NOTE, data=form_data(officer, n_summary="Again.")).status_code == 409


def test_the_old_version_stays_published_when_the_new_one_goes_stale(as_role, client, signed):
    signed_public = public_text(client)
    assert new_version(as_role("officer")).status_code == 302
    assert send(as_role).status_code == 302
    consensus = db.session.scalars(select(Consensus)).first()
    consensus.value = Decimal("50")
    db.session.commit()
    signoff = as_role("officer").get(f"{NOTE}/sign-off").get_data(as_text=True)
    assert 'id="stale-banner"' in signoff and "must send it again" in signoff
    assert public_text(client) == signed_public


def test_only_an_officer_starts_a_new_version(as_role, signed):
    before = records()
    for role in ("commissioner", "chief_executive", "evaluator", "supplier", "admin"):
        refused = 404 if role == "supplier" else 403  # another organisation: not told it exists
        assert new_version(as_role(role)).status_code == refused, role
    assert records() == before


def test_an_officer_of_another_organisation_is_refused(app, as_role, signed):
    from accounts.models import Organisation, User
    from tests.conftest import _password_hash

    other = Organisation(name="Another Office", kind="buyer", decision_prefix="OTH")
    db.session.add(other)
    db.session.add(User(email="other-officer@example.org", name="Other Officer",
                        roles="officer", organisation=other, password_hash=_password_hash()))
    db.session.commit()
    before = records()
    assert new_version(client_for(app, "other-officer@example.org")).status_code == 404
    assert records() == before


def test_a_new_version_needs_csrf(as_role, signed):
    before = records()
    assert as_role("officer").post(f"{NOTE}/new-version").status_code == 400
    assert records() == before


def test_a_new_version_of_a_note_not_signed_off_is_refused(as_role, users):
    p = make_tender(users["officer"].organisation)
    fill_note(p)
    db.session.commit()
    officer = as_role("officer")
    resp = new_version(officer)  # a draft
    assert resp.status_code == 409 and "only from a signed-off" in resp.get_data(as_text=True)
    assert the_note().state == "draft" and not the_note().versions
    assert send(as_role).status_code == 302
    resp = new_version(officer)  # awaiting signature
    assert resp.status_code == 409
    note = the_note()
    assert note.state == "sent" and [v.state for v in note.versions] == ["sent"]
    rec = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert (rec.action, rec.after["reason"]) == ("new_version_refused", "not_open")


def test_a_second_new_version_while_drafting_is_refused(as_role, signed):
    officer = as_role("officer")
    assert new_version(officer).status_code == 302
    assert new_version(officer).status_code == 409
    assert the_note().state == "draft"
