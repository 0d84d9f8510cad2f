"""Issue 13's whole journey in Chromium: a supplier registers its organisation (confirmed by the
link a real SMTP server received), bids on a published opportunity with a price and a PDF,
replaces the bid and reads both receipts; the deadline passes (the server's clock, moved in
this process: the served app runs in a thread of it); an officer of the buyer opens the bids
and reads the register; an evaluator on the lot's panel declares and reads the bid's document
on the scoring page. axe-core checks every page on the way, and the hashes shown are those of
the bytes uploaded."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from tests.browser.flow import OFFICER, fill_form, new_person, press, success_banner, visit
from tests.browser.test_supplier_registration import link_to, smtp  # noqa: F401 (a fixture)
from tests.registration import details
from tests.smtp_server import SMTPServer

REF = "BR-JOURNEY-1"
EVALUATOR = "evaluator.b@demo.example.org"
ORGANISATION = "Juniper Outreach CIC"
EMAIL = "kim@juniper-outreach.example"
PASSWORD = "heron meadow copper"
FIRST = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% first proposal\ntrailer<<>>\n%%EOF\n"
SECOND = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% second proposal\ntrailer<<>>\n%%EOF\n"
DEADLINE_DAYS = 30


@pytest.fixture()
def opportunity(live_server):
    """A procurement of the demo's buyer with a published contract notice, its deadline in
    30 days; lot A has a price criterion and the demo's evaluator B on its panel. Two-person
    opening is off, so one officer opens."""
    from decimal import Decimal

    from sqlalchemy import select

    import clock
    from accounts.models import User
    from evaluation.models import Criterion
    from extensions import db
    from procurement.models import Lot, PanelMember, Procurement, TimelineDate

    app = live_server["app"]
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == OFFICER))
        evaluator = db.session.scalar(select(User).where(User.email == EVALUATOR))
        p = Procurement(reference=REF, title="Community outreach for survivors",
                        organisation_id=officer.organisation_id, regime="PCR2015-OPEN",
                        initial_term_years=2, description="Outreach across the county.",
                        cpv_codes="85312000-9", state="draft", two_person_opening=False)
        lot = Lot(code="A", title="County outreach", annual_value=Decimal("120000"),
                  position=1)
        lot.criteria = [Criterion(code="Q1", section="Quality", title="Service delivery",
                                  weight=Decimal("60"), kind="scored", max_score=Decimal("5"),
                                  position=1, descriptors={"0": "No response",
                                                           "5": "Excellent"}),
                        Criterion(code="P1", section="Price", title="Price",
                                  weight=Decimal("40"), kind="price", position=2)]
        p.lots.append(lot)
        day = clock.today() + timedelta(days=DEADLINE_DAYS)
        p.dates.append(TimelineDate(kind="tender_deadline", with_time=True,
                                    at=datetime.combine(day, datetime.min.time())
                                    .replace(hour=12)))
        db.session.add(p)
        db.session.flush()
        db.session.add(PanelMember(lot_id=lot.id, name="Panel Member B", user_id=evaluator.id))
        db.session.commit()
        runner = app.test_cli_runner()
        made = runner.invoke(args=["notice", "draft", REF, "contract-notice"])
        assert made.exit_code == 0, made.output
        published = runner.invoke(args=["notice", "publish", REF, made.stdout.strip()])
        assert published.exit_code == 0, published.output
        db.session.remove()
    return REF


def register(page, smtp_server):
    page.goto("/login")
    press(page, "text=Register your organisation as a supplier", "/register")
    fill_form(page, details(organisation_name=ORGANISATION, identifier="07654321",
                            address="5 Mill Street\nLeek\nST13 5AA", contact_name="Kim Osei",
                            contact_phone="01632 960 002", vcse="yes", name="Kim Osei",
                            email=EMAIL, password=PASSWORD, confirm_password=PASSWORD))
    press(page, "#register")
    assert page.title().startswith("Check your email"), page.title()
    visit(page, link_to(smtp_server, EMAIL))
    assert page.title().startswith("Your email address is confirmed")


def sign_in_as(page, email: str, password: str):
    visit(page, "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/login" not in page.url, f"{email} could not sign in"


def receipt_of(page) -> dict:
    main = page.locator("main").inner_text()
    return {"main": main, "version": page.locator("#version-sha256").inner_text(),
            "utc": page.locator("#received-utc").inner_text(),
            "uk": page.locator("#received-uk").inner_text(),
            "documents": page.locator("#documents tbody").inner_text()}


def bid(page, price: str, pdf, *, replacing: int | None = None):
    visit(page, f"/opportunities/{REF}")
    press(page, "a:has-text('Your bid for lot A')", f"/opportunities/{REF}/lots/A/bid")
    if replacing is not None:
        assert f"replaces version {replacing}" in page.locator("main").inner_text()
    page.fill("#price", price)
    page.set_input_files("#documents", str(pdf))
    page.check("#declaration")
    press(page, "button:has-text('Submit the bid')")


def sha(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def test_register_bid_replace_open_and_evaluate(browser, live_server, opportunity, smtp,
                                                monkeypatch, tmp_path):
    import clock

    first, second = tmp_path / "proposal.pdf", tmp_path / "proposal-revised.pdf"
    first.write_bytes(FIRST)
    second.write_bytes(SECOND)

    # 1. the supplier registers, confirms by the mailed link and signs in
    supplier = new_person(browser, live_server["url"])
    register(supplier, smtp)
    sign_in_as(supplier, EMAIL, PASSWORD)
    assert ORGANISATION in supplier.locator("#organisation").inner_text()

    # 2. its bid: a price and a PDF, declared; the receipt
    bid(supplier, "118500", first)
    assert supplier.url.endswith(f"/opportunities/{REF}/lots/A/bid/receipt/1"), supplier.url
    one = receipt_of(supplier)
    assert "Version 1 of your bid was received" in one["main"]
    assert ORGANISATION in one["main"] and "£118,500.00" in one["main"]
    assert "proposal.pdf" in one["documents"] and sha(FIRST) in one["documents"]
    assert one["version"].startswith("sha256:") and len(one["version"]) == 7 + 64
    assert one["utc"].endswith("Z") and one["uk"]
    receipts = [m for m in smtp.wait_for(2) if m["To"] == EMAIL]
    assert any(sha(FIRST) in SMTPServer.body(m) for m in receipts), "no receipt was mailed"

    # 3. replaced: version 2 received, version 1 kept as superseded
    bid(supplier, "117250.50", second, replacing=1)
    assert supplier.url.endswith(f"/opportunities/{REF}/lots/A/bid/receipt/2"), supplier.url
    two = receipt_of(supplier)
    assert "Version 2 of your bid was received" in two["main"] and "£117,250.50" in two["main"]
    assert sha(SECOND) in two["documents"] and "proposal-revised.pdf" in two["documents"]
    assert two["version"] != one["version"]
    visit(supplier, f"/opportunities/{REF}/lots/A/bid/receipt/1")
    old = receipt_of(supplier)
    assert "Superseded" in old["main"] and old["version"] == one["version"]
    supplier.context.close()

    # 4. the deadline passes by the server's clock (sessions expire: everyone signs in after)
    later = clock.utcnow() + timedelta(days=DEADLINE_DAYS + 2)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    monkeypatch.setattr(clock, "today", lambda: later.date())

    # 5. an officer of the buyer opens the bids and reads the register
    officer = new_person(browser, live_server["url"], OFFICER)
    visit(officer, f"/procurements/{REF}")
    press(officer, "#link-bids-opening", f"/procurements/{REF}/bids")
    sealed = officer.locator("main").inner_text()
    assert ORGANISATION in sealed and sha(SECOND) in sealed
    assert "proposal-revised.pdf" not in sealed and "117,250.50" not in sealed
    press(officer, "#open-bids", f"/procurements/{REF}/bids/register")
    assert "The bids are opened." in success_banner(officer)
    register_text = officer.locator("main").inner_text()
    assert ORGANISATION in register_text and "proposal-revised.pdf" in register_text
    assert sha(SECOND) in register_text and two["version"] in register_text
    assert sha(FIRST) not in register_text  # the superseded version is not what was opened

    # 6. the evaluator on the lot's panel declares no conflict and reads the bid
    evaluator = new_person(browser, live_server["url"], EVALUATOR)
    visit(evaluator, f"/evaluation/{REF}/lots/A/declarations")
    radios = evaluator.locator("input[type=radio][value=none]")
    assert radios.count() == 1  # one bidder to declare on
    radios.first.check()
    press(evaluator, "#save-declarations", f"/evaluation/{REF}/lots/A/scoring")
    press(evaluator, f"a:has-text('{ORGANISATION}')")
    assert evaluator.locator("#bid-documents a").inner_text() == "proposal-revised.pdf"
    assert sha(SECOND) in evaluator.locator("#bid-documents").inner_text()
    # price is scored by formula: hidden until this evaluator's scores are submitted
    assert "117,250.50" not in evaluator.locator("main").inner_text()
    assert "Not shown until your scores" in evaluator.locator("#bid-price").inner_text()
    src = evaluator.locator("iframe.tender-pdf-preview").get_attribute("src")
    preview = evaluator.request.get(src)
    assert preview.ok and preview.body() == SECOND
    assert "Score descriptors for Q1" in evaluator.locator("main").inner_text()
