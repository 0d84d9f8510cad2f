"""The decision note page over HTTP: who may read and edit it, saving with an audit record,
dates and answers refused with clear messages, the stale warning, the PDF downloads."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.models import AuditRecord
from decisions.models import DecisionNote
from decisions.forms import NARRATIVE_FIELDS, QUESTIONS
from extensions import db
from tests.conftest import csrf_token
from tests.integration.test_decision_note_fixtures import REF, SECRET, WINNER, pdf_text, tender  # noqa: F401

PAGE = f"/procurements/{REF}/decision-note"
APPROVERS = ("originating_officer", "chief_executive", "monitoring_officer", "s151_officer",
             "commissioner")


def form_data(client, **overrides) -> dict:
    """Every field as the page would post it, from the note as saved, with overrides."""
    note = db.session.execute(select(DecisionNote)).scalar_one()
    data = {"csrf_token": csrf_token(client, PAGE), "marking": note.marking,
            "sensitive_phrases": "\n".join(note.sensitive_phrases)}
    for key, _label, _hint in NARRATIVE_FIELDS:
        data[f"n_{key}"] = note.narrative.get(key, "")
    for key, _q, _m, default in QUESTIONS:
        data[f"a_{key}"] = "yes" if note.answers.get(key, default) else "no"
    for prefix in ("deferral", "received"):
        for part in ("day", "month", "year"):
            data[f"{prefix}_{part}"] = ""
    data.update(overrides)
    return data


def note_row() -> DecisionNote:
    db.session.expire_all()
    return db.session.execute(select(DecisionNote)).scalar_one()


# --- who may see it -------------------------------------------------------------------------

def test_officer_sees_the_editable_page(client, login_as, tender):
    login_as("officer")
    resp = client.get(PAGE)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'name="csrf_token"' in html and "Save the decision note" in html
    for key, label, _hint in NARRATIVE_FIELDS:  # every narrative section has a labelled box
        assert f'for="n_{key}"' in html and f'id="n_{key}"' in html
    for key, *_ in QUESTIONS:
        assert f'name="a_{key}"' in html
    assert 'id="deferral_day"' in html and 'for="deferral_day"' in html
    assert "Policing, Crime" in html  # relates to, from the procurement
    assert "Not assigned yet" in html and "Assign decision number" in html
    assert "OFFICIAL-SENSITIVE" in html


@pytest.mark.parametrize("role", APPROVERS)
def test_approvers_read_and_download_but_do_not_edit(client, login_as, tender, role):
    login_as(role)
    resp = client.get(PAGE)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Save the decision note" not in html and "Assign decision number" not in html
    assert f"The panel preferred {WINNER}" in html
    assert client.get(f"{PAGE}/note.pdf").status_code == 200
    assert client.get(f"{PAGE}/pack.pdf").status_code == 200
    token = csrf_token(client, PAGE)
    before = note_row().narrative
    assert client.post(PAGE, data={"csrf_token": token, "n_summary": "x"}).status_code == 403
    assert client.post(f"{PAGE}/number", data={"csrf_token": token}).status_code == 403
    assert note_row().narrative == before and note_row().decision_number is None


@pytest.mark.parametrize("role", ("evaluator", "supplier", "finance", "admin"))
def test_other_roles_are_refused(client, login_as, tender, role):
    login_as(role)
    for path in (PAGE, f"{PAGE}/note.pdf", f"{PAGE}/pack.pdf", f"{PAGE}/public-preview.pdf",
                 f"{PAGE}/annexes/eia", f"{PAGE}/annexes/dpia"):
        assert client.get(path).status_code == (404 if role == "supplier" else 403), path
    token = csrf_token(client, PAGE)
    assert client.post(PAGE, data={"csrf_token": token}).status_code == (404 if role == "supplier" else 403)
    assert client.post(f"{PAGE}/number", data={"csrf_token": token}).status_code == (404 if role == "supplier" else 403)


def test_anonymous_is_sent_to_sign_in(client, tender):
    for path in (PAGE, f"{PAGE}/note.pdf", f"{PAGE}/pack.pdf", f"{PAGE}/public-preview.pdf"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path
    assert client.post(f"{PAGE}/number").status_code in (302, 400)
    assert note_row().decision_number is None


def test_unknown_reference_is_404(client, login_as, tender):
    login_as("officer")
    assert client.get("/procurements/NOPE/decision-note").status_code == 404
    assert client.get("/procurements/NOPE/decision-note/note.pdf").status_code == 404


def test_page_before_any_note_exists_writes_nothing(client, login_as, users):
    from tests.integration.test_decision_note_fixtures import make_tender
    make_tender(users["officer"].organisation)
    db.session.commit()
    login_as("officer")
    assert client.get(PAGE).status_code == 200
    assert client.get(f"{PAGE}/note.pdf").status_code == 200
    assert db.session.execute(select(DecisionNote)).scalar_one_or_none() is None


# --- saving ---------------------------------------------------------------------------------

def test_save_changes_the_note_and_audits_only_what_changed(client, login_as, tender):
    login_as("officer")
    data = form_data(client, n_summary="A new summary.\r\n\r\n- first point",
                     n_legal_comments="Joint Legal Services advised.", a_deferral="yes",
                     deferral_day="2", deferral_month="10", deferral_year="2023",
                     marking="OFFICIAL-SENSITIVE",
                     sensitive_phrases=f"{SECRET}\r\n\r\nprice per hour\r\n{SECRET}")
    resp = client.post(PAGE, data=data)
    assert resp.status_code == 302
    note = note_row()
    assert note.narrative["summary"] == "A new summary.\n\n- first point"
    assert note.narrative["legal_comments"] == "Joint Legal Services advised."
    assert note.answers["deferral"] is True and note.answers["deferral_until"] == "2023-10-02"
    assert note.marking == "OFFICIAL-SENSITIVE"
    assert note.sensitive_phrases == [SECRET, "price per hour"]
    rec = db.session.execute(select(AuditRecord).where(AuditRecord.action == "edit")
                             .order_by(AuditRecord.seq.desc())).scalars().first()
    assert rec.entity == "decision_note" and rec.actor == "officer@example.org"
    assert set(rec.after) == {"narrative", "answers", "marking", "sensitive_phrases"}
    assert set(rec.after["narrative"]) == {"summary", "legal_comments"}
    assert rec.before["narrative"]["legal_comments"] is None
    assert rec.after["answers"] == {"deferral": True, "deferral_until": "2023-10-02"}
    assert rec.before["marking"] == "OFFICIAL"
    assert "Decision note saved" in client.get(PAGE).get_data(as_text=True)


def test_saving_without_changes_writes_no_audit_record(client, login_as, tender):
    login_as("officer")
    count = db.session.query(AuditRecord).count()
    resp = client.post(PAGE, data=form_data(client), follow_redirects=True)
    assert "There were no changes to save" in resp.get_data(as_text=True)
    assert db.session.query(AuditRecord).count() == count


def test_date_received_can_be_set(client, login_as, tender):
    login_as("officer")
    client.post(PAGE, data=form_data(client, received_day="16", received_month="8",
                                     received_year="2023"))
    assert note_row().date_received.isoformat() == "2023-08-16"


@pytest.mark.parametrize("parts,message,anchor", [
    (("", "", ""), "Enter the date publication is deferred until", "deferral_day"),
    (("31", "2", "2024"), "Enter a real date for the deferral date", "deferral_day"),
    (("2", "13", "2023"), "Enter a real date", "deferral_day"),
    (("2", "", "2023"), "The deferral date must include a month", "deferral_month"),
    (("", "", "2023"), "The deferral date must include a day and a month", "deferral_day"),
    (("2", "10", "23"), "the year must include 4 numbers", "deferral_year"),
    (("two", "10", "2023"), "Enter a real date", "deferral_day"),
])
def test_bad_deferral_dates_are_refused_with_a_linked_message(client, login_as, tender, parts,
                                                              message, anchor):
    login_as("officer")
    day, month, year = parts
    resp = client.post(PAGE, data=form_data(client, a_deferral="yes", deferral_day=day,
                                            deferral_month=month, deferral_year=year,
                                            n_summary="Changed"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "There is a problem" in html and message in html
    assert f'href="#{anchor}"' in html and "<title>Error:" in html
    assert "govuk-input--error" in html
    note = note_row()
    assert note.answers["deferral"] is False and "Changed" not in note.narrative["summary"]


def test_deferral_date_is_ignored_when_not_deferred(client, login_as, tender):
    login_as("officer")
    resp = client.post(PAGE, data=form_data(client, a_deferral="no", deferral_day="",
                                            deferral_month="", deferral_year=""))
    assert resp.status_code == 302
    assert note_row().answers.get("deferral_until") is None


def test_bad_date_received_is_refused(client, login_as, tender):
    login_as("officer")
    resp = client.post(PAGE, data=form_data(client, received_day="30", received_month="2",
                                            received_year="2023"))
    html = resp.get_data(as_text=True)
    assert "Enter a real date for the date received" in html and 'href="#received_day"' in html
    assert note_row().date_received is None


def test_missing_answer_and_bad_marking_are_refused(client, login_as, tender):
    login_as("officer")
    data = form_data(client, marking="SECRET")
    del data["a_key_decision"]
    html = client.post(PAGE, data=data).get_data(as_text=True)
    assert "Select yes if the decision is a Key Decision" in html
    assert 'href="#a_key_decision"' in html and 'href="#marking"' in html
    assert note_row().marking == "OFFICIAL"


def test_save_without_csrf_is_refused(client, login_as, tender):
    login_as("officer")
    data = form_data(client, n_summary="Sneaky")
    del data["csrf_token"]
    assert client.post(PAGE, data=data).status_code == 400
    assert "Sneaky" not in note_row().narrative["summary"]


def test_editing_a_sent_note_warns_that_it_goes_stale(client, login_as, tender):
    note = note_row()
    note.state = "sent"
    db.session.commit()
    login_as("officer")
    assert "makes the sent note out of date" in client.get(PAGE).get_data(as_text=True)
    resp = client.post(PAGE, data=form_data(client, n_summary="After sending"),
                       follow_redirects=True)
    assert "must be sent again" in resp.get_data(as_text=True)
    assert note_row().narrative["summary"] == "After sending"


# --- downloads ------------------------------------------------------------------------------

def test_note_pdf_is_downloaded(client, login_as, tender):
    """Every PDF is an attachment, never shown inline in the app's origin (issue 10)."""
    login_as("officer")
    resp = client.get(f"{PAGE}/note.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF-")
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in resp.headers["Cache-Control"]
    text = pdf_text(resp.data)
    assert "97.00" in text and "95.50" in text and "£3,375,221" in text


def test_public_preview_redacts_the_sensitive_phrase(client, login_as, tender):
    login_as("officer")
    draft = pdf_text(client.get(f"{PAGE}/pack.pdf").data)
    public = pdf_text(client.get(f"{PAGE}/public-preview.pdf").data)
    assert SECRET in draft
    assert SECRET not in public and "[REDACTED]" in public
    assert WINNER in public


def test_procurement_page_links_to_the_note_and_letters(client, login_as, tender):
    login_as("officer")
    html = client.get(f"/procurements/{REF}").get_data(as_text=True)
    assert f'href="{PAGE}"' in html and f'href="/procurements/{REF}/letters"' in html
    client.post("/logout", data={"csrf_token": csrf_token(client, f"/procurements/{REF}")})
    login_as("chief_executive")
    html = client.get(f"/procurements/{REF}").get_data(as_text=True)
    assert f'href="{PAGE}"' in html and "/letters" not in html
