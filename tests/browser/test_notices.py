"""Issue 12 in Chromium: the officer drafts and publishes a contract notice from the records
and uploads a tender document; the public, not signed in, finds the opportunity, reads the
notice and its documents; a supplier asks a question, the officer answers and publishes it,
and the supplier sees the answer on its home page. axe-core checks every page on the way."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.browser.flow import OFFICER, new_person, press, success_banner, visit

REF = "BR-NOTICE-1"
SUPPLIER = "supplier@demo.example.org"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def tender(live_server):
    """A procurement of the demo officer's organisation, ready for its tender notice."""
    from decimal import Decimal

    from sqlalchemy import select

    import clock
    from accounts.models import User
    from evaluation.models import Criterion
    from extensions import db
    from procurement.models import Lot, Procurement, TimelineDate

    with live_server["app"].app_context():
        officer = db.session.scalar(select(User).where(User.email == OFFICER))
        p = Procurement(reference=REF, title="Sanctuary scheme target hardening",
                        description="Home security for people at risk of domestic abuse.",
                        organisation_id=officer.organisation_id, regime="PCR2015-OPEN",
                        initial_term_years=2, cpv_codes="79710000-4", state="draft")
        lot = Lot(code="A", title="Sanctuary scheme", annual_value=Decimal("80000"), position=1)
        lot.criteria = [Criterion(code="Q1", section="Quality", title="Approach",
                                  weight=Decimal("70"), kind="scored", max_score=Decimal("5"),
                                  position=1),
                        Criterion(code="P1", section="Price", title="Price",
                                  weight=Decimal("30"), kind="price", position=2)]
        p.lots.append(lot)
        day = clock.today() + timedelta(days=45)
        p.dates.append(TimelineDate(kind="tender_deadline",
                                    at=datetime.combine(day, datetime.min.time()).replace(hour=12),
                                    with_time=True))
        p.dates.append(TimelineDate(kind="clarification_deadline",
                                    at=datetime.combine(day - timedelta(days=10),
                                                        datetime.min.time()).replace(hour=12),
                                    with_time=True))
        db.session.add(p)
        db.session.commit()
        db.session.remove()
    return REF


def test_the_officer_publishes_and_the_public_reads_it(browser, live_server, tender, tmp_path):
    officer = new_person(browser, live_server["url"], OFFICER)
    visit(officer, f"/procurements/{REF}")
    press(officer, "text=Tender documents", f"/procurements/{REF}/documents")
    path = tmp_path / "specification.pdf"
    path.write_bytes(PDF)
    officer.fill("#title", "Specification")
    officer.set_input_files("#document", str(path))
    press(officer, "button:has-text('Upload')", f"/procurements/{REF}/documents")
    assert "specification.pdf was uploaded" in success_banner(officer)

    visit(officer, f"/procurements/{REF}")
    press(officer, "a.govuk-link:text-is('Notices')", f"/procurements/{REF}/notices")
    officer.select_option("#kind", "contract-notice")
    press(officer, "button:has-text('Draft the notice')")
    assert "/notices/" in officer.url and "Draft" in officer.locator("main").inner_text()
    assert "£80,000" in officer.locator("main").inner_text()
    press(officer, "#publish")
    assert "The contract notice is published." in success_banner(officer)

    public = new_person(browser, live_server["url"])
    visit(public, "/opportunities")
    press(public, "a:has-text('Sanctuary scheme target hardening')", f"/opportunities/{REF}")
    main = public.locator("main").inner_text()
    assert "Contract notice" in main and "left" in main and "Specification" in main
    press(public, "#notices a >> nth=0")
    assert "Sanctuary scheme target hardening" in public.locator("h1").inner_text()
    assert "Approach" in public.locator("main").inner_text()
    visit(public, "/opportunities?q=sanctuary&cpv=7971")
    assert public.locator(".govuk-summary-card").count() == 1
    response = public.request.get(f"/opportunities/{REF}/ocds.json")
    assert response.ok and response.json()["releases"][0]["tag"] == ["tender"]


@pytest.fixture()
def published(live_server, tender):
    """The tender notice published (by the test before, or here when run alone)."""
    app = live_server["app"]
    runner = app.test_cli_runner()
    with app.app_context():
        import json

        rows = json.loads(runner.invoke(args=["notice", "list", REF]).stdout)
        if not any(r["state"] == "published" for r in rows):
            made = runner.invoke(args=["notice", "draft", REF, "contract-notice"])
            assert runner.invoke(args=["notice", "publish", REF, made.stdout.strip()]
                                 ).exit_code == 0
        from extensions import db
        db.session.remove()
    return REF


def test_a_question_answered_for_everyone(browser, live_server, published):
    supplier = new_person(browser, live_server["url"], SUPPLIER)
    visit(supplier, f"/opportunities/{REF}")
    press(supplier, "text=Ask a clarification question", f"/opportunities/{REF}/questions")
    supplier.fill("#question", "Is a site survey part of the service?")
    press(supplier, "button:has-text('Send the question')", f"/opportunities/{REF}")

    officer = new_person(browser, live_server["url"], OFFICER)
    visit(officer, f"/procurements/{REF}/clarifications")
    assert "Northfield Change Partnership CIC" in officer.locator("main").inner_text()
    press(officer, "a:has-text('site survey')")
    officer.fill("#answer", "Yes: every referral starts with a site survey.")
    press(officer, "button:has-text('Save the answer')")
    press(officer, "button:has-text('Publish the answer to every supplier')",
          f"/procurements/{REF}/clarifications")

    public = new_person(browser, live_server["url"])
    visit(public, f"/opportunities/{REF}")
    text = public.locator("main").inner_text()
    assert "every referral starts with a site survey" in text
    assert "Northfield" not in text
    visit(supplier, "/supplier")
    assert "every referral starts with a site survey" in supplier.locator("main").inner_text()
