"""Opening the bids through HTTP: after the deadline, by an officer of the buying organisation,
two-person where asked, once; the register as a page and a PDF; everything sealed before."""
from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

import clock
from accounts.models import Organisation, User
from audit.models import AuditRecord
from extensions import db
from procurement.access import find_procurement
from procurement.bids import opening as svc
from procurement.bids.models import BidOpening, BidVersion
from procurement.models import Bid, TimelineDate
from tests.conftest import _password_hash
from tests.integration.sealed_fixtures import MARKER, PRICE_TEXTS, SEALED_PRICE, sealed_bid
from tests.integration.test_evaluation_fixtures import client_for, post, tender  # noqa: F401

DEADLINE = datetime(2031, 6, 10, 11, 0)  # UTC: noon UK summer time
AFTER = DEADLINE + timedelta(minutes=5)


@pytest.fixture()
def sealed(app, tender, users, monkeypatch):  # noqa: F811
    """The test tender before its deadline, with sealed bids in Tender: Delta in lot A (a
    superseded first version, then the current one), Epsilon withdrawn in lot B."""
    p = tender.procurement
    p.state = "clarifications"
    p.dates.append(TimelineDate(kind="tender_deadline", at=DEADLINE, with_time=True))
    db.session.commit()
    delta = sealed_bid(tender.lot_a, "Delta Sealed Ltd", superseded=True)
    epsilon = sealed_bid(tender.lot_b, "Epsilon Withdrawn Ltd", withdrawn=True)
    monkeypatch.setattr(clock, "utcnow", lambda: AFTER)
    return tender, delta, epsilon


def _other_officer(users, org=None, email="officer2@example.org"):
    u = User(email=email, name="Second Officer", roles="officer",
             organisation=org or users["officer"].organisation)
    u.password_hash = _password_hash()
    db.session.add(u)
    db.session.commit()
    return u


def _audits() -> int:
    return db.session.scalar(select(func.count(AuditRecord.id)))


def _url(t, tail=""):
    return f"/procurements/{t.procurement.reference}/bids{tail}"


def _leaks(body: str) -> list[str]:
    return [s for s in (*PRICE_TEXTS, MARKER) if s in body]


def test_the_opening_page_shows_who_and_when_never_what(app, sealed, users):
    t, delta, _ = sealed
    html = client_for(app, users["officer"]).get(_url(t)).get_data(as_text=True)
    assert "Delta Sealed Ltd" in html and "Epsilon Withdrawn Ltd" in html
    v = db.session.scalar(select(BidVersion).where(BidVersion.bid_id == delta.id,
                                                   BidVersion.state == "submitted"))
    assert all(f"sha256:{d.sha256}" in html for d in v.documents)
    assert v.content_sha256 not in html  # the version hash binds the price: not before opening
    assert "1 bid received" in html  # lot A's one sealed bid; lot B's withdrawn one apart
    assert not _leaks(html) and "method-statement.pdf" not in html
    assert 'id="open-bids"' in html


def test_opening_before_the_deadline_is_refused(app, sealed, users, monkeypatch):
    t, delta, _ = sealed
    monkeypatch.setattr(clock, "utcnow", lambda: DEADLINE - timedelta(seconds=1))
    c = client_for(app, users["officer"])
    before = _audits()
    resp = post(c, _url(t, "/open"), follow_redirects=True)
    assert "before the tender deadline" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Bid, delta.id).state == "submitted"
    assert db.session.get(Bid, delta.id).price is None
    assert db.session.scalar(select(func.count(BidOpening.id))) == 0 and _audits() == before


@pytest.mark.parametrize("role", ["evaluator", "finance", "chief_executive", "admin", "supplier"])
def test_nobody_but_an_officer_opens(app, sealed, users, role):
    t, delta, _ = sealed
    c = client_for(app, users[role])
    before = _audits()
    assert post(c, _url(t, "/open")).status_code in (403, 404)
    assert c.get(_url(t)).status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(Bid, delta.id).state == "submitted" and _audits() == before


def test_an_officer_of_another_organisation_is_told_nothing(app, sealed, users):
    t, _, _ = sealed
    org = Organisation(name="Elsewhere Fire Authority", kind="buyer")
    db.session.add(org)
    stranger = _other_officer(users, org, "officer@elsewhere.example.org")
    c = client_for(app, stranger)
    assert c.get(_url(t)).status_code == 404
    assert post(c, _url(t, "/open")).status_code == 404
    assert c.get(_url(t, "/register")).status_code == 404
    assert db.session.scalar(select(func.count(BidOpening.id))) == 0


def test_an_officer_opens_after_the_deadline_once(app, sealed, users):
    t, delta, epsilon = sealed
    c = client_for(app, users["officer"])
    assert c.get(_url(t, "/register")).status_code == 404  # no register before opening
    resp = post(c, _url(t, "/open"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/bids/register")
    db.session.expire_all()
    bid = db.session.get(Bid, delta.id)
    assert bid.state == "opened" and bid.price == SEALED_PRICE and bid.opened_at == AFTER
    states = dict(db.session.execute(select(BidVersion.number, BidVersion.state)
                                     .where(BidVersion.bid_id == delta.id)).all())
    assert states == {1: "superseded", 2: "opened"}
    assert db.session.get(Bid, epsilon.id).state == "withdrawn"
    assert find_procurement(t.procurement.reference).state == "bids_opened"
    opening = db.session.scalar(select(BidOpening))
    assert opening.requested_by_id == users["officer"].id and opening.register_sha256
    rec = db.session.scalar(select(AuditRecord).where(AuditRecord.entity == "bid_opening",
                                                      AuditRecord.action == "open"))
    assert rec.after["register_sha256"] == opening.register_sha256
    assert not _leaks(json.dumps(rec.after))  # hashes and metadata only
    before = _audits()
    again = post(c, _url(t, "/open"), follow_redirects=True)
    assert "already opened" in again.get_data(as_text=True) and _audits() == before
    assert db.session.scalar(select(func.count(BidOpening.id))) == 1


def test_two_person_opening_needs_a_second_different_officer(app, sealed, users):
    t, delta, _ = sealed
    t.procurement.two_person_opening = True
    db.session.commit()
    first = client_for(app, users["officer"])
    resp = post(first, _url(t, "/open"), follow_redirects=True)
    assert "a second officer must confirm" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Bid, delta.id).state == "submitted"
    assert find_procurement(t.procurement.reference).state == "deadline_passed"
    before = _audits()
    same = post(first, _url(t, "/open/confirm"), follow_redirects=True)
    assert "different officer" in same.get_data(as_text=True) and _audits() == before
    assert "different officer" in first.get(_url(t)).get_data(as_text=True)
    again = post(first, _url(t, "/open"), follow_redirects=True)
    assert "already requested" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Bid, delta.id).state == "submitted"
    second = client_for(app, _other_officer(users))
    assert 'id="confirm-opening"' in second.get(_url(t)).get_data(as_text=True)
    resp = post(second, _url(t, "/open/confirm"))
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Bid, delta.id).state == "opened"
    opening = db.session.scalar(select(BidOpening))
    assert opening.confirmed_by_id != opening.requested_by_id and opening.opened_at == AFTER
    html = second.get(_url(t, "/register")).get_data(as_text=True)
    assert "Second Officer" in html and 'id="confirmed-by"' in html
    assert "already opened" in post(second, _url(t, "/open/confirm"),
                                    follow_redirects=True).get_data(as_text=True)


def test_confirming_without_two_person_opening_is_refused(app, sealed, users):
    t, delta, _ = sealed
    c = client_for(app, _other_officer(users))
    resp = post(c, _url(t, "/open/confirm"), follow_redirects=True)
    assert "does not ask for two-person opening" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Bid, delta.id).state == "submitted"


def test_two_officers_at_once_open_once(app, sealed, users, monkeypatch):
    """The second officer's check saw no opening yet: the unique row refuses it."""
    t, delta, _ = sealed
    p = t.procurement
    p.state = "deadline_passed"  # as the clock moves it on a request
    svc.request_opening(p, users["officer"])
    db.session.commit()
    monkeypatch.setattr(svc, "opening_of", lambda procurement: None)  # a stale read
    p.state = "deadline_passed"  # as the second worker saw it
    with pytest.raises(svc.Refused, match="Another officer"):
        svc.request_opening(p, _other_officer(users))
    db.session.expire_all()
    assert db.session.scalar(select(func.count(BidOpening.id))) == 1
    assert db.session.scalar(select(func.count(AuditRecord.id)).where(
        AuditRecord.entity == "bid_opening", AuditRecord.action == "open")) == 1


def test_two_confirmations_at_once_open_once(app, sealed, users, monkeypatch):
    t, delta, _ = sealed
    p = t.procurement
    p.two_person_opening = True
    p.state = "deadline_passed"
    db.session.commit()
    svc.request_opening(p, users["officer"])
    db.session.commit()
    second, third = _other_officer(users), _other_officer(users, email="officer3@example.org")
    svc.confirm_opening(p, second)
    db.session.commit()
    stale = db.session.scalar(select(BidOpening))
    stale_copy = BidOpening(id=stale.id, procurement_id=p.id, requested_by_id=stale.requested_by_id,
                            requested_at=stale.requested_at)
    monkeypatch.setattr(svc, "opening_of", lambda procurement: stale_copy)  # read before the first
    p.state = "deadline_passed"
    with pytest.raises(svc.Refused, match="already opened"):
        svc.confirm_opening(p, third)
    db.session.expire_all()
    assert db.session.scalar(select(BidOpening)).confirmed_by_id == second.id


def test_the_register_page_and_pdf(app, sealed, users):
    t, delta, _ = sealed
    post(client_for(app, users["officer"]), _url(t, "/open"))
    doc_hashes = [d.sha256 for v in db.session.scalars(select(BidVersion).where(
        BidVersion.bid_id == delta.id, BidVersion.state == "opened")) for d in v.documents]
    approver = client_for(app, users["chief_executive"])
    html = approver.get(_url(t, "/register")).get_data(as_text=True)
    assert "Delta Sealed Ltd" in html and all(f"sha256:{h}" in html for h in doc_hashes)
    assert "09:30:00 UTC" in html and "10:30 (UK time)" in html  # 9 June 2031: BST
    resp = approver.get(_url(t, "/register.pdf"))
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "opening-register-EV-TEST-1.pdf" in resp.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(resp.data))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert "DeltaSealedLtd" in text and all(h in text for h in doc_hashes)
    assert reader.metadata.title == f"Opening register – {t.procurement.reference}"
    assert b"/Lang (en-GB)" in resp.data or b"en-GB" in resp.data
    assert not _leaks(text)
    for role in ("evaluator", "finance", "admin"):
        assert client_for(app, users[role]).get(_url(t, "/register.pdf")).status_code in (403, 404)


def test_the_procurement_page_links_to_the_opening(app, sealed, users):
    t, _, _ = sealed
    html = client_for(app, users["officer"]).get(f"/procurements/{t.procurement.reference}"
                                                 ).get_data(as_text=True)
    assert 'id="link-bids-opening"' in html
    approver = client_for(app, users["chief_executive"])
    page = f"/procurements/{t.procurement.reference}"
    assert 'id="link-bids-register"' not in approver.get(page).get_data(as_text=True)
    post(client_for(app, users["officer"]), _url(t, "/open"))
    assert 'id="link-bids-register"' in approver.get(page).get_data(as_text=True)


def test_imported_bids_are_received_outside_tender(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    rows = db.session.execute(select(Bid.source, Bid.state)).all()
    assert rows and set(rows) == {("workbook", "opened")}


def test_opening_without_the_form_token_changes_nothing(app, sealed, users):
    t, delta, _ = sealed
    c = client_for(app, users["officer"])
    before = _audits()
    resp = c.post(_url(t, "/open"), data={})
    assert resp.status_code == 400  # the app's CSRF protection refuses it before the view
    db.session.expire_all()
    assert db.session.get(Bid, delta.id).state == "submitted" and _audits() == before
