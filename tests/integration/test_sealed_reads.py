"""Sealed everywhere: before opening, a bid submitted in Tender is in no evaluation page,
result, export, letter, note, open data or audit record; after opening it flows into
evaluation, and the panel reads its documents (never a conflicted evaluator)."""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

import clock
from accounts.models import Setting
from audit.models import AuditRecord
from extensions import db
from procurement.bids.models import BidDocument, BidVersion, FileChunk
from procurement.models import Bid, TimelineDate
from tests.integration.notice_fixtures import awarded_tender, notice, ocds_export, publish
from tests.integration.sealed_fixtures import MARKER, PRICE_TEXTS, pdf, sealed_bid
from tests.integration.test_evaluation_fixtures import (client_for, declare_none, post,  # noqa: F401
                                                         tender)

SEALED = "Delta Sealed Ltd"
SECRETS = (SEALED, MARKER, *PRICE_TEXTS, "method-statement.pdf")


def _clean(text: str, where: str) -> None:
    leaks = [s for s in SECRETS if s in text]
    assert not leaks, f"{where} shows {leaks}"


@pytest.fixture()
def before_opening(app, tender):  # noqa: F811
    return tender, sealed_bid(tender.lot_a, SEALED)


def _doc_url(t, bid):
    doc_id = db.session.scalar(select(BidDocument.id).join(BidVersion).where(
        BidVersion.bid_id == bid.id))
    return (f"/procurements/{t.procurement.reference}/lots/A/bids/{bid.id}/documents/{doc_id}",
            doc_id)


def test_evaluators_pages_do_not_show_a_sealed_bid(app, before_opening, users):
    t, bid = before_opening
    c = client_for(app, users["evaluator"])
    _clean(c.get(t.url("A", "/declarations")).get_data(as_text=True), "declarations")
    assert declare_none(c, t).status_code in (302, 303)
    _clean(c.get(t.url("A", "/scoring")).get_data(as_text=True), "scoring list")
    _clean(c.get(t.url("A", "/scoring/my-scores.json")).get_data(as_text=True), "my scores")
    assert c.get(t.url("A", f"/scoring/{bid.id}")).status_code == 404
    url, _ = _doc_url(t, bid)
    assert c.get(url).status_code == 404 and c.get(url + "/preview").status_code == 404
    _clean(c.get("/evaluation").get_data(as_text=True), "evaluator's home")


def test_the_officers_pages_do_not_show_a_sealed_bid(app, before_opening, users):
    t, bid = before_opening
    c = client_for(app, users["officer"])
    ref = t.procurement.reference
    for path in (t.url("A", "/moderation"), t.url("A", "/results"), t.url("A", "/results.csv"),
                 t.url("A", "/panel"), f"/evaluation/{ref}", f"/procurements/{ref}",
                 f"/procurements/{ref}/audit", "/procurements"):
        resp = c.get(path)
        assert resp.status_code == 200, path
        _clean(resp.get_data(as_text=True), path)
    assert c.get(t.url("A", f"/moderation/{bid.id}")).status_code == 404
    url, _ = _doc_url(t, bid)
    assert c.get(url).status_code == 404


def test_the_workbook_export_has_no_sealed_bid(app, before_opening, users):
    t, _ = before_opening
    resp = client_for(app, users["officer"]).get(
        f"/evaluation/{t.procurement.reference}/workbook.xlsx")
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.data))
    cells = " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True)
                     for v in row if v is not None)
    assert "Alpha Care" in cells
    _clean(cells, "workbook")


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_tender_results_has_no_sealed_bid(app, before_opening, fmt):
    t, _ = before_opening
    out = app.test_cli_runner().invoke(args=["tender", "results", t.procurement.reference,
                                             "--format", fmt])
    assert out.exit_code == 0 and "Alpha Care" in out.output
    _clean(out.output, f"tender results --format {fmt}")


def test_award_notice_ocds_letters_and_note_have_no_sealed_bid(app, users, tmp_path):
    p = awarded_tender(users)
    lot_a = next(lot for lot in p.lots if lot.code == "A")
    sealed_bid(lot_a, SEALED)
    c = client_for(app, users["officer"])
    for path in (f"/procurements/{p.reference}/letters",
                 f"/procurements/{p.reference}/decision-note"):
        resp = c.get(path)
        assert resp.status_code == 200, path
        _clean(resp.get_data(as_text=True), path)
    notice_id = publish(app, p.reference, "award-notice")
    content = notice(notice_id).content
    assert [a["bids_received"] for a in content["awards"]] == [1, 2]  # as without it
    _clean(json.dumps(content), "award notice")
    _clean(json.dumps(ocds_export(app, p.reference, tmp_path / "ocds.json")), "OCDS")
    _clean(c.get(f"/opportunities/{p.reference}/ocds.json").get_data(as_text=True), "OCDS page")


def test_audit_records_never_carry_a_price_or_document(app, before_opening, users,
                                                      monkeypatch):
    t, _ = before_opening
    p = t.procurement
    p.state = "clarifications"
    p.dates.append(TimelineDate(kind="tender_deadline", at=datetime(2031, 6, 10, 11, 0),
                                with_time=True))
    db.session.commit()
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2031, 6, 10, 12, 0))
    assert post(client_for(app, users["officer"]),
                f"/procurements/{p.reference}/bids/open").status_code == 302
    records = db.session.scalars(select(AuditRecord)).all()
    assert any(r.entity == "bid_opening" for r in records)
    text = json.dumps([[r.before, r.after] for r in records], default=str)
    assert not [s for s in (MARKER, *PRICE_TEXTS, "method-statement.pdf") if s in text]


# -- after opening ---------------------------------------------------------------------

@pytest.fixture()
def opened(app, tender, users, monkeypatch):  # noqa: F811
    p = tender.procurement
    p.state = "clarifications"
    p.dates.append(TimelineDate(kind="tender_deadline", at=datetime(2031, 6, 10, 11, 0),
                                with_time=True))
    db.session.commit()
    bid = sealed_bid(tender.lot_a, SEALED)
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2031, 6, 10, 11, 0) + timedelta(hours=1))
    assert post(client_for(app, users["officer"]),
                f"/procurements/{p.reference}/bids/open").status_code == 302
    db.session.expire_all()
    return tender, db.session.get(Bid, bid.id)


def test_after_opening_the_panel_scores_the_bid_with_its_documents(app, opened, users):
    t, bid = opened
    c = client_for(app, users["evaluator"])
    declare_none(c, t)
    assert SEALED in c.get(t.url("A", "/scoring")).get_data(as_text=True)
    html = c.get(t.url("A", f"/scoring/{bid.id}")).get_data(as_text=True)
    url, _ = _doc_url(t, bid)
    assert f'href="{url}"' in html and f'src="{url}/preview"' in html
    assert "Score descriptors for Q1" in html  # beside the criterion's descriptors
    assert "87,654.32" not in html and "Not shown until your scores" in html
    resp = c.get(url)
    assert resp.status_code == 200 and resp.data == pdf()
    assert resp.headers["Content-Disposition"] == 'attachment; filename="method-statement.pdf"'
    assert resp.mimetype == "application/pdf"
    preview = c.get(url + "/preview")
    assert preview.status_code == 200 and preview.data == pdf()
    assert preview.headers["Content-Disposition"].startswith("inline;")
    assert "frame-ancestors 'self'" in preview.headers["Content-Security-Policy"]
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    page = c.get(t.url("A", f"/scoring/{bid.id}"))
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]  # the page itself
    assert client_for(app, users["officer"]).get(url).status_code == 200


def test_the_price_shows_where_the_setting_lets_evaluators_see_it(app, opened, users):
    t, bid = opened
    db.session.add(Setting(key="price_to_evaluators", value="always"))
    db.session.commit()
    c = client_for(app, users["evaluator"])
    declare_none(c, t)
    assert "£87,654.32" in c.get(t.url("A", f"/scoring/{bid.id}")).get_data(as_text=True)


def test_a_conflicted_or_undeclared_evaluator_never_reads_the_documents(app, opened, users):
    t, bid = opened
    url, _ = _doc_url(t, bid)
    undeclared = client_for(app, t.evaluators[2])
    assert undeclared.get(url).status_code == 403
    conflicted = client_for(app, t.evaluators[1])
    data = {f"coi-{b.bidder_id}": "none" for b in t.lot_a.bids}
    data[f"coi-{bid.bidder_id}"] = "conflict"
    data[f"details-{bid.bidder_id}"] = "Former employee of the bidder."
    post(conflicted, t.url("A", "/declarations"), data)
    from evaluation.models import ConflictDeclaration
    assert db.session.scalar(select(ConflictDeclaration.conflicted).where(
        ConflictDeclaration.bidder_id == bid.bidder_id,
        ConflictDeclaration.member_id == t.members[("A", 1)].id))
    assert conflicted.get(url).status_code == 403
    assert conflicted.get(url + "/preview").status_code == 403
    assert conflicted.get(t.url("A", f"/scoring/{bid.id}")).status_code == 403
    # another lot's panel member is not on lot A's panel at all
    other = client_for(app, users["finance"])
    assert other.get(url).status_code == 403


def test_a_damaged_document_is_never_sent(app, opened, users):
    t, bid = opened
    url, doc_id = _doc_url(t, bid)
    file_id = db.session.get(BidDocument, doc_id).file_id
    db.session.execute(update(FileChunk).where(FileChunk.file_id == file_id)
                       .values(data=b"tampered"))
    db.session.commit()
    assert client_for(app, users["officer"]).get(url).status_code == 409


def test_after_opening_the_bid_is_in_the_results(app, opened, users):
    t, bid = opened
    html = client_for(app, users["officer"]).get(t.url("A", "/results")).get_data(as_text=True)
    assert SEALED in html


def test_results_read_before_opening_are_not_served_after_it(app, tender, users,  # noqa: F811
                                                             monkeypatch):
    """The results cache is keyed on the figures' data version: opening changes which bids
    the results read, so it moves the version and the next view has the opened bid."""
    p = tender.procurement
    p.state = "clarifications"
    p.dates.append(TimelineDate(kind="tender_deadline", at=datetime(2031, 6, 10, 11, 0),
                                with_time=True))
    db.session.commit()
    sealed_bid(tender.lot_a, SEALED)
    officer = client_for(app, users["officer"])
    _clean(officer.get(tender.url("A", "/results")).get_data(as_text=True), "before opening")
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2031, 6, 10, 12, 0))
    officer = client_for(app, users["officer"])
    assert post(officer, f"/procurements/{p.reference}/bids/open").status_code == 302
    assert SEALED in officer.get(tender.url("A", "/results")).get_data(as_text=True)
