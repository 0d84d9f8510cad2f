"""Tender documents: uploaded by the officer, checked by their bytes and size (a setting),
kept in the database, downloaded as attachments with nosniff; public once a notice is."""
from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

import clock
from accounts.models import Setting
from audit.models import AuditRecord
from extensions import db
from procurement.notices.models import TenderDocument
from procurement.states import tender_deadline_utc
from tests.integration.notice_fixtures import csrf_of, open_tender, publish
from tests.integration.signing_fixtures import SessionClient, client_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def xlsx() -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Price schedule"
    wb.save(buf)
    return buf.getvalue()


def docx(main="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml",
                   f'<Types><Override PartName="/word/document.xml" ContentType="{main}"/></Types>')
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def odf(kind: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}")
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


@pytest.fixture()
def tender(app, users):
    return open_tender(users["officer"].organisation)


@pytest.fixture()
def officer(app, users):
    return client_for(app, users["officer"].email)


def multipart(fields: dict, name: str, data: bytes) -> tuple[bytes, str]:
    """The body as bytes (the test client spools large bodies to files it leaves open)."""
    boundary = "----tender-test-boundary"
    out = b""
    for key, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n"
                f"{value}\r\n").encode()
    out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    out += data + f"\r\n--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def upload(client, p, name: str, data: bytes, title: str = "Specification", replaces: int = 0,
           csrf: bool = True):
    page = f"/procurements/{p.reference}/documents"
    form = {"title": title, "replaces": str(replaces)}
    if csrf:
        form["csrf_token"] = csrf_of(client, page)
    body, content_type = multipart(form, name, data)
    return client.post(page, data=body, content_type=content_type)


def count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(TenderDocument.id)))


@pytest.mark.parametrize("name,data,file_type", [
    ("spec.pdf", PDF, "pdf"), ("spec.docx", docx(), "docx"), ("prices.xlsx", xlsx(), "xlsx"),
    ("spec.odt", odf("text"), "odt"), ("prices.ods", odf("spreadsheet"), "ods"),
])
def test_each_accepted_type_is_stored_with_its_hash_and_audited(tender, officer, name, data,
                                                                file_type):
    resp = upload(officer, tender, name, data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    doc = db.session.scalar(select(TenderDocument))
    assert (doc.file_type, doc.size, doc.sha256) == (file_type, len(data),
                                                     hashlib.sha256(data).hexdigest())
    assert doc.content == data
    assert db.session.scalar(select(AuditRecord).where(
        AuditRecord.entity == "tender_document")).after["sha256"] == doc.sha256


@pytest.mark.parametrize("name,data,says", [
    ("spec.pdf", b"MZ\x90\x00 an executable named .pdf", "not a PDF, DOCX, XLSX, ODT or ODS"),
    ("spec.docm", docx("application/vnd.ms-word.document.macroEnabled.main+xml"), "not a PDF"),
    ("slides.odp", odf("presentation"), "not a PDF"),
    ("empty.pdf", b"", "Choose a file to upload"),
])
def test_a_wrong_type_is_refused_with_a_message_and_nothing_stored(tender, officer, name,
                                                                   data, says):
    resp = upload(officer, tender, name, data)
    assert resp.status_code == 400 and says in resp.get_data(as_text=True)
    assert count() == 0


def test_the_size_limit_is_a_setting(tender, officer):
    db.session.add(Setting(key="document_max_mb", value="0.01"))  # 10,485 bytes
    db.session.commit()
    resp = upload(officer, tender, "big.pdf", PDF + b"0" * 20000)
    assert resp.status_code == 400
    assert "big.pdf is 20 KB: the largest file accepted is 10 KB" in resp.get_data(as_text=True)
    assert count() == 0
    # far beyond it, the request itself is refused before it is read
    resp = upload(officer, tender, "huge.pdf", PDF + b"0" * (3 * 1024 * 1024))
    assert resp.status_code in (400, 413) and count() == 0
    assert "larger than the 10 KB allowed" in resp.get_data(as_text=True)


def test_a_document_larger_than_the_apps_own_limit_is_accepted_within_the_setting(tender,
                                                                                  officer, app):
    big = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)  # over 20 MB, under 25 MB
    assert upload(officer, tender, "large.pdf", big).status_code == 302
    assert db.session.scalar(select(TenderDocument.size)) == len(big)


def test_without_the_csrf_token_nothing_is_stored(tender, officer):
    assert upload(officer, tender, "spec.pdf", PDF, csrf=False).status_code == 400
    assert count() == 0


def test_downloads_are_attachments_with_nosniff_and_the_public_waits_for_a_notice(app, tender,
                                                                                  officer):
    upload(officer, tender, "spec.exe.pdf", PDF)
    doc = db.session.scalar(select(TenderDocument))
    mine = officer.get(f"/procurements/{tender.reference}/documents/{doc.id}")
    assert mine.status_code == 200 and mine.data == PDF
    assert mine.headers["Content-Disposition"] == 'attachment; filename="spec.exe.pdf"'
    assert mine.headers["X-Content-Type-Options"] == "nosniff"
    assert mine.mimetype == "application/pdf"
    public = SessionClient(app, app.response_class, use_cookies=True)
    url = f"/opportunities/{tender.reference}/documents/{doc.id}"
    assert public.get(url).status_code == 404
    publish(app, tender.reference, "contract-notice")
    resp = public.get(url)
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    page = public.get(f"/opportunities/{tender.reference}").get_data(as_text=True)
    assert "Specification" in page and f"/documents/{doc.id}" in page
    assert public.get(f"/opportunities/{tender.reference}/documents/99999").status_code == 404


def test_a_new_version_replaces_and_keeps_the_old_and_published_ones_stay(app, tender, officer):
    upload(officer, tender, "spec-v1.pdf", PDF)
    first = db.session.scalar(select(TenderDocument))
    publish(app, tender.reference, "contract-notice")
    page = f"/procurements/{tender.reference}/documents"
    removed = officer.post(f"{page}/{first.id}/remove", data={"csrf_token": csrf_of(officer, page)})
    assert removed.status_code == 409 and count() == 1
    resp = upload(officer, tender, "spec-v2.pdf", PDF + b"% v2\n", replaces=first.id)
    assert resp.status_code == 302
    db.session.expire_all()
    docs = db.session.scalars(select(TenderDocument).order_by(TenderDocument.id)).all()
    assert [d.current for d in docs] == [False, True] and docs[1].replaces_id == first.id
    public = SessionClient(app, app.response_class, use_cookies=True)
    html = public.get(f"/opportunities/{tender.reference}").get_data(as_text=True)
    assert "spec-v2.pdf" in html and "spec-v1.pdf" not in html
    assert public.get(f"/opportunities/{tender.reference}/documents/{first.id}").status_code == 200


def test_a_changed_document_close_to_the_deadline_warns_the_officer(app, tender, users,
                                                                    monkeypatch):
    publish(app, tender.reference, "contract-notice")
    monkeypatch.setattr(clock, "utcnow", lambda: tender_deadline_utc(tender) - timedelta(days=4))
    officer = client_for(app, users["officer"].email)  # signed in then: sessions time out
    resp = upload(officer, tender, "addendum.pdf", PDF)
    html = officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert "4 days away, fewer than 6 days: consider extending it" in html


def test_before_publication_a_document_can_be_removed(tender, officer):
    upload(officer, tender, "spec.pdf", PDF)
    doc = db.session.scalar(select(TenderDocument))
    page = f"/procurements/{tender.reference}/documents"
    resp = officer.post(f"{page}/{doc.id}/remove", data={"csrf_token": csrf_of(officer, page)})
    assert resp.status_code == 302 and count() == 0


def test_another_procurements_document_is_not_found(app, users, tender, officer):
    other = open_tender(users["officer"].organisation, "NT-OTHER")
    upload(officer, other, "other.pdf", PDF)
    doc = db.session.scalar(select(TenderDocument))
    assert officer.get(f"/procurements/{tender.reference}/documents/{doc.id}").status_code == 404
