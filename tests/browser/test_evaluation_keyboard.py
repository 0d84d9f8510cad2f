"""The scoring and moderation flow by keyboard alone, in Chromium (issue 6, point 8).

A copy of the demo where Panel Members B and C have scored lot A and A has not: evaluator A
signs in, declares, scores Victim Support's lot A bid, saves a draft and submits, then the
officer records the consensus and marks lot A final, with Tab, Shift+Tab, Enter and Space
only; every step checks where the focus landed, and axe-core checks every page."""
from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible
from tests.browser.flow import (OFFICER, SEATS, active, consensus_by_bid, import_copy,
                                is_active, key_navigates, new_person, scores_by_evaluator,
                                shown, tab, tab_to)

REF = "SCO-DA-2023-KEYS"
RULE = "from 0 to 5, in whole or half points, like 3 or 3.5"  # evaluation.rules.score_rule(5)
BIDDER = "Victim Support"


@pytest.fixture(scope="module")
def keys(live_server):
    return import_copy(
        live_server["app"], REF,
        keep_score=lambda s: not (s.lot == "A" and s.evaluator == "Panel Member A"),
        keep_consensus=lambda c: c.lot == "B", seats=(("A", "Panel Member A"),))


def lot_url(tail: str = "") -> str:
    return f"/evaluation/{REF}/lots/A{tail}"


def keyboard_sign_in(page, email: str):
    page.goto("/login")
    assert_accessible(page)
    skip_to_main(page)
    tab_to(page, "#email", limit=5)
    page.keyboard.type(email)
    tab(page, "#password")
    page.keyboard.type("tender-demo-2023")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form from a field
    assert "/login" not in page.url
    assert_accessible(page)


def skip_to_main(page):
    """From the top of a freshly loaded page: the first Tab is the skip link, Enter on it
    moves the focus to the main content, and the next Tab starts there."""
    page.keyboard.press("Tab")
    focus = active(page)
    assert "govuk-skip-link" in focus["cls"] and focus["text"] == "Skip to main content", focus
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash === '#main-content'")  # Chromium may post it
    assert is_active(page, "main#main-content"), active(page)


def test_score_and_moderate_one_bid_by_keyboard(browser, live_server, keys):
    scores = scores_by_evaluator(keys)["evaluator.a@demo.example.org"]["A"][BIDDER]
    consensus = consensus_by_bid(keys)["A"][BIDDER]
    evaluator = new_person(browser, live_server["url"])
    keyboard_sign_in(evaluator, SEATS["Panel Member A"])

    # start page: the skip link, then the first link of the main content
    evaluator.goto("/evaluation/mine")
    assert_accessible(evaluator)
    skip_to_main(evaluator)
    evaluator.keyboard.press("Tab")
    assert is_active(evaluator, "main a"), active(evaluator)  # the first link in main
    tab_to(evaluator, f'[id="score-lot-{REF}-A"]')
    key_navigates(evaluator, "Enter", lot_url("/declarations"))  # not declared yet

    # declarations: Space picks "no conflict", Tab leaves the radio group
    skip_to_main(evaluator)
    tab(evaluator, "input[type=radio][value=none]")
    evaluator.keyboard.press("Space")
    assert evaluator.is_checked("input[type=radio][value=none]")
    tab(evaluator, "textarea[name^=details-]")
    tab(evaluator, "#save-declarations")
    key_navigates(evaluator, "Enter", lot_url("/scoring"))
    assert "#" not in evaluator.url  # the skip link's #main-content is not carried on
    # the success banner takes the focus so it is read out; Tab goes on from there
    assert is_active(evaluator, ".govuk-notification-banner"), active(evaluator)
    tab_to(evaluator, "a[id^=score-bid-]", limit=3)
    key_navigates(evaluator, "Enter")

    # the bid: back link, then score and justification for each criterion in turn
    skip_to_main(evaluator)
    tab(evaluator, ".govuk-back-link")
    for criterion, value in scores:
        tab(evaluator, field_id(evaluator, f"Score for {criterion}, {RULE}"))
        evaluator.keyboard.type(shown(value))
        tab(evaluator, field_id(evaluator, f"Justification for {criterion}"))
        evaluator.keyboard.type(f"Typed: the bid evidences {shown(value)} on {criterion}.")
    tab(evaluator, "#save-draft")
    key_navigates(evaluator, "Space")  # a button pressed with Space
    assert "Draft scores for Victim Support saved." in evaluator.locator(
        ".govuk-notification-banner").inner_text()
    assert is_active(evaluator, ".govuk-notification-banner"), active(evaluator)
    first = field_id(evaluator, f"Score for {scores[0][0]}, {RULE}")
    assert evaluator.input_value(first) == shown(scores[0][1])  # the draft came back
    tab_to(evaluator, "#submit-bid")
    # Shift+Tab goes back to the draft button, Tab forward again to submit
    evaluator.keyboard.press("Shift+Tab")
    assert is_active(evaluator, "#save-draft"), active(evaluator)
    tab(evaluator, "#submit-bid")
    key_navigates(evaluator, "Enter", lot_url("/scoring"))
    assert "Your scores for Victim Support are submitted." in evaluator.locator(
        ".govuk-notification-banner").inner_text()
    assert "Submitted" in evaluator.locator("#my-bids").inner_text()
    evaluator.context.close()

    # the officer: moderation, consensus for the bid, results final
    officer = new_person(browser, live_server["url"])
    keyboard_sign_in(officer, OFFICER)
    officer.goto(lot_url("/moderation"))
    assert_accessible(officer)
    skip_to_main(officer)
    tab_to(officer, "a[id^=consensus-bid-]")
    key_navigates(officer, "Enter")
    skip_to_main(officer)
    tab(officer, ".govuk-back-link")
    tab(officer, ".tender-scroll[role=region]")  # the chart scrolls, so it takes the focus
    for criterion, value in consensus:
        tab(officer, field_id(officer, f"Consensus score for {criterion}, {RULE}"))
        officer.keyboard.type(shown(value))
        tab(officer, field_id(officer, f"Rationale for the consensus on {criterion}"))
        officer.keyboard.type(f"Agreed by keyboard at {shown(value)}.")
    tab(officer, "#save-consensus")
    key_navigates(officer, "Enter", lot_url("/moderation"))
    assert is_active(officer, ".govuk-notification-banner"), active(officer)
    tab_to(officer, "#mark-final")
    key_navigates(officer, "Space", lot_url("/results"))
    assert is_active(officer, ".govuk-notification-banner"), active(officer)
    row = officer.locator("#results tbody tr").first
    assert row.get_attribute("data-bidder") == BIDDER
    assert row.locator("[data-total]").inner_text().strip() == "97.00"
    officer.context.close()


def field_id(page, label: str) -> str:
    """The CSS selector of the field with this label (read, not clicked)."""
    return "#" + page.get_by_label(label, exact=True).get_attribute("id")
