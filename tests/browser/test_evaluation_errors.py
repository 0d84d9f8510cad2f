"""Errors on the evaluation forms are announced in a GOV.UK error summary linked to their
fields, in Chromium (issue 6, point 8): the page title starts "Error:", the summary is an
alert and takes the focus, each link points at the id of the field in error and moves the
focus there, and axe-core finds nothing wrong with the page."""
from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible
from tests.browser.flow import (OFFICER, SEATS, active, import_copy, is_active, new_person,
                                press, visit)

REF = "SCO-DA-2023-ERRORS"


@pytest.fixture(scope="module")
def evaluator(browser, live_server):
    # lot A for the evaluator to get wrong; lot B scored by the panel, for the moderator
    import_copy(live_server["app"], REF, keep_score=lambda s: s.lot == "B",
                seats=(("A", "Panel Member A"),))
    page = new_person(browser, live_server["url"], SEATS["Panel Member A"])
    yield page
    page.context.close()


def lot_url(tail: str = "") -> str:
    return f"/evaluation/{REF}/lots/A{tail}"


def summary_links(page) -> list[tuple[str, str]]:
    links = page.locator(".govuk-error-summary__list a")
    return [(links.nth(i).get_attribute("href"), links.nth(i).inner_text().strip())
            for i in range(links.count())]


def assert_error_page(page, expected: dict[str, str]):
    """The page shows exactly `expected` ({field id: message}) in a summary linked to them."""
    assert page.title().startswith("Error:"), page.title()
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1
    assert summary.get_attribute("data-module") == "govuk-error-summary"
    assert summary.locator("[role=alert]").count() == 1
    assert summary.locator("h2").inner_text() == "There is a problem"
    # GOV.UK Frontend moves the focus to the summary so a screen reader reads it out
    assert is_active(page, ".govuk-error-summary"), active(page)
    links = summary_links(page)
    assert {href: text for href, text in links} == {f"#{k}": v for k, v in expected.items()}
    for field_id, message in expected.items():
        field = page.locator(f'[id="{field_id}"]')
        assert field.count() == 1, field_id  # the link's target exists, once
        # the field's group shows the error, and its message is tied to the field (or, for
        # radios, to their fieldset)
        described = field.evaluate("""e => {
            const owner = e.type === 'radio' ? e.closest('fieldset') : e;
            return [e.closest('.govuk-form-group').classList.contains('govuk-form-group--error'),
                    (owner.getAttribute('aria-describedby') || '').split(' ')]; }""")
        assert described[0] and f"{field_id}-error" in described[1], (field_id, described)
        error = page.locator(f'[id="{field_id}-error"]').text_content()
        assert " ".join(error.split()) == f"Error: {message}"
    assert_accessible(page)
    return links


def test_declaration_without_an_answer(evaluator):
    visit(evaluator, lot_url("/declarations"))
    first_radio = evaluator.locator("input[type=radio][value=none]").get_attribute("id")
    press(evaluator, "#save-declarations", lot_url("/declarations"))
    assert_error_page(evaluator, {
        first_radio: "Select whether you have a conflict of interest with Victim Support"})
    evaluator.locator(f'[id="{first_radio}"]').check()
    press(evaluator, "#save-declarations", lot_url("/scoring"))


def test_short_justification_and_out_of_range_score(evaluator):
    visit(evaluator, lot_url("/scoring"))
    if evaluator.url.endswith("/declarations"):  # when run on its own
        evaluator.locator("input[type=radio][value=none]").check()
        press(evaluator, "#save-declarations", lot_url("/scoring"))
    press(evaluator, evaluator.get_by_role("link", name="Score the bid of Victim Support"))
    score = {}
    for code in ("VFM1", "VFM2", "VFM3", "INT1"):
        score[code] = evaluator.get_by_label(f"Score for {code}, from 0 to 5").get_attribute("id")
        evaluator.fill(f'[id="{score[code]}"]', "4")
        evaluator.get_by_label(f"Justification for {code}").fill(
            f"The bid gives clear evidence for {code}.")
    evaluator.fill(f'[id="{score["VFM1"]}"]', "7")  # out of range
    justification = evaluator.get_by_label("Justification for VFM3")
    justification.fill("Too short.")  # 10 characters, the setting asks for 20
    justification_id = justification.get_attribute("id")
    press(evaluator, "#submit-bid")
    assert "/scoring/" in evaluator.url  # the same page again, not a redirect
    links = assert_error_page(evaluator, {
        score["VFM1"]: "VFM1: Score must be a number from 0 to 5, in whole or half points, like 3 or 3.5",
        justification_id: "VFM3: Justification must be at least 20 characters (it has 10)"})
    # the summary lists the errors in the order of the form
    assert [href for href, _ in links] == [f"#{score['VFM1']}", f"#{justification_id}"]
    # what was typed comes back, and nothing was saved
    assert evaluator.input_value(f'[id="{score["VFM1"]}"]') == "7"
    assert evaluator.input_value(f'[id="{justification_id}"]') == "Too short."

    # by keyboard from the summary: Tab to the first link, Enter puts the focus in the field
    evaluator.keyboard.press("Tab")
    first_link = f'.govuk-error-summary a[href="#{score["VFM1"]}"]'
    assert is_active(evaluator, first_link), active(evaluator)
    evaluator.keyboard.press("Enter")
    assert is_active(evaluator, f'[id="{score["VFM1"]}"]'), active(evaluator)
    # and a click on the second link does the same for its field
    evaluator.click(f'.govuk-error-summary a[href="#{justification_id}"]')
    assert is_active(evaluator, f'[id="{justification_id}"]'), active(evaluator)

    visit(evaluator, lot_url("/scoring"))
    assert "Not started" in evaluator.locator("#my-bids").inner_text()


def test_consensus_out_of_range_and_without_rationale(browser, live_server, evaluator):
    officer = new_person(browser, live_server["url"], OFFICER)
    visit(officer, f"/evaluation/{REF}/lots/B/moderation")
    press(officer, officer.get_by_role("link", name="Record consensus for Victim Support"))
    vfm1 = officer.get_by_label("Consensus score for VFM1, from 0 to 5")
    vfm1.fill("5.5")
    officer.get_by_label("Rationale for the consensus on VFM1").fill("Agreed at moderation.")
    officer.get_by_label("Consensus score for VFM2, from 0 to 5").fill("4")
    rationale = officer.get_by_label("Rationale for the consensus on VFM2")
    press(officer, "#save-consensus")
    assert_error_page(officer, {
        vfm1.get_attribute("id"):
            "VFM1: Score must be a number from 0 to 5, in whole or half points, like 3 or 3.5",
        rationale.get_attribute("id"): "VFM2: Enter the rationale for the consensus score"})
    visit(officer, f"/evaluation/{REF}/lots/B/moderation")
    assert "Unmoderated" in officer.locator("main").inner_text()  # nothing was recorded
    officer.context.close()


def test_a_bad_step_and_a_bad_section_description(browser, live_server, evaluator):
    """Issue 16, points 4 and 9: the officer's step per criterion and section descriptions."""
    officer = new_person(browser, live_server["url"], OFFICER)
    visit(officer, lot_url("/model"))
    press(officer, "#change-VFM1")
    officer.fill("#score_step", "2")
    press(officer, "#save-criterion")
    assert_error_page(officer, {
        "score_step": "Step must divide the maximum score of 5 exactly, like 1 or 0.5"})
    assert officer.input_value("#score_step") == "2"  # what was typed comes back
    visit(officer, f"/procurements/{REF}/decision-note/sections")
    officer.fill("#description-0", "a written Quality submission.")
    press(officer, "#save-descriptions")
    assert_error_page(officer, {
        "description-0": "Value for Money: Description must be phrases the note joins into its "
                         "sentence, without a full stop, comma or semicolon at the end of a line"})
    officer.fill("#description-0", "a written Quality submission")
    press(officer, "#save-descriptions", f"/procurements/{REF}/decision-note/sections")
    assert ("through a written Quality submission and Presentation."
            in officer.locator("#assessment-sentence").inner_text())
    officer.context.close()
