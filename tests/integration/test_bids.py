"""A supplier's sealed bid through HTTP: the contract's plain POST and the browser form (draft,
price lines, declaration, replace, withdraw), the receipt (page and real mail), documents
checked by their bytes and size, the deadline by the server's clock, who may use the pages,
and its own documents streamed back with their hash checked."""
from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

import clock
from accounts.models import Setting
from audit.models import AuditRecord
from extensions import db
from procurement.bids import storage
from procurement.bids.models import (BidDocument, BidPriceLine, BidVersion, FileChunk,
                                     StoredFile)
from procurement.models import Bid, Bidder
from procurement.states import tender_deadline_utc
from tests.integration.bid_fixtures import (EXE, PDF, bid_path, browser_bid, docx, ods,
                                            opportunity, post_bid, smtp_on, supplier, token)
from tests.integration.signing_fixtures import client_for
from tests.smtp_server import SMTPServer

SHA_PDF = hashlib.sha256(PDF).hexdigest()


@pytest.fixture()
def tender(app, users):
    return opportunity(app, users)


@pytest.fixture()
def alpha(app, tender):
    return supplier(app, "Alpha Care Ltd", "bids@alpha.example.org")


@pytest.fixture()
def smtp(app, monkeypatch):
    server = SMTPServer().start()
    smtp_on(app, server, monkeypatch)
    yield server
    server.stop()


def stored() -> dict:
    """How many rows a bid leaves: a refusal leaves none of them."""
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Bidder, Bid, BidVersion, BidDocument, BidPriceLine, StoredFile, FileChunk)}


NOTHING = {"Bidder": 0, "Bid": 0, "BidVersion": 0, "BidDocument": 0, "BidPriceLine": 0,
           "StoredFile": 0, "FileChunk": 0}


def versions() -> list[tuple[int | None, str]]:
    db.session.expire_all()
    return [(v.number, v.state) for v in db.session.scalars(
        select(BidVersion).order_by(BidVersion.id))]


def cli_bids(app, reference="NT-OPEN-1", *extra):
    return app.test_cli_runner().invoke(args=["tender", "bids", reference, *extra])


# -- the contract's plain POST, the receipt, the mail ------------------------------------------

def test_a_plain_post_is_received_and_its_receipt_shows_the_hashes(app, tender, alpha, smtp):
    user, client = alpha
    schedule = ods()  # made once: a zip's entries carry the time they were written
    resp = post_bid(client, documents=[("proposal.pdf", PDF), ("schedule.ods", schedule)])
    assert resp.status_code == 302
    receipt = client.get(resp.headers["Location"])
    html = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    v = db.session.scalar(select(BidVersion))
    assert (v.number, v.state, v.price, v.declaration) == (1, "submitted", 125000, True)
    assert f"sha256:{SHA_PDF}" in html
    assert f"sha256:{hashlib.sha256(schedule).hexdigest()}" in html
    assert f"sha256:{v.content_sha256}" in html and len(v.content_sha256) == 64
    assert v.received_at.isoformat(timespec="microseconds") + "Z" in html  # UTC
    assert re.search(r"\d{2}:\d{2}:\d{2} (GMT|BST)", html)  # UK time
    assert v.received_at < tender_deadline_utc(tender)
    # the Bidder is the organisation; the Bid is sealed (no price on it)
    bidder = db.session.scalar(select(Bidder))
    assert (bidder.name, bidder.organisation_id) == ("Alpha Care Ltd", user.organisation_id)
    bid = db.session.scalar(select(Bid))
    assert (bid.source, bid.state, bid.price, bid.received_at) == (
        "tender", "submitted", None, v.received_at)
    # the same receipt, mailed to the submitter
    (message,) = smtp.wait_for(1)
    body = SMTPServer.body(message)
    assert message["To"] == user.email and "version 1" in message["Subject"]
    assert f"sha256:{SHA_PDF}" in body and f"sha256:{v.content_sha256}" in body
    assert v.received_at.isoformat(timespec="microseconds") + "Z" in body


def test_the_audit_trail_keeps_hashes_and_metadata_never_the_price(app, tender, alpha):
    _, client = alpha
    browser_bid(client, "draft", price="98765.43", lines=[("Staff", "98765.43")])
    assert post_bid(client, price="98765.43").status_code == 302
    v = db.session.scalar(select(BidVersion).where(BidVersion.number == 1))
    trail = json.dumps([(r.action, r.before, r.after) for r in db.session.scalars(
        select(AuditRecord).where(AuditRecord.entity == "bid"))])
    assert "submit" in trail and "save draft" in trail and SHA_PDF in trail
    for secret in ("98765", "98,765", v.content_sha256, "Staff"):
        assert secret not in trail


def test_a_lot_without_a_price_criterion_takes_no_price(app, tender, alpha):
    from evaluation.models import Criterion
    db.session.execute(Criterion.__table__.delete().where(Criterion.kind == "price"))
    db.session.commit()
    _, client = alpha
    assert 'id="price"' not in client.get(bid_path()).get_data(as_text=True)
    assert post_bid(client, price=None).status_code == 302
    assert db.session.scalar(select(BidVersion)).price is None


# -- replacing, drafts, price lines, the declaration, withdrawing ------------------------------

def test_replacing_makes_a_new_version_and_keeps_the_earlier(app, tender, alpha):
    _, client = alpha
    assert post_bid(client).status_code == 302
    second = post_bid(client, price="120000", documents=[("v2.docx", docx())])
    assert second.headers["Location"].endswith("/bid/receipt/2")
    assert versions() == [(1, "superseded"), (2, "submitted")]
    assert db.session.scalar(select(func.count()).select_from(Bid)) == 1
    old = client.get(bid_path() + "/receipt/1").get_data(as_text=True)
    assert "Superseded" in old and f"sha256:{SHA_PDF}" in old


def test_a_draft_keeps_the_work_and_becomes_the_version_when_submitted(app, tender, alpha):
    _, client = alpha
    saved = browser_bid(client, "draft", price="125000", declaration=False,
                        documents=[("a.pdf", PDF), ("b.docx", docx())],
                        lines=[("Staff", "100000"), ("Rent", "25000")])
    assert saved.status_code == 302
    assert versions() == [(None, "draft")]
    assert db.session.scalar(select(Bid)).state == "draft"
    assert json.loads(cli_bids(app).output)["bids"] == []  # a draft is not received
    page = client.get(bid_path()).get_data(as_text=True)
    assert "Take out a.pdf" in page and "Take out b.docx" in page
    assert 'value="125000.00"' in page and 'value="Staff"' in page
    b_id = db.session.scalar(select(BidDocument.id).where(BidDocument.name == "b.docx"))
    assert browser_bid(client, "draft", price="125000", documents=[],
                       lines=[("Staff", "100000"), ("Rent", "25000")],
                       extra={"remove_document": str(b_id)}).status_code == 302
    done = browser_bid(client, "submit", price="125000", documents=[("c.pdf", PDF + b" ")],
                       lines=[("Staff", "100000"), ("Rent", "25000")])
    assert done.status_code == 302
    assert versions() == [(1, "submitted")]
    v = db.session.scalar(select(BidVersion))
    assert [d.name for d in v.documents] == ["a.pdf", "c.pdf"]
    assert [(line.description, line.amount) for line in v.price_lines] == [
        ("Staff", 100000), ("Rent", 25000)]
    receipt = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "£100,000.00" in receipt and "Staff" in receipt


def test_the_browser_form_needs_the_declaration(app, tender, alpha):
    _, client = alpha
    resp = browser_bid(client, "submit", declaration=False)
    assert resp.status_code == 400
    assert "Confirm the declaration" in resp.get_data(as_text=True)
    assert stored() == NOTHING


def test_price_lines_that_do_not_add_up_are_refused(app, tender, alpha):
    _, client = alpha
    resp = browser_bid(client, "submit", price="125000",
                       lines=[("Staff", "100000"), ("Rent", "24999.99")])
    assert resp.status_code == 400
    assert "add up to £124,999.99, not the price of £125,000.00" in resp.get_data(as_text=True)
    assert stored() == NOTHING


def test_withdrawing_before_the_deadline(app, tender, alpha):
    _, client = alpha
    assert post_bid(client).status_code == 302
    path = bid_path() + "/withdraw"
    resp = client.post(path, data={"csrf_token": token(client, bid_path())})
    assert resp.status_code == 302
    assert versions() == [(1, "withdrawn")]
    assert db.session.scalar(select(Bid)).state == "withdrawn"
    assert json.loads(cli_bids(app).output)["bids"][0]["state"] == "withdrawn"
    again = client.post(path, data={"csrf_token": token(client, bid_path())})
    assert again.status_code == 409 and "no submitted bid" in again.get_data(as_text=True)
    assert post_bid(client).status_code == 302  # a new version after withdrawing
    assert versions() == [(1, "withdrawn"), (2, "submitted")]


# -- bad input: refused with a message, nothing stored ------------------------------------------

@pytest.mark.parametrize("documents,price,message", [
    ([], "125000", "Choose at least one document"),
    ([("proposal.pdf", EXE)], "125000", "proposal.pdf is not a PDF, DOCX, XLSX, ODT or ODS"),
    ([("empty.pdf", b"")], "125000", "empty.pdf is empty"),
    ([("macro.docx", b"PK\x03\x04not really a zip")], "125000", "is not a PDF"),
    ([("ok.pdf", PDF), ("bad.pdf", EXE)], "125000", "bad.pdf is not a PDF"),
    ([("proposal.pdf", PDF)], "-5", "The price cannot be negative"),
    ([("proposal.pdf", PDF)], "lots", "Enter the price in pounds and pence"),
    ([("proposal.pdf", PDF)], "", "Enter your price for the lot"),
    ([("proposal.pdf", PDF)], None, "Enter your price for the lot"),
])
def test_bad_input_is_refused_and_nothing_is_stored(app, tender, alpha, documents, price,
                                                     message):
    _, client = alpha
    resp = post_bid(client, documents=documents, price=price)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in html, html[:2000]
    assert "govuk-error-summary" in html
    assert stored() == NOTHING


def test_a_file_over_the_size_setting_is_refused(app, tender, alpha):
    db.session.add(Setting(key="document_max_mb", value="0.01"))  # 10,485 bytes
    db.session.commit()
    _, client = alpha
    big = PDF + b"0" * 20_000
    resp = post_bid(client, documents=[("big.pdf", big)])
    assert resp.status_code == 400
    assert "big.pdf is 20 KB: the largest file accepted is 10 KB" in resp.get_data(as_text=True)
    assert stored() == NOTHING
    assert post_bid(client, documents=[("small.pdf", PDF)]).status_code == 302


def test_a_request_over_the_limit_is_refused_before_it_is_read(app, tender, alpha):
    db.session.add(Setting(key="document_max_mb", value="0.001"))  # 1 KB a file
    db.session.commit()
    _, client = alpha
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart
    huge = PDF + b"0" * (rules_max_request(1048) + 10)
    boundary, body = encode_multipart({  # as bytes: the test client spools nothing to close
        "csrf_token": token(client, bid_path()), "price": "1",
        "documents": FileStorage(io.BytesIO(huge), "huge.pdf")})
    resp = client.post(bid_path(), data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")
    assert resp.status_code == 413 and "larger than" in resp.get_data(as_text=True)
    assert stored() == NOTHING


def rules_max_request(file_limit: int) -> int:
    from procurement.bids.routes import FORM_ROOM
    from procurement.bids.rules import DOCUMENTS_MAX
    return file_limit * DOCUMENTS_MAX + FORM_ROOM


def test_without_the_csrf_token_nothing_is_stored(app, tender, alpha):
    _, client = alpha
    resp = post_bid(client, csrf="not-a-token")
    assert resp.status_code == 400
    assert stored() == NOTHING


# -- the deadline, by the server's clock ---------------------------------------------------------

def test_after_the_deadline_nothing_is_received(app, tender, alpha, monkeypatch):
    deadline = tender_deadline_utc(tender)
    monkeypatch.setattr(clock, "utcnow", lambda: deadline)
    client = client_for(app, alpha[0].email)  # signed in after the clock moved
    resp = post_bid(client)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "The tender deadline passed" in html
    assert stored() == NOTHING
    page = client.get(bid_path()).get_data(as_text=True)
    assert "The tender deadline passed" in page and 'name="documents"' not in page


def test_the_deadline_is_checked_again_after_the_lock(app, tender, alpha, monkeypatch):
    """The clock passes the deadline between the request's first look and the transaction:
    the time read after the lock decides, and the stored documents are rolled back."""
    deadline = tender_deadline_utc(tender)
    passed = {"now": False}
    real_store = storage.store

    def store(stream, content_type):  # the documents are being stored: the deadline passes
        passed["now"] = True
        return real_store(stream, content_type)

    monkeypatch.setattr(storage, "store", store)
    monkeypatch.setattr(clock, "utcnow",
                        lambda: deadline if passed["now"] else deadline - timedelta(seconds=1))
    client = client_for(app, alpha[0].email)
    resp = post_bid(client)
    assert resp.status_code == 409 and "The tender deadline passed" in resp.get_data(as_text=True)
    assert passed["now"] and stored() == NOTHING


def test_withdrawing_after_the_deadline_is_refused(app, tender, alpha, monkeypatch):
    _, client = alpha
    assert post_bid(client).status_code == 302
    monkeypatch.setattr(clock, "utcnow", lambda: tender_deadline_utc(tender))
    client = client_for(app, alpha[0].email)
    resp = client.post(bid_path() + "/withdraw", data={"csrf_token": token(client, "/bids")})
    assert resp.status_code == 409 and "The tender deadline passed" in resp.get_data(as_text=True)
    assert versions() == [(1, "submitted")]


# -- who may use the pages ----------------------------------------------------------------------

def test_no_bid_form_until_the_notice_is_published(app, users):
    opportunity(app, users, published=False)
    _, client = supplier(app, "Alpha Care Ltd", "bids@alpha.example.org")
    assert client.get(bid_path()).status_code == 404
    assert post_bid(client, csrf="x").status_code in (400, 404)  # CSRF is checked first
    assert stored() == NOTHING


def test_an_unknown_lot_or_procurement_is_not_found(app, tender, alpha):
    _, client = alpha
    assert client.get(bid_path(code="Z")).status_code == 404
    assert client.get(bid_path(reference="NOPE")).status_code == 404


@pytest.mark.parametrize("role", ["officer", "evaluator", "admin", "finance"])
def test_the_buyer_and_the_administrator_cannot_use_the_bid_pages(app, users, tender, alpha,
                                                                    role):
    _, supplier_client = alpha
    assert post_bid(supplier_client).status_code == 302
    doc_id = db.session.scalar(select(BidDocument.id))
    before = stored()
    client = client_for(app, users[role].email)
    for path in (bid_path(), bid_path() + "/receipt/1", f"{bid_path()}/documents/{doc_id}",
                 "/bids"):
        resp = client.get(path)
        assert resp.status_code in (403, 404), (role, path, resp.status_code)
        assert SHA_PDF not in resp.get_data(as_text=True)
    for path in (bid_path(), bid_path() + "/withdraw"):
        assert client.post(path, data={}).status_code in (400, 403, 404)
    assert stored() == before and versions() == [(1, "submitted")]


def test_another_supplier_sees_nothing_of_a_bid(app, tender, alpha):
    _, client = alpha
    assert post_bid(client).status_code == 302
    doc_id = db.session.scalar(select(BidDocument.id))
    _, other = supplier(app, "Beta Change CIC", "bids@beta.example.org")
    assert other.get(bid_path() + "/receipt/1").status_code == 404
    assert other.get(f"{bid_path()}/documents/{doc_id}").status_code == 404
    mine = other.get("/bids").get_data(as_text=True)
    assert "Alpha" not in mine and "NT-OPEN-1" not in mine
    form = other.get(bid_path()).get_data(as_text=True)
    assert "Versions received" not in form and SHA_PDF not in form
    # its own bid is its own: version 1 of its own, Alpha's untouched
    assert post_bid(other).headers["Location"].endswith("/receipt/1")
    assert versions() == [(1, "submitted"), (1, "submitted")]
    assert other.post(bid_path() + "/withdraw",
                      data={"csrf_token": token(other, bid_path())}).status_code == 302
    assert versions() == [(1, "submitted"), (1, "withdrawn")]


def test_anonymous_is_sent_to_sign_in(app, tender):
    from tests.integration.signing_fixtures import SessionClient
    anonymous = SessionClient(app, app.response_class, use_cookies=True)
    for path in (bid_path(), "/bids"):
        resp = anonymous.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


# -- the supplier's list and its documents ------------------------------------------------------

def test_its_bids_page_lists_versions_and_downloads_are_checked(app, tender, alpha):
    _, client = alpha
    assert post_bid(client, documents=[("proposal.pdf", PDF)]).status_code == 302
    assert post_bid(client, documents=[("v2.docx", docx())]).status_code == 302
    page = client.get("/bids").get_data(as_text=True)
    assert "NT-OPEN-1" in page and "Version 1" in page and "Version 2" in page
    assert "Superseded" in page and "Submitted" in page
    doc = db.session.scalar(select(BidDocument).where(BidDocument.name == "proposal.pdf"))
    resp = client.get(f"{bid_path()}/documents/{doc.id}")
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.headers["Content-Disposition"] == 'attachment; filename="proposal.pdf"'
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.mimetype == "application/pdf"
    # a stored file whose bytes no longer match its hash is never sent
    db.session.execute(update(FileChunk).where(FileChunk.file_id == doc.file_id)
                       .values(data=b"%PDF-tampered"))
    db.session.commit()
    assert client.get(f"{bid_path()}/documents/{doc.id}").status_code == 409


def test_a_document_of_another_lot_is_not_found_under_this_one(app, tender, alpha):
    _, client = alpha
    assert post_bid(client, path=bid_path(code="B")).status_code == 302
    doc_id = db.session.scalar(select(BidDocument.id))
    assert client.get(f"{bid_path(code='A')}/documents/{doc_id}").status_code == 404
    assert client.get(f"{bid_path(code='B')}/documents/{doc_id}").status_code == 200


def test_a_receipt_of_no_such_version_is_not_found(app, tender, alpha):
    _, client = alpha
    assert client.get(bid_path() + "/receipt/1").status_code == 404
    assert post_bid(client).status_code == 302
    assert client.get(bid_path() + "/receipt/2").status_code == 404


# -- tender bids REF --format json ----------------------------------------------------------------

def test_tender_bids_lists_every_version_never_contents(app, tender, alpha):
    _, client = alpha
    assert post_bid(client, price="111111.11").status_code == 302
    assert post_bid(client, price="111111.11", documents=[("v2.docx", docx())]
                    ).status_code == 302
    browser_bid(client, "draft", price="222222.22", documents=[("draft.pdf", PDF)])
    result = cli_bids(app, "NT-OPEN-1", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert list(out) == ["reference", "tender_deadline", "opened_at", "bids"]
    assert out["reference"] == "NT-OPEN-1" and out["opened_at"] is None
    assert out["tender_deadline"] == tender_deadline_utc(tender).isoformat(
        timespec="microseconds") + "Z"
    first, second = out["bids"]
    assert list(first) == ["lot", "bidder", "version", "received_at", "state", "documents"]
    assert (first["lot"], first["bidder"], first["version"], first["state"]) == (
        "A", "Alpha Care Ltd", 1, "superseded")
    assert first["documents"] == [{"name": "proposal.pdf", "sha256": SHA_PDF}]
    assert (second["version"], second["state"]) == (2, "submitted")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", first["received_at"])
    for secret in ("111111", "222222", "draft.pdf"):
        assert secret not in result.stdout


def test_tender_bids_lists_workbook_bids_as_version_1(app, users):
    from tests.integration.signing_fixtures import small_tender
    small_tender(users["officer"].organisation)
    out = json.loads(cli_bids(app, "TST-DA-2024").stdout)
    assert out["tender_deadline"] is None and len(out["bids"]) == 4
    assert all((b["version"], b["documents"], b["state"]) == (1, [], "opened")
               for b in out["bids"])
    assert {(b["lot"], b["bidder"]) for b in out["bids"]} == {
        (lot, name) for lot in "AB" for name in ("Alpha Support Ltd", "Beta Change CIC")}
    assert "95000" not in json.dumps(out)


@pytest.mark.parametrize("args,message", [
    (["NOPE"], "No procurement with reference NOPE"),
    (["NT-OPEN-1", "--format", "csv"], "Unknown format 'csv'"),
])
def test_tender_bids_errors_are_one_line(app, tender, args, message):
    result = app.test_cli_runner().invoke(args=["tender", "bids", *args])
    assert result.exit_code != 0 and result.stdout == ""
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert message in result.stderr


def test_the_opportunity_page_offers_a_supplier_its_bid_per_lot(app, tender, alpha):
    _, client = alpha
    html = client.get("/opportunities/NT-OPEN-1").get_data(as_text=True)
    assert f'href="{bid_path(code="A")}"' in html and f'href="{bid_path(code="B")}"' in html
    from tests.integration.signing_fixtures import SessionClient
    public = SessionClient(app, app.response_class, use_cookies=True)
    assert 'id="bid-links"' not in public.get("/opportunities/NT-OPEN-1").get_data(as_text=True)


def test_a_document_taken_out_as_the_bid_is_submitted_is_not_in_it(app, tender, alpha):
    _, client = alpha
    assert browser_bid(client, "draft", documents=[("a.pdf", PDF), ("b.docx", docx())]
                       ).status_code == 302
    a_id, b_id = db.session.scalars(select(BidDocument.id).order_by(BidDocument.id)).all()
    everything_out = browser_bid(client, "submit", documents=[],
                                 extra={"remove_document": [str(a_id), str(b_id)]})
    assert everything_out.status_code == 400
    assert "Choose at least one document" in everything_out.get_data(as_text=True)
    assert browser_bid(client, "submit", documents=[],
                       extra={"remove_document": str(b_id)}).status_code == 302
    v = db.session.scalar(select(BidVersion))
    assert (v.number, [d.name for d in v.documents]) == (1, ["a.pdf"])
