"""No N+1 queries: the pages of a tender read with a number of queries that does not grow with
its lots and bids (counted with SQLAlchemy's `before_cursor_execute`)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import event

from evaluation.models import Consensus, Criterion
from evaluation.results import cache
from extensions import db
from procurement.models import Bid, Bidder, Lot, PanelMember, PartnerContribution, Procurement
from tests.integration.signing_fixtures import client_for

PAGES = {
    "procurement page": "/procurements/{ref}",
    "evaluation overview": "/evaluation/{ref}",
    "decision note page": "/procurements/{ref}/decision-note",
    "sign-off page": "/procurements/{ref}/decision-note/sign-off",
    "letters page": "/procurements/{ref}/letters",
}


def tender(buyer, reference: str, lots: int, bids: int) -> Procurement:
    p = Procurement(reference=reference, title=f"Tender of {lots} lots", organisation=buyer,
                    regime="PCR2015-LTR", relates_to="Crime", initial_term_years=3,
                    extension_years="1", state="evaluation")
    p.partners = [PartnerContribution(name=buyer.name, annual_contribution=Decimal("1000"),
                                      position=1)]
    bidders = [Bidder(name=f"Supplier {n:02d}") for n in range(bids)]
    p.bidders = bidders
    for i in range(lots):
        lot = Lot(code=f"L{i:02d}", title=f"Lot {i}", annual_value=Decimal("100000"),
                  position=i, results_final_at=datetime(2024, 5, 1))
        q = Criterion(code="Q1", section="Quality", title="Delivery", weight=Decimal("60"),
                      kind="scored", max_score=Decimal("5"), position=1)
        lot.criteria = [q, Criterion(code="P1", section="Price", title="Price",
                                     weight=Decimal("40"), kind="price", position=2)]
        for n, bidder in enumerate(bidders):
            bid = Bid(bidder=bidder, price=Decimal(90000 + n), selection="pass")
            lot.bids.append(bid)
            db.session.add(Consensus(bid=bid, criterion=q, value=Decimal(1 + n % 5),
                                     rationale="Agreed"))
        p.lots.append(lot)
    db.session.add(p)
    db.session.flush()
    from decisions.note.service import get_or_create_note
    note = get_or_create_note(p)  # the narrative a note cannot be sent without
    note.narrative = {"summary": "Award the contracts.", "recommendation": "Approve the award."}
    db.session.commit()
    return p


def queries(client, url: str) -> int:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, url
    return len(seen)


@pytest.fixture()
def tenders(app, users):
    buyer = users["officer"].organisation
    small = tender(buyer, "SMALL-1", lots=1, bids=2)
    large = tender(buyer, "LARGE-1", lots=6, bids=5)
    for p in (small, large):
        out = app.test_cli_runner().invoke(args=["decision-note", "send", p.reference])
        assert out.exit_code == 0, out.output
    return small, large


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("cached", [False, True], ids=["cold", "warm"])
def test_a_page_reads_as_many_queries_for_a_large_tender_as_for_a_small_one(
        app, users, tenders, page, cached):
    officer = client_for(app, users["officer"].email)
    counts = []
    for p in tenders:
        url = PAGES[page].format(ref=p.reference)
        if cached:
            officer.get(url)
        else:
            cache.clear()
        counts.append(queries(officer, url))
    small, large = counts
    assert large <= small, f"{page}: {small} queries for 1 lot x 2 bids, {large} for 6 x 5"


def test_the_links_a_page_offers_an_evaluator_cost_no_query_each(app, users, tenders):
    """`may` works out an evaluator's seats (panel lots, SQ marking) once per request and
    procurement, however many links the page asks about."""
    from flask_login import login_user

    from procurement.access import may

    small, _large = tenders
    evaluator = users["evaluator"]
    db.session.add(PanelMember(lot_id=small.lots[0].id, name=evaluator.name,
                               user_id=evaluator.id))
    db.session.commit()
    endpoints = ["home.show", "evaluation.declarations", "evaluation.scoring",
                 "evaluation.results", "evaluation.overview"]
    with app.test_request_context("/"):
        login_user(evaluator)
        lot = small.lots[0]  # loaded here, not counted below
        first = _counted(lambda: may(endpoints[0], small))
        allowed = []
        rest = _counted(lambda: allowed.extend(may(e, small, lot)
                                               for e in endpoints * 4))
    assert allowed[:5] == [True, True, True, False, False]  # a panel member, not the officer
    assert first >= 1  # the seats were read
    assert rest == 0, f"{rest} queries for 20 more links"


def _counted(fn) -> int:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)
