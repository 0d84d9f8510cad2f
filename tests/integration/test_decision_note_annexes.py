"""EIA and DPIA annexes over HTTP: structured forms with the renderer's keys, uploads checked
for type and size, bundled after the note into the decision pack."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from audit.models import AuditRecord
from decisions.annexes.pdf import ICO_FACTORS, PROTECTED_CHARACTERISTICS
from decisions.models import Annex
from demo.note_sample import DPIA, EIA
from extensions import db
from tests.conftest import csrf_token
from tests.integration.test_decision_note_fixtures import REF, SECRET, pdf_text, tender  # noqa: F401

NOTE = f"/procurements/{REF}/decision-note"
EIA_URL, DPIA_URL = f"{NOTE}/annexes/eia", f"{NOTE}/annexes/dpia"

# keys render_eia / render_dpia read (decisions/annex_pdf.py docstring)
EIA_KEYS = {"title", "department", "date", "aims", "affected", "data", "research", "consultation",
            "conclusions", "decisions", "monitoring", "publication", "characteristics"}
DPIA_KEYS = {"title", "organisation", "versions", "references", "part2_required",
             "ddpo_assessment", "publication_scheme", "publication_reason", "stakeholders",
             "discussion_date", "aim_and_purpose", "personal_data", "data_subjects",
             "risk_summary", "special_category", "special_category_notes", "sharing",
             "lawful_basis", "retention", "ico_factors", "dpo_summary"}


def a_pdf(text: str = "Uploaded annex page") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def annex(kind: str) -> Annex | None:
    db.session.expire_all()
    return db.session.execute(select(Annex).filter_by(kind=kind)).scalar_one_or_none()


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def eia_data(client, **overrides) -> dict:
    data = {"csrf_token": csrf_token(client, EIA_URL), "title": "DA services",
            "department": "Commissioning", "date_day": "6", "date_month": "12", "date_year": "2022",
            "aims": "To re-commission services.", "affected": "- Victims\n- Partners",
            "data": "Local data.", "research": "National research.", "consultation": "Surveys.",
            "conclusions": "All inclusive.", "decisions": f"Continue with {SECRET}.",
            "monitoring": "Quarterly reviews.", "publication": "Published on the website."}
    for i, name in enumerate(PROTECTED_CHARACTERISTICS):
        slug = name.lower().replace(" ", "_")
        for part in ("data", "research", "consultation", "conclusion"):
            data[f"char_{slug}_{part}"] = f"{name} {part} text"
    data.update(overrides)
    return data


@pytest.fixture()
def officer(login_as):
    return login_as("officer")


def test_annex_pages_have_labelled_fields(client, officer, tender):
    html = client.get(EIA_URL).get_data(as_text=True)
    assert "Equality Impact Assessment" in html and 'for="aims"' in html
    assert 'id="date_day"' in html and 'for="char_religion_or_belief_research"' in html
    assert 'enctype="multipart/form-data"' in html and 'for="pdf"' in html
    html = client.get(DPIA_URL).get_data(as_text=True)
    assert "Data Protection Impact Assessment" in html
    assert 'for="versions-0-version"' in html and 'name="ico_5_11_answer"' in html
    assert client.get(f"{NOTE}/annexes/xyz").status_code == 404


def test_eia_form_saves_the_renderers_keys_and_goes_into_the_pack(client, officer, tender):
    pack_before = client.get(f"{NOTE}/pack.pdf").data
    resp = client.post(EIA_URL, data=eia_data(client))
    assert resp.status_code == 302
    form = annex("EIA").form
    assert set(form) == EIA_KEYS
    assert form["date"] == "6 December 2022"
    assert set(form["characteristics"]) == set(PROTECTED_CHARACTERISTICS)
    assert form["characteristics"]["Age"] == {"data": "Age data text", "research": "Age research text",
                                              "consultation": "Age consultation text",
                                              "conclusion": "Age conclusion text"}
    rec = db.session.execute(select(AuditRecord).filter_by(entity="annex")).scalars().one()
    assert rec.action == "edit" and rec.after["title"] == "DA services" and rec.before is None
    text = pdf_text(client.get(f"{NOTE}/annexes/eia/annex.pdf").data)
    assert "Equality Impact Assessment" in text and "6 December 2022" in text
    pack = client.get(f"{NOTE}/pack.pdf").data
    assert pages(pack) > pages(pack_before)
    assert "Religion or Belief research text" in pdf_text(pack)
    # the structured annex is redacted in the public version too
    public = pdf_text(client.get(f"{NOTE}/public-preview.pdf").data)
    assert f"Continue with {SECRET}" not in public and "Continue with [REDACTED]" in public
    # the form shows what was saved
    html = client.get(EIA_URL).get_data(as_text=True)
    assert "Age research text" in html and 'value="2022"' in html


def test_eia_bad_date_is_refused(client, officer, tender):
    html = client.post(EIA_URL, data=eia_data(client, date_day="31", date_month="4")
                       ).get_data(as_text=True)
    assert "Enter a real date" in html and 'href="#date_day"' in html
    assert annex("EIA") is None


def test_dpia_form_round_trip(client, officer, tender):
    data = {"csrf_token": csrf_token(client, DPIA_URL), "title": "Victim referrals",
            "organisation": "Staffordshire Police", "marking": "OFFICIAL-SENSITIVE",
            "versions-0-version": "1.0", "versions-0-date": "1 September 2023",
            "versions-0-requester": "SCO", "versions-0-summary": "Initial DPIA",
            "part2_required": "no", "publication_scheme": "yes",
            "stakeholders": "Priya Shah – DPO\r\nTom Reid – Deputy DPO\r\n",
            "aim_and_purpose": "Referrals to the victim service.", "personal_data": "- Name",
            "special_category": ["Ethnic origin", "Health"], "sharing_2_10_1": "yes",
            "sharing_2_10_2": "no", "sharing_agreements": "in_place",
            "lb_strictly_necessary": "yes", "lb_condition": "Statutory purpose",
            "retention_compliant": "yes", "ico_5_11_answer": "yes",
            "ico_5_11_details": "Safe contact options.", "ico_5_1_answer": "no",
            "dpo_by": "Priya Shah – DPO", "dpo_date": "5 September 2023", "dpo_text": "Completed."}
    assert client.post(DPIA_URL, data=data).status_code == 302
    form = annex("DPIA").form
    assert set(form) == DPIA_KEYS | {"marking"}
    assert form["versions"] == [{"version": "1.0", "date": "1 September 2023",
                                 "requester": "SCO", "summary": "Initial DPIA"}]
    assert form["references"] == []
    assert form["stakeholders"] == ["Priya Shah – DPO", "Tom Reid – Deputy DPO"]
    assert form["special_category"] == ["Ethnic origin", "Health"]
    assert form["sharing"] == {"2.10.1": True, "2.10.2": False, "2.10.3": None, "2.10.4": None,
                               "agreements": "in_place"}
    assert set(form["ico_factors"]) == {code for code, _q in ICO_FACTORS}
    assert form["ico_factors"]["5.11"] == {"answer": True, "details": "Safe contact options."}
    assert form["ico_factors"]["5.2"]["answer"] is None
    assert form["lawful_basis"]["strictly_necessary"] is True
    assert form["dpo_summary"] == {"by": "Priya Shah – DPO", "date": "5 September 2023",
                                   "text": "Completed."}
    text = pdf_text(client.get(f"{NOTE}/annexes/dpia/annex.pdf").data)
    assert "Data Protection Impact Assessment" in text and "Safe contact options." in text
    html = client.get(DPIA_URL).get_data(as_text=True)
    assert 'value="1 September 2023"' in html and "Safe contact options." in html


def test_the_demo_annexes_load_into_the_forms(client, officer, tender):
    from audit.services import plain
    from decisions.note.service import get_or_create_note
    note = get_or_create_note(tender)
    note.annexes.append(Annex(kind="EIA", form=plain(EIA)))
    note.annexes.append(Annex(kind="DPIA", form=plain(DPIA)))
    db.session.commit()
    html = client.get(EIA_URL).get_data(as_text=True)
    assert 'value="2022"' in html and "Commissioning and Partnerships" in html
    html = client.get(DPIA_URL).get_data(as_text=True)
    assert "Victim Support staff undertake" in html and 'value="2023-09-01"' in html


def upload(client, url, content: bytes, filename="eia.pdf", mimetype="application/pdf"):
    # encoded here, in memory: the test client would spool a large body to a temporary file
    # it never closes (a ResourceWarning, an error under this project's pytest settings)
    boundary, body = encode_multipart({
        "csrf_token": csrf_token(client, url),
        "pdf": FileStorage(io.BytesIO(content), filename=filename, content_type=mimetype)})
    return client.post(f"{url}/upload", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_upload_a_pdf_instead(client, officer, tender):
    client.post(EIA_URL, data=eia_data(client))
    resp = upload(client, EIA_URL, a_pdf("Our own EIA, uploaded"), filename="../../our eia.pdf")
    assert resp.status_code == 302
    a = annex("EIA")
    assert a.filename == "our_eia.pdf" and a.pdf.startswith(b"%PDF-") and a.form  # form kept
    pack = pdf_text(client.get(f"{NOTE}/pack.pdf").data)
    assert "Our own EIA, uploaded" in pack and "Age research text" not in pack
    assert client.get(f"{NOTE}/annexes/eia/annex.pdf").data == a.pdf
    rec = db.session.execute(select(AuditRecord).filter_by(action="upload")).scalar_one()
    assert rec.after["filename"] == "our_eia.pdf" and len(rec.after["sha256"]) == 64
    # removing the upload brings back the structured form
    client.post(f"{EIA_URL}/remove-upload", data={"csrf_token": csrf_token(client, EIA_URL)})
    a = annex("EIA")
    assert a.pdf is None and a.form
    assert "Age research text" in pdf_text(client.get(f"{NOTE}/pack.pdf").data)


@pytest.mark.parametrize("content,filename,message", [
    (b"Just some text, not a PDF", "notes.pdf", "The selected file must be a PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "picture.pdf", "The selected file must be a PDF"),
    (b"PK\x03\x04" + b"0" * 100, "assessment.docx", "The selected file must be a PDF"),
    (b"%PDF-1.7\nthis is not really a pdf", "broken.pdf", "could not be read as a PDF"),
    (b"", "empty.pdf", "The selected file is empty"),
    (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "huge.pdf", "smaller than 10 MB"),
])
def test_bad_uploads_are_refused(client, officer, tender, content, filename, message):
    resp = upload(client, DPIA_URL, content, filename)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert message in html and 'href="#pdf"' in html and "govuk-file-upload--error" in html
    assert annex("DPIA") is None


def test_upload_without_a_file_is_refused(client, officer, tender):
    resp = client.post(f"{DPIA_URL}/upload", data={"csrf_token": csrf_token(client, DPIA_URL)},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "Select a PDF file to upload" in resp.get_data(as_text=True)


def test_upload_without_csrf_is_refused(client, officer, tender):
    resp = client.post(f"{DPIA_URL}/upload", data={"pdf": (io.BytesIO(a_pdf()), "a.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and annex("DPIA") is None


def test_delete_an_annex(client, officer, tender):
    upload(client, DPIA_URL, a_pdf())
    assert annex("DPIA") is not None
    resp = client.post(f"{DPIA_URL}/delete", data={"csrf_token": csrf_token(client, DPIA_URL)})
    assert resp.status_code == 302 and annex("DPIA") is None
    assert client.get(f"{NOTE}/annexes/dpia/annex.pdf").status_code == 404


@pytest.mark.parametrize("role", ("chief_executive", "commissioner"))
def test_approvers_view_annexes_but_do_not_change_them(client, login_as, tender, role):
    login_as("officer")
    upload(client, EIA_URL, a_pdf())
    client.post("/logout", data={"csrf_token": csrf_token(client, NOTE)})
    login_as(role)
    assert client.get(f"{NOTE}/annexes/eia/annex.pdf").status_code == 200
    assert client.get(EIA_URL).status_code == 403
    token = csrf_token(client, NOTE)
    assert client.post(f"{EIA_URL}/upload", data={"csrf_token": token, "pdf": (io.BytesIO(a_pdf()), "x.pdf")},
                       content_type="multipart/form-data").status_code == 403
    assert client.post(f"{EIA_URL}/delete", data={"csrf_token": token}).status_code == 403
    assert annex("EIA") is not None


@pytest.mark.parametrize("role", ("evaluator", "supplier"))
def test_others_cannot_see_annexes(client, login_as, tender, role):
    login_as(role)
    assert client.get(f"{NOTE}/annexes/eia/annex.pdf").status_code == (404 if role == "supplier" else 403)
    assert client.post(f"{EIA_URL}/upload", data={"csrf_token": csrf_token(client, NOTE)}
                       ).status_code == (404 if role == "supplier" else 403)


def test_annex_pages_warn_once_the_note_is_sent(client, officer, tender):
    from decisions.note.service import get_or_create_note
    assert "makes the sent note out of date" not in client.get(EIA_URL).get_data(as_text=True)
    get_or_create_note(tender).state = "sent"
    db.session.commit()
    for url in (EIA_URL, DPIA_URL):
        assert "makes the sent note out of date" in client.get(url).get_data(as_text=True)
