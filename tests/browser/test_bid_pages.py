"""The supplier's bid pages in Chromium, checked by axe-core: the form, its error summary
(focus moves to it), a draft, the submission by keyboard, the receipt and the list of bids.
(The whole flow with the opening is the lead's test.)"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.browser.flow import OFFICER, new_person, press, success_banner, visit

REF = "BR-BID-1"
SUPPLIER = "supplier@demo.example.org"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def opportunity(live_server):
    from decimal import Decimal

    from sqlalchemy import select

    import clock
    from accounts.models import User
    from evaluation.models import Criterion
    from extensions import db
    from procurement.models import Lot, Procurement, TimelineDate

    app = live_server["app"]
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == OFFICER))
        p = Procurement(reference=REF, title="Refuge accommodation", organisation_id=officer
                        .organisation_id, regime="PCR2015-OPEN", initial_term_years=2,
                        description="Refuge places.", cpv_codes="85311000-2", state="draft")
        lot = Lot(code="A", title="Refuge places", annual_value=Decimal("90000"), position=1)
        lot.criteria = [Criterion(code="Q1", section="Quality", title="Approach",
                                  weight=Decimal("70"), kind="scored", max_score=Decimal("5"),
                                  position=1),
                        Criterion(code="P1", section="Price", title="Price",
                                  weight=Decimal("30"), kind="price", position=2)]
        p.lots.append(lot)
        day = clock.today() + timedelta(days=45)
        p.dates.append(TimelineDate(kind="tender_deadline", with_time=True,
                                    at=datetime.combine(day, datetime.min.time()).replace(hour=12)))
        db.session.add(p)
        db.session.commit()
        runner = app.test_cli_runner()
        made = runner.invoke(args=["notice", "draft", REF, "contract-notice"])
        assert runner.invoke(args=["notice", "publish", REF, made.stdout.strip()]).exit_code == 0
        db.session.remove()
    return REF


def test_a_supplier_bids_by_keyboard_and_reads_its_receipt(browser, live_server, opportunity,
                                                           tmp_path):
    pdf = tmp_path / "proposal.pdf"
    pdf.write_bytes(PDF)
    fake = tmp_path / "virus.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    supplier = new_person(browser, live_server["url"], SUPPLIER)
    visit(supplier, f"/opportunities/{REF}")
    press(supplier, "a:has-text('Your bid for lot A')", f"/opportunities/{REF}/lots/A/bid")
    # wrong type, no price, no declaration: one error summary, focused, with every problem
    supplier.set_input_files("#documents", str(fake))
    press(supplier, "button:has-text('Submit the bid')")
    summary = supplier.locator(".govuk-error-summary")
    text = summary.inner_text()
    assert "Enter your price for the lot" in text and "virus.pdf is not a PDF" in text
    assert "Confirm the declaration" in text
    assert supplier.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    # a draft keeps the document and the price
    supplier.fill("#price", "90000")
    supplier.set_input_files("#documents", str(pdf))
    press(supplier, "button:has-text('Save as draft')", f"/opportunities/{REF}/lots/A/bid")
    assert "Your draft was saved" in success_banner(supplier)
    assert supplier.input_value("#price") == "90000.00"
    assert "Take out proposal.pdf" in supplier.locator("main").inner_text()
    # submitted by keyboard: tick the declaration with Space, submit with Enter
    supplier.focus("#declaration")
    supplier.keyboard.press("Space")
    assert supplier.is_checked("#declaration")
    supplier.focus("button:has-text('Submit the bid')")
    with supplier.expect_navigation():
        supplier.keyboard.press("Enter")
    assert supplier.url.endswith(f"/opportunities/{REF}/lots/A/bid/receipt/1")
    main = supplier.locator("main").inner_text()
    assert "Version 1 of your bid was received" in main and "sha256:" in main
    assert "£90,000.00" in main
    visit(supplier, "/bids")
    assert "Version 1" in supplier.locator("main").inner_text()
    visit(supplier, f"/opportunities/{REF}/lots/A/bid")
