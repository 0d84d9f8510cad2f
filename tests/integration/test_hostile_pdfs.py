"""Uploaded annex PDFs with active content are refused over HTTP, and every PDF is served as
a download with nosniff (issue 10, item 4)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from extensions import db
from tests.integration.test_decision_note_annexes import (DPIA_URL, EIA_URL, NOTE, a_pdf, annex,
                                                          officer, upload)  # noqa: F401
from tests.integration.test_decision_note_fixtures import tender  # noqa: F401
from tests.unit.test_pdf_safety import CASES


def _audit() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditRecord))


@pytest.mark.parametrize("case", ["document JavaScript", "OpenAction running JavaScript",
                                  "Launch link", "embedded file", "#-escaped names",
                                  "inside a compressed object stream"])
def test_an_annex_with_active_content_is_refused_and_nothing_kept(client, officer, tender,  # noqa: F811
                                                                  case):
    content, kind = CASES[case]
    before = _audit()
    resp = upload(client, EIA_URL, content, "assessment.pdf")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "The selected PDF has active content (" in html and kind in html
    assert 'href="#pdf"' in html  # the error summary links to the file field
    assert annex("EIA") is None and _audit() == before


def test_a_plain_annex_is_kept_and_served_as_a_download(client, officer, tender):  # noqa: F811
    content = a_pdf("Our own DPIA")
    assert upload(client, DPIA_URL, content, "dpia.pdf").status_code == 302
    resp = client.get(f"{NOTE}/annexes/dpia/annex.pdf")
    assert resp.data == content
    assert resp.headers["Content-Disposition"] == 'attachment; filename="SCO-DA-2023 Data ' \
        'Protection Impact Assessment.pdf"'
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["note.pdf", "pack.pdf", "public-preview.pdf",
                                  "annexes/eia/annex.pdf"])
def test_the_notes_pdfs_are_downloads(client, officer, tender, path):  # noqa: F811
    upload(client, EIA_URL, a_pdf())
    for query in ("", "?download=1", "?download=0"):
        resp = client.get(f"{NOTE}/{path}{query}")
        assert resp.status_code == 200 and resp.mimetype == "application/pdf"
        assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
