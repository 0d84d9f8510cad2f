"""Issue 11, "Done when": the reference tender's procurement created entirely in Chromium —
details, lots, partners, key dates, engagement events, check and finalise, criteria, panel —
and its decision note shows the same figures as the reference workbook imported through
`tender import`. axe-core checks every page on the way, error pages included.

The three bids are recorded as received outside Tender (suppliers' bids in the browser are
another issue's); the panel's scores and consensus are uploaded through the officer's upload
page, as a panel working in Excel does, after each evaluator has declared in the browser."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests import reference_tender as ref
from tests.browser.flow import OFFICER, SEATS, new_person, press, success_banner, visit

REF = "SCO-DA-2023-WEB"
IMPORTED = "SCO-DA-2023-CLI"


@pytest.fixture(scope="module")
def imported(live_server, tmp_path_factory):
    """The reference workbook, under its own reference, through the `tender import` command."""
    from interchange.workbook_file import write_workbook

    tender = ref.parsed()
    tender.reference = IMPORTED
    path = tmp_path_factory.mktemp("cli") / "reference.xlsx"
    write_workbook(tender, str(path))
    result = live_server["app"].test_cli_runner().invoke(args=["tender", "import", str(path)])
    assert result.exit_code == 0, result.output
    return IMPORTED


def _fill_details(page, tender):
    page.fill("#reference", REF)
    page.fill("#title", tender.title)
    page.fill("#description", ref.DETAILS["description"])
    for mark in tender.relates_to:
        page.get_by_label(mark, exact=True).check()
    page.get_by_label("Public Contracts Regulations 2015, light-touch regime").check()
    page.fill("#cpv_codes", ref.DETAILS["cpv_codes"])
    page.fill("#region", ref.DETAILS["region"])
    page.get_by_label("Sub-central authority").check()
    page.fill("#initial_term_years", str(tender.initial_term_years))
    page.fill("#extension_years", ", ".join(str(y) for y in tender.extension_years))
    page.fill("#min_delphi", str(tender.min_delphi))
    page.locator("#two_person_opening-2").check()  # No


def _task(page, name: str, path: str):
    press(page, page.get_by_role("link", name=name), path)


def _date(page, kind: str, day):
    press(page, f"#change-{kind}", f"/procurements/{REF}/set-up/dates/{kind}")
    page.fill("#at_day", str(day.day))
    page.fill("#at_month", str(day.month))
    page.fill("#at_year", str(day.year))
    press(page, "#save-date", f"/procurements/{REF}/set-up/dates")


def _pdf_figures(page, reference: str) -> tuple[list[str], str]:
    resp = page.request.get(f"/procurements/{reference}/decision-note/note.pdf")
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(resp.body())).pages)
    return re.findall(r"£[\d,]+(?:\.\d\d)?|\b\d{1,3}\.\d\d\b", text), text


def test_the_reference_tender_set_up_in_the_browser_matches_the_imported_one(
        browser, live_server, imported):
    app, base = live_server["app"], live_server["url"]
    tender = ref.parsed()
    officer = new_person(browser, base, OFFICER)

    # 1. create the procurement: a wrong CPV check digit first, then the details
    visit(officer, "/procurements")
    press(officer, "#create-procurement", "/procurements/new")
    _fill_details(officer, tender)
    officer.fill("#cpv_codes", "85300000-3")
    press(officer, "#save-details", "/procurements/new")
    assert officer.title().startswith("Error: ")
    summary = officer.locator(".govuk-error-summary")
    assert "the check digit of 85300000 is 2" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert officer.evaluate("document.activeElement.id") == "cpv_codes"
    officer.fill("#cpv_codes", ref.DETAILS["cpv_codes"])
    press(officer, "#save-details", f"/procurements/{REF}/set-up")
    assert f"Procurement {REF} created" in success_banner(officer)
    assert "Cannot start yet" in officer.locator(".govuk-task-list").inner_text()

    # 2. lots and partners
    _task(officer, "Lots and their annual values", f"/procurements/{REF}/lots")
    for lot in tender.lots:
        press(officer, "#add-lot", f"/procurements/{REF}/lots/new")
        officer.fill("#code", lot.code)
        officer.fill("#title", lot.title)
        officer.fill("#annual_value", ref.money_text(lot.annual_value))
        press(officer, "#save-lot", f"/procurements/{REF}/lots")
        assert f"Lot {lot.code} added." in success_banner(officer)
    assert officer.locator("#annual-total").inner_text() == "£3,375,221"
    press(officer, officer.get_by_role("link", name="Remove lot B"))  # and keep it
    press(officer, officer.get_by_role("link", name="No, keep it"), f"/procurements/{REF}/lots")
    visit(officer, f"/procurements/{REF}/set-up")
    _task(officer, "Commissioning partners and their contributions", f"/procurements/{REF}/partners")
    for i, partner in enumerate(tender.partners):
        press(officer, "#add-partner", f"/procurements/{REF}/partners/new")
        officer.fill("#name", partner.name)
        # the last partner typed a pound short first: the page says so, then it is corrected
        short = partner.annual_contribution - (1 if i == len(tender.partners) - 1 else 0)
        officer.fill("#annual_contribution", ref.money_text(short))
        press(officer, "#save-partner", f"/procurements/{REF}/partners")
    assert "which is £1 less than the lots' total of £3,375,221" in officer.locator("#totals-check").inner_text()

    # 3. check your answers refuses to finalise and says which figure is off; correct it
    visit(officer, f"/procurements/{REF}/set-up/check")
    press(officer, "#finalise")
    assert officer.title().startswith("Error: ")
    assert "Partner contributions total £3,375,220, which is £1 less" in \
        officer.locator("#finalise-problems").inner_text()
    last = tender.partners[-1]
    press(officer, officer.get_by_role("link", name=f"Change {last.name}"))
    officer.fill("#annual_contribution", ref.money_text(last.annual_contribution))
    press(officer, "#save-partner", f"/procurements/{REF}/partners")
    assert "add up to the lots' total annual value of £3,375,221" in officer.locator("#totals-check").inner_text()

    # 4. key dates and engagement events
    visit(officer, f"/procurements/{REF}/set-up")
    _task(officer, "Key dates", f"/procurements/{REF}/set-up/dates")
    for kind in ("itt_published", "tender_deadline", "contract_start"):
        _date(officer, kind, getattr(tender, kind))
    visit(officer, f"/procurements/{REF}/set-up")
    _task(officer, "Engagement events", f"/procurements/{REF}/events")
    press(officer, "#add-event", f"/procurements/{REF}/events/new")
    press(officer, "#save-event", f"/procurements/{REF}/events/new")  # empty: errors, checked by axe
    assert "Enter the date of the event" in officer.locator(".govuk-error-summary").inner_text()
    for d, m, y, kind, who in ref.EVENTS:
        if officer.url.endswith("/events"):
            press(officer, "#add-event", f"/procurements/{REF}/events/new")
        officer.fill("#on_day", d)
        officer.fill("#on_month", m)
        officer.fill("#on_year", y)
        officer.fill("#kind", kind)
        officer.fill("#attendees", who)
        press(officer, "#save-event", f"/procurements/{REF}/events")

    # 5. the details as entered, then finalise
    visit(officer, f"/procurements/{REF}/details")
    assert officer.input_value("#region") == ref.DETAILS["region"]
    assert officer.locator("#relates_to").is_checked() and officer.locator("#regime").is_checked()
    visit(officer, f"/procurements/{REF}/set-up/check")
    press(officer, "#finalise", f"/procurements/{REF}/set-up")
    assert "is finalised" in success_banner(officer)
    statuses = officer.locator(".govuk-task-list__status").all_inner_texts()
    assert [s.strip() for s in statuses] == ["Completed"] * 6

    # 6. the procurement page: the threshold assessment
    visit(officer, f"/procurements/{REF}")
    assert officer.locator("#whole-term-value").inner_text().startswith("£16,876,105")
    assert "Above the threshold" in officer.locator("#threshold-verdict").inner_text()

    # 7. criteria and panel (the evaluation pages)
    for c in tender.criteria:
        visit(officer, f"/evaluation/{REF}/lots/{c.lot}/model")
        press(officer, "#add-criterion")
        form = ref.criterion_form(c)
        for name in ("code", "section", "title", "weight", "max_score", "min_score"):
            officer.fill(f"#{name}", form[name])
        press(officer, "#save-criterion", f"/evaluation/{REF}/lots/{c.lot}/model")
    assert "The weights total 100.00." in officer.locator("#weights-total").inner_text()
    names = {}
    for lot in tender.lots:
        visit(officer, f"/evaluation/{REF}/lots/{lot.code}/panel")
        for member, email in SEATS.items():
            names[member] = _user_name(app, email)
            label = next(t for t in officer.locator("#user_id option").all_inner_texts()
                         if t.startswith(names[member] + " ("))
            officer.select_option("#user_id", label=label)
            press(officer, "#add-member", f"/evaluation/{REF}/lots/{lot.code}/panel")

    # 8. the bids, received outside Tender; each evaluator declares; the panel's scores uploaded
    with app.app_context():
        ref.record_bids(REF)
    for email in SEATS.values():
        evaluator = new_person(browser, base, email)
        for lot in tender.lots:
            visit(evaluator, f"/evaluation/{REF}/lots/{lot.code}/declarations")
            for bidder in sorted({b.bidder for b in tender.bids if b.lot == lot.code}):
                evaluator.get_by_label(f"No, I have no conflict of interest with {bidder}").check()
            press(evaluator, "#save-declarations", f"/evaluation/{REF}/lots/{lot.code}/scoring")
        evaluator.context.close()
    visit(officer, f"/evaluation/{REF}/upload")
    officer.set_input_files("#workbook", files=[{
        "name": "scores.xlsx", "buffer": ref.scores_workbook(names),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    press(officer, "#upload-submit", f"/evaluation/{REF}")
    assert "Uploaded 36 individual scores and 12 consensus scores." in success_banner(officer)

    # 9. the decision note: the same figures as the imported one's
    visit(officer, f"/procurements/{REF}/decision-note")
    web_figures, web_text = _pdf_figures(officer, REF)
    imported_figures, _ = _pdf_figures(officer, imported)
    assert web_figures == imported_figures
    for figure in ("£2,875,221", "£500,000", "£1,859,195.76", "£895,000", "£621,025.24",
                   "£3,375,221", "97.00", "95.50", "64.00"):
        assert figure in web_figures, figure
    assert web_text.count("Engagement events held:") == 1
    assert "23 September 2022 – Stakeholder engagement event" in web_text
    with app.app_context():
        from sqlalchemy import select

        from extensions import db
        from procurement.models import Procurement

        def get(reference):
            return db.session.execute(select(Procurement).where(
                Procurement.reference == reference)).scalar_one()
        assert ref.note_figures(get(REF)) == ref.note_figures(get(IMPORTED))
        db.session.remove()
    officer.context.close()


def _user_name(app, email: str) -> str:
    from sqlalchemy import select

    from accounts.models import User
    from extensions import db

    with app.app_context():
        name = db.session.execute(select(User.name).where(User.email == email)).scalar_one()
        db.session.remove()
    return name
