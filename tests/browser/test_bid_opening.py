"""Issue 13 in Chromium: after the deadline the officer reads what was received (no
contents), opens the bids and reads the register; an evaluator on the panel declares, then
reads the bid's document previewed in the scoring page. axe-core checks every page, and the
Content-Security-Policy must block nothing (the preview is framed by the app itself)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.flow import OFFICER, new_person, press, success_banner, visit

REF = "BR-OPEN-1"
EVALUATOR = "evaluator.a@demo.example.org"
BIDDER = "Delta Sealed Ltd"


@pytest.fixture(scope="module")
def closed_tender(live_server):
    """A procurement of the demo's organisation whose deadline passed yesterday, with a
    sealed bid in lot A and the demo's evaluator A on its panel."""
    from decimal import Decimal

    from sqlalchemy import select

    import clock
    from accounts.models import User
    from evaluation.models import Criterion
    from extensions import db
    from procurement.models import Lot, PanelMember, Procurement, TimelineDate
    from tests.integration.sealed_fixtures import sealed_bid

    with live_server["app"].app_context():
        officer = db.session.scalar(select(User).where(User.email == OFFICER))
        evaluator = db.session.scalar(select(User).where(User.email == EVALUATOR))
        p = Procurement(reference=REF, title="Refuge support services",
                        organisation_id=officer.organisation_id, regime="PCR2015-OPEN",
                        initial_term_years=2, state="clarifications")
        lot = Lot(code="A", title="Refuge", annual_value=Decimal("90000"), position=1)
        lot.criteria = [Criterion(code="Q1", section="Quality", title="Approach",
                                  weight=Decimal("70"), kind="scored", max_score=Decimal("5"),
                                  position=1, descriptors={"0": "No response", "5": "Excellent"}),
                        Criterion(code="P1", section="Price", title="Price",
                                  weight=Decimal("30"), kind="price", position=2)]
        p.lots.append(lot)
        p.dates.append(TimelineDate(kind="tender_deadline",
                                    at=clock.utcnow() - timedelta(days=1), with_time=True))
        db.session.add(p)
        db.session.flush()
        db.session.add(PanelMember(lot_id=lot.id, name="Panel Member A", user_id=evaluator.id))
        db.session.commit()
        sealed_bid(lot, BIDDER, received_at=clock.utcnow() - timedelta(days=2))
        db.session.remove()
    return REF


def test_the_officer_opens_and_the_evaluator_reads_the_bid(browser, live_server, closed_tender):
    officer = new_person(browser, live_server["url"], OFFICER)
    visit(officer, f"/procurements/{REF}")
    press(officer, "#link-bids-opening", f"/procurements/{REF}/bids")
    main = officer.locator("main").inner_text()
    assert BIDDER in main and "sha256:" in main and "method-statement.pdf" not in main
    press(officer, "#open-bids", f"/procurements/{REF}/bids/register")
    assert "The bids are opened." in success_banner(officer)
    assert "method-statement.pdf" in officer.locator("main").inner_text()
    response = officer.request.get(f"/procurements/{REF}/bids/register.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"

    evaluator = new_person(browser, live_server["url"], EVALUATOR)
    visit(evaluator, f"/evaluation/{REF}/lots/A/declarations")
    for radio in evaluator.locator("input[type=radio][value=none]").all():
        radio.check()
    press(evaluator, "#save-declarations", f"/evaluation/{REF}/lots/A/scoring")
    press(evaluator, f"a:has-text('{BIDDER}')")
    assert evaluator.locator("#bid-documents a").inner_text() == "method-statement.pdf"
    frame = evaluator.locator("iframe.tender-pdf-preview")
    assert frame.count() == 1
    src = frame.get_attribute("src")
    assert evaluator.request.get(src).ok
    assert "Score descriptors for Q1" in evaluator.locator("main").inner_text()
