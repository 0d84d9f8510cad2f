"""How the decision note names the evaluation model's sections (issue 16, point 9): the
officer's page, its guards, and the same sentence in the note's pages and PDFs."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

import clock
from accounts.models import Organisation, User
from audit.models import AuditRecord
from decisions.models import DecisionNote
from evaluation.models import SectionDescription
from extensions import db
from tests.conftest import _password_hash
from tests.integration.readonly_fixtures import sign_off_note
from tests.integration.test_decision_note_fixtures import (REF, fill_note, make_tender,
                                                           pdf_text, tender)  # noqa: F401
from tests.integration.test_evaluation_fixtures import client_for, post

PAGE = f"/procurements/{REF}/decision-note/sections"
VFM = "a written Quality submission\na Value for Money submission"
GOOD = {"description-0": VFM, "description-1": " an Interview process "}
SENTENCE = ("Assessment of bids was undertaken through a written Quality submission, "
            "a Value for Money submission and an Interview process.")


def _rows() -> dict[str, str]:
    db.session.expire_all()
    return {r.section: r.description for r in db.session.execute(select(SectionDescription)).scalars()}


def test_the_officer_describes_the_sections_and_the_note_says_it(app, tender, users):  # noqa: F811
    officer = client_for(app, users["officer"])
    html = officer.get(PAGE).get_data(as_text=True)
    assert "How the note names Value for Money" in html and "How the note names Presentation" in html
    assert "through Value for Money and Presentation." in html  # the names until described
    resp = post(officer, PAGE, GOOD)
    assert resp.status_code == 303
    assert "Section descriptions saved." in officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert _rows() == {"Value for Money": VFM, "Presentation": "an Interview process"}
    audits = db.session.execute(select(AuditRecord).where(
        AuditRecord.entity == "section_description")).scalars().all()
    assert sorted(a.action for a in audits) == ["set", "set"]
    assert SENTENCE in officer.get(f"/procurements/{REF}/decision-note").get_data(as_text=True)
    assert SENTENCE in pdf_text(officer.get(f"/procurements/{REF}/decision-note/note.pdf").data)
    # the same again changes nothing; emptied, a section is named by its name again
    assert post(officer, PAGE, GOOD).status_code == 303
    assert len(db.session.execute(select(AuditRecord).where(
        AuditRecord.entity == "section_description")).scalars().all()) == 2
    assert post(officer, PAGE, {**GOOD, "description-1": ""}).status_code == 303
    assert _rows() == {"Value for Money": VFM}
    assert ("a Value for Money submission and Presentation." in
            officer.get(PAGE).get_data(as_text=True))


@pytest.mark.parametrize("text, words", [("x" * 301, "Value for Money: Description must be 300 characters"),
                                         ("an interview.", "without a full stop")])
def test_a_bad_description_is_refused_and_nothing_saved(app, tender, users, text, words):  # noqa: F811
    officer = client_for(app, users["officer"])
    resp = post(officer, PAGE, {**GOOD, "description-0": text})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and words in html and 'href="#description-0"' in html
    assert _rows() == {}


def test_only_the_officer_of_the_procurement(app, tender, users):  # noqa: F811
    for role in ("evaluator", "finance", "chief_executive", "monitoring_officer", "commissioner"):
        c = client_for(app, users[role])
        assert c.get(PAGE).status_code == 403, role
        assert post(c, PAGE, GOOD).status_code == 403, role
    other = Organisation(name="Elsewhere Fire Authority", kind="buyer")
    stranger = User(email="officer@elsewhere.example.org", name="Other Officer", roles="officer",
                    organisation=other, password_hash=_password_hash())
    db.session.add_all([other, stranger])
    db.session.commit()
    c = client_for(app, stranger)
    resp = c.get(PAGE)
    assert resp.status_code == 404 and "Value for Money" not in resp.get_data(as_text=True)
    assert post(c, PAGE, GOOD).status_code == 404
    signed_out = app.test_client()
    assert signed_out.get(PAGE).status_code == 302
    assert signed_out.post(PAGE, data=GOOD).status_code in (302, 400)
    assert _rows() == {}


def test_without_a_csrf_token_nothing_is_saved(app, tender, users):  # noqa: F811
    officer = client_for(app, users["officer"])
    assert officer.post(PAGE, data=GOOD).status_code == 400
    assert _rows() == {}


def test_refused_once_the_note_is_signed_off(app, users):
    p = make_tender(users["officer"].organisation)
    fill_note(p)
    db.session.commit()
    sign_off_note(p, users)
    officer = client_for(app, users["officer"])
    resp = post(officer, PAGE, GOOD)
    assert resp.status_code == 409 and "read-only" in resp.get_data(as_text=True)
    assert _rows() == {}


def test_the_public_page_says_the_descriptions_as_signed(app, client, users, monkeypatch):
    p = make_tender(users["officer"].organisation)
    note = fill_note(p)
    note.decision_number = "TST/D/202324/007"
    for section, text in (("Value for Money", VFM), ("Presentation", "an Interview process")):
        db.session.add(SectionDescription(procurement_id=p.id, section=section, description=text))
    db.session.commit()
    sign_off_note(p, users)
    monkeypatch.setattr(clock, "today", lambda: date(2024, 1, 1))
    html = client.get(f"/decisions/{REF}").get_data(as_text=True)
    assert SENTENCE in html
    assert SENTENCE in pdf_text(client.get(f"/decisions/{REF}/public.pdf").data)
    assert db.session.execute(select(DecisionNote)).scalar_one().state == "completed"
