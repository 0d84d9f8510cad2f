"""The selection pages in real Chromium: the finance reviewer's assessment and the supplier's
questionnaire, with their errors, each checked by axe-core."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

import clock
from tests.browser.conftest import assert_accessible, sign_in

REF = "SCO-DA-2023"
OPEN_REF = "SCO-SQ-OPEN"


def _open_tender(app) -> None:
    """A second procurement of the demo's buyer, its tender open for a week."""
    from accounts.models import User
    from extensions import db
    from procurement.models import Lot, Procurement, TimelineDate

    with app.app_context():
        if db.session.scalar(select(Procurement).where(Procurement.reference == OPEN_REF)):
            return
        officer = db.session.scalar(select(User).where(User.email == "officer@demo.example.org"))
        p = Procurement(reference=OPEN_REF, title="Selection questionnaire open tender",
                        organisation_id=officer.organisation_id, regime="PCR2015-OPEN",
                        state="tender_published")
        p.lots = [Lot(code="A", title="Lot A", annual_value=Decimal("100000"))]
        p.dates = [TimelineDate(kind="tender_deadline", with_time=True,
                                at=clock.utcnow() + timedelta(days=7))]
        db.session.add(p)
        db.session.commit()
        db.session.remove()


def test_the_finance_reviewers_page_and_its_errors_are_accessible(page):
    sign_in(page, "finance@demo.example.org")
    page.goto(f"/procurements/{REF}/financial")
    assert_accessible(page)
    page.locator("td a").first.click()
    assert page.title().startswith("Financial standing of")
    assert_accessible(page)
    page.click("text=Record the assessment")
    summary = page.locator(".govuk-error-summary")
    assert "Enter the Delphi score" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    summary.locator("a").first.focus()
    page.keyboard.press("Enter")  # the summary's link takes the keyboard to the field
    assert page.evaluate("document.activeElement.id") == "delphi_score"


def test_the_supplier_questionnaire_and_its_errors_are_accessible(page, live_server):
    _open_tender(live_server["app"])
    sign_in(page, "supplier@demo.example.org")
    page.goto(f"/opportunities/{OPEN_REF}/selection")
    assert page.title().startswith("Selection questionnaire")
    assert_accessible(page)
    page.click("text=Submit the answers")
    assert "Answer question" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.locator("textarea").first.fill("Northfield Change Partnership CIC, 01234567")
    page.click("text=Save as draft")
    page.locator("text=Your answers are saved as a draft").wait_for()  # after the redirect
    assert_accessible(page)


def test_the_officers_questionnaire_and_marking_pages_are_accessible(page):
    sign_in(page, "officer@demo.example.org")
    page.goto(f"/procurements/{REF}/selection")
    assert_accessible(page)
    page.goto(f"/procurements/{REF}/selection/questions/3.5")
    page.fill("#text", "")
    page.click("text=Save the question")
    assert "Enter the question" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.goto(f"/procurements/{REF}/selection/bidders")
    assert_accessible(page)
