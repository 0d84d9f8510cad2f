"""Letters to bidders over HTTP: outcomes for ranked, excluded and tied bids, scores against
the winner's, rationales, standstill end dates; issued only after the decision; officers
only, and a supplier downloads only its own letter once issued."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
import clock
from decisions.models import Letter
from decisions.note.service import get_or_create_note
from extensions import db
from procurement.models import Bid, Bidder, TimelineDate
from tests.conftest import csrf_token
from tests.integration.test_decision_note_fixtures import (LOSER, REF, WINNER, add_letter_lots,
                                                           fill_note, make_tender, pdf_text)

PAGE = f"/procurements/{REF}/letters"


@pytest.fixture()
def procurement(app, users, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2023, 12, 15))
    p = make_tender(users["officer"].organisation, supplier_org=users["supplier"].organisation)
    add_letter_lots(p)
    fill_note(p)
    db.session.commit()
    return p


def sign(p) -> None:
    get_or_create_note(p).state = "completed"
    db.session.commit()


def bid_id(lot: str, bidder: str) -> int:
    return db.session.execute(select(Bid.id).join(Bidder, Bid.bidder_id == Bidder.id)
                              .where(Bidder.name == bidder)
                              .where(Bid.lot.has(code=lot))).scalar_one()


def issue(client):
    return client.post(f"{PAGE}/issue", data={"csrf_token": csrf_token(client, PAGE)},
                       follow_redirects=True)


def letter_text(client, lot: str, bidder: str) -> str:
    resp = client.get(f"{PAGE}/{bid_id(lot, bidder)}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    return pdf_text(resp.data)


def letters() -> dict[tuple[str, str], Letter]:
    db.session.expire_all()
    return {(x.bid.lot.code, x.bid.bidder.name): x for x in db.session.execute(select(Letter)).scalars()}


def test_page_lists_the_outcome_of_every_bid(client, login_as, procurement):
    login_as("officer")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Notice of award decision" not in html  # that is the letter's title, not the page's
    assert "Successful" in html and "Unsuccessful" in html and "Tied" in html
    assert "Excluded: Failed the selection questionnaire: no insurance certificate" in html
    assert "27 December 2023" in html  # 15 Dec + 10 days = Mon 25 Dec -> Christmas, Boxing Day
    assert "not signed yet" in html and "Issue the letters" not in html


def test_letters_are_not_issued_before_the_decision(client, login_as, procurement):
    login_as("officer")
    resp = issue(client)
    assert "Letters go out after the decision" in resp.get_data(as_text=True)
    assert letters() == {}
    assert procurement.date_of("decision_letters") is None


def test_issue_records_each_letter_with_outcome_standstill_and_hash(client, login_as, procurement):
    sign(procurement)
    login_as("officer")
    resp = issue(client)
    assert "9 letters issued" in resp.get_data(as_text=True)
    got = letters()
    assert {k: v.outcome for k, v in got.items()} == {
        ("A", WINNER): "successful", ("B", WINNER): "successful", ("B", LOSER): "unsuccessful",
        ("C", "Alpha Ltd"): "successful", ("C", "Beta Ltd"): "tied", ("C", "Gamma Ltd"): "tied",
        ("C", "Delta Ltd"): "excluded", ("D", "Alpha Ltd"): "tied", ("D", "Beta Ltd"): "tied"}
    assert got[("B", LOSER)].standstill_end == date(2023, 12, 27)
    assert got[("D", "Alpha Ltd")].standstill_end is None  # no winner: no standstill yet
    assert all(len(x.pdf_sha256) == 64 for x in got.values())
    db.session.expire_all()
    recorded = db.session.execute(select(TimelineDate).filter_by(kind="decision_letters")).scalar_one()
    assert recorded.at.date() == date(2023, 12, 15)
    audits = db.session.execute(select(AuditRecord).filter_by(entity="letter")).scalars().all()
    assert len(audits) == 9 and all(a.actor == "officer@example.org" for a in audits)
    assert {a.after["outcome"] for a in audits} == {"successful", "unsuccessful", "tied", "excluded"}
    # the letters as issued are what is shown: no "records changed" flag
    assert "Records changed since" not in client.get(PAGE).get_data(as_text=True)


def test_letter_for_a_ranked_bid_compares_with_the_winner(client, login_as, procurement):
    login_as("officer")
    text = letter_text(client, "B", LOSER)
    assert "Notice of award decision" in text and "ranked 2 out of 2" in text
    assert "64.00" in text and "95.50" in text and f"{WINNER} (successful)" in text
    assert f"{LOSER} Q1 rationale: scored 55" in text and "Q1 Quality and price" in text
    assert "27 December 2023" in text
    text = letter_text(client, "A", WINNER)
    assert "ranked 1 out of 1" in text and "97.00" in text


def test_letter_for_an_excluded_bid_gives_the_reason(client, login_as, procurement):
    login_as("officer")
    text = letter_text(client, "C", "Delta Ltd")
    assert "was excluded" in text and "no insurance certificate" in text
    assert "Alpha Ltd" in text  # the successful tenderer is named


def test_letters_for_tied_bids(client, login_as, procurement):
    login_as("officer")
    text = letter_text(client, "C", "Beta Ltd")
    assert "joint 2 out of 3" in text and "Alpha Ltd" in text and "27 December 2023" in text
    text = letter_text(client, "D", "Alpha Ltd")
    assert "joint 1 out of 2" in text and "No award decision has been made" in text
    assert "ends at midnight" not in text


def test_pa2023_letters_are_assessment_summaries(client, login_as, users, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2024, 3, 21))
    p = make_tender(users["officer"].organisation, regime="PA2023-OPEN")
    fill_note(p)
    db.session.commit()
    login_as("officer")
    text = letter_text(client, "B", LOSER)
    assert "Assessment summary" in text and "Procurement Act 2023" in text
    assert "3 April 2024" in text  # 8 working days from Thu 21 March 2024, over Easter


def test_incomplete_bid_blocks_issuing(client, login_as, procurement):
    from evaluation.models import Consensus
    db.session.delete(db.session.execute(select(Consensus).where(
        Consensus.bid_id == bid_id("B", LOSER))).scalars().first())
    sign(procurement)
    login_as("officer")
    html = client.get(PAGE).get_data(as_text=True)
    assert "No letter: Missing a score" in html
    resp = issue(client)
    assert f"missing a score: Lot B {LOSER}" in resp.get_data(as_text=True)
    assert letters() == {}
    assert client.get(f"{PAGE}/{bid_id('B', LOSER)}.pdf").status_code == 409


def test_zip_of_all_letters(client, login_as, procurement):
    login_as("officer")
    resp = client.get(f"/procurements/{REF}/letters.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(resp.data)).namelist()
    assert len(names) == 9 and f"{REF} Lot B - {LOSER}.pdf" in names


@pytest.mark.parametrize("role", ("evaluator", "finance", "admin", "chief_executive",
                                  "commissioner", "monitoring_officer"))
def test_letters_are_for_officers_only(client, login_as, procurement, role):
    sign(procurement)
    login_as(role)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"/procurements/{REF}/letters.zip").status_code == 403
    assert client.get(f"{PAGE}/{bid_id('B', LOSER)}.pdf").status_code == 403
    resp = client.post(f"{PAGE}/issue", data={"csrf_token": csrf_token(client, PAGE)})
    assert resp.status_code == 403 and letters() == {}


def test_anonymous_is_sent_to_sign_in(client, procurement):
    for path in (PAGE, f"/procurements/{REF}/letters.zip", f"{PAGE}/{bid_id('A', WINNER)}.pdf",
                 "/letters"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


def test_issue_without_csrf_is_refused(client, login_as, procurement):
    sign(procurement)
    login_as("officer")
    assert client.post(f"{PAGE}/issue").status_code == 400
    assert letters() == {}


def test_supplier_downloads_only_its_own_letter_once_issued(client, login_as, procurement):
    sign(procurement)
    login_as("supplier")  # the supplier's organisation is Victim Support's
    own = f"{PAGE}/{bid_id('B', WINNER)}.pdf"
    resp = client.get(own)
    assert resp.status_code == 404 and "No letter about this bid has been issued yet" in resp.get_data(as_text=True)
    assert "No letters have been issued" in client.get("/letters").get_data(as_text=True)
    # another bidder's letter, and the officer's letters page: not told they exist
    assert client.get(f"{PAGE}/{bid_id('B', LOSER)}.pdf").status_code == 404
    assert client.get(PAGE).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/letters")})
    login_as("officer")
    issue(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, PAGE)})
    login_as("supplier")
    resp = client.get(own)
    assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("attachment")
    text = pdf_text(resp.data)
    assert "ranked 1 out of 2" in text and "95.50" in text and "27 December 2023" in text
    assert client.get(f"{PAGE}/{bid_id('B', LOSER)}.pdf").status_code == 404  # still not theirs
    html = client.get("/letters").get_data(as_text=True)
    assert html.count("Download") == 2 and LOSER not in html  # lots A and B, its own bids


def test_issued_letter_keeps_its_date_and_standstill(client, login_as, procurement, monkeypatch):
    sign(procurement)
    login_as("officer")
    issue(client)
    monkeypatch.setattr(clock, "today", lambda: date(2024, 2, 1))
    client.post("/logout", data={"csrf_token": csrf_token(client, PAGE)})
    login_as("supplier")
    text = pdf_text(client.get(f"{PAGE}/{bid_id('A', WINNER)}.pdf").data)
    assert "15 December 2023" in text and "27 December 2023" in text


def test_supplier_receives_the_letter_exactly_as_issued_after_records_change(
        client, login_as, procurement):
    """A letter is a record of what the bidder was told: a later change to a consensus score
    flags it on the officer's page but never rewrites the letter the bidder downloads."""
    import hashlib

    from evaluation.models import Consensus

    sign(procurement)
    login_as("officer")
    issue(client)
    issued = letters()[("B", WINNER)]
    consensus = db.session.execute(select(Consensus).where(
        Consensus.bid_id == issued.bid_id)).scalars().first()
    consensus.value = consensus.value - 1
    db.session.commit()
    assert "Records changed since" in client.get(PAGE).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, PAGE)})
    login_as("supplier")
    resp = client.get(f"{PAGE}/{issued.bid_id}.pdf")
    assert resp.status_code == 200
    assert hashlib.sha256(resp.data).hexdigest() == issued.pdf_sha256
    assert "95.50" in pdf_text(resp.data)


def test_a_second_click_issues_no_letter_twice_until_the_records_change(
        client, login_as, procurement):
    """Issuing again with nothing changed (a double click, a refresh) issues nothing and says
    so; once a record a letter is drawn from changes, issuing gives the new letters."""
    from evaluation.models import Consensus

    sign(procurement)
    login_as("officer")
    assert "9 letters issued" in issue(client).get_data(as_text=True)
    again = issue(client).get_data(as_text=True)
    assert "had been issued already: none was issued again" in again
    count = lambda: db.session.execute(select(func.count(Letter.id))).scalar_one()  # noqa: E731
    assert count() == 9
    assert len(db.session.execute(select(AuditRecord).filter_by(entity="letter")).all()) == 9
    consensus = db.session.execute(select(Consensus).where(
        Consensus.bid_id == bid_id("B", WINNER))).scalars().first()
    consensus.value = consensus.value - 1
    db.session.commit()
    assert "letters issued" in issue(client).get_data(as_text=True)
    assert count() > 9
