"""The public version: no login, only signed notes, refused before the deferral date with
the date said, served from it on; the sensitive phrase is absent from the public PDF.

The notes are signed off for real (sent and signed through the services): what is published
is the signed version's frozen record, so a note merely marked "completed" has nothing to
publish."""
from __future__ import annotations

from datetime import date

import pytest

import clock
from decisions.note.service import get_or_create_note
from extensions import db
from tests.integration.readonly_fixtures import send_note, sign_note, sign_off_note
from tests.integration.test_decision_note_fixtures import (REF, SECRET, WINNER, fill_note,
                                                           make_tender, pdf_text)

PAGE, PDF = f"/decisions/{REF}", f"/decisions/{REF}/public.pdf"


@pytest.fixture()
def today(monkeypatch):
    def set_today(day: date):
        monkeypatch.setattr(clock, "today", lambda: day)
    return set_today


@pytest.fixture()
def signed(app, users):
    """A signed note whose publication is deferred until 2 October 2023."""
    p = make_tender(users["officer"].organisation)
    note = fill_note(p, deferral=True, deferral_until="2023-10-02")
    note.decision_number = "TST/D/202324/007"
    db.session.commit()
    sign_off_note(p, users)
    return p


def test_refused_before_the_deferral_date_with_the_date_said(client, signed, today):
    today(date(2023, 10, 1))
    for path in (PAGE, PDF):
        resp = client.get(path)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 403, path
        assert "This decision note will be published on 2 October 2023" in html
        assert SECRET not in html and "%PDF" not in html
    assert REF not in client.get("/decisions").get_data(as_text=True)


def test_served_from_the_deferral_date_without_login(client, signed, today):
    today(date(2023, 10, 2))
    resp = client.get(PAGE)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "TST/D/202324/007" in html and f"The panel preferred {WINNER} over [REDACTED]" in html
    assert SECRET not in html
    pdf = client.get(PDF)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert SECRET not in text and "[REDACTED]" in text
    assert "97.00" in text and "95.50" in text and "£3,375,221" in text
    listing = client.get("/decisions").get_data(as_text=True)
    assert f'href="/decisions/{REF}"' in listing and "TST/D/202324/007" in listing


def test_the_draft_has_what_the_public_version_redacts(client, login_as, signed, today):
    today(date(2024, 1, 1))
    public = pdf_text(client.get(PDF).data)
    login_as("officer")
    draft = pdf_text(client.get(f"/procurements/{REF}/decision-note/note.pdf").data)
    assert SECRET in draft and SECRET not in public


def test_not_deferred_is_published_once_signed(client, app, users, today):
    today(date(2023, 8, 1))
    p = make_tender(users["officer"].organisation)
    fill_note(p)
    db.session.commit()
    assert client.get(PAGE).status_code == 404  # a draft is never public
    assert client.get(PDF).status_code == 404
    assert "No decision notes have been published yet" in client.get("/decisions").get_data(as_text=True)
    send_note(p, users)
    assert client.get(PAGE).status_code == 404  # nor one awaiting signature
    sign_note(p, users)
    assert client.get(PAGE).status_code == 200
    assert client.get(PDF).status_code == 200


def test_deferred_without_a_date_stays_unpublished(client, users, today):
    p = make_tender(users["officer"].organisation)
    fill_note(p, deferral=True, deferral_until=None)
    db.session.commit()
    sign_off_note(p, users)
    today(date(2030, 1, 1))
    resp = client.get(PAGE)
    assert resp.status_code == 403 and "on a date not yet set" in resp.get_data(as_text=True)


def test_unknown_reference_is_404(client, signed):
    assert client.get("/decisions/NOPE").status_code == 404
    assert client.get("/decisions/NOPE/public.pdf").status_code == 404


def test_the_public_page_is_the_whole_note_in_html_with_its_markup(client, app, users, today):
    import io
    import re

    from pypdf import PdfReader
    p = make_tender(users["officer"].organisation)
    note = fill_note(p, deferral=False)
    note.narrative = {**note.narrative,
                      "introduction": f"Two lots:\n\n- Lot A for {SECRET}\n- Lot B\n\n**Bold** <b>x</b>",
                      "legal_comments": "None beyond the Monitoring Officer's."}
    note.decision_number = "TST/D/202324/008"
    db.session.commit()
    sign_off_note(p, users)
    today(date(2024, 1, 1))
    html = client.get(PAGE).get_data(as_text=True)
    main = html.split('id="public-note"', 1)[1]
    assert '<ul class="govuk-list govuk-list--bullet">\n<li>Lot A for [REDACTED]</li>' in main
    assert "- Lot A" not in main and SECRET not in html
    assert "<strong>Bold</strong> &lt;b&gt;x&lt;/b&gt;" in main  # typed HTML is only text
    assert "7. Legal comments" in main and "None beyond the Monitoring Officer" in main
    assert 'id="results-A"' in main and 'id="results-B"' in main
    assert ">97.00<" in main and ">95.50<" in main  # the evaluation tables, as in the PDF
    link = re.search(r'<a class="govuk-link" href="([^"]+)" download="([^"]+)"', html)
    assert link[1] == PDF and link[2] == "TST-D-202324-008 decision note (public).pdf"
    pdf = client.get(PDF)
    assert pdf.headers["Content-Disposition"] == \
        'attachment; filename="TST-D-202324-008 decision note (public).pdf"'
    reader = PdfReader(io.BytesIO(pdf.data))
    assert reader.metadata.title and reader.trailer["/Root"]["/Lang"] == "en-GB"
