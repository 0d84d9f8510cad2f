"""The demo procurement re-scored end to end in Chromium (issue 6, "Done when"): the officer
puts the three demo evaluators on both lots' panels, each declares and scores every bid with
a justification and submits, the officer moderates to the demo's consensus and marks both
lots final, and the results pages show the published totals. axe-core checks every page."""
from __future__ import annotations

import pytest

from tests.browser.flow import (OFFICER, SEATS, consensus_by_bid, import_copy, new_person,
                                press, scores_by_evaluator, shown, success_banner, visit)

REF = "SCO-DA-2023-RESCORE"
PUBLISHED = {"A": [("Victim Support", "97.00")],
             "B": [("Victim Support", "95.50"), ("Northfield Change Partnership CIC", "64.00")]}


@pytest.fixture(scope="module")
def rescore(live_server):
    """The demo workbook imported afresh under its own reference, without Scores, Consensus
    or panel: the browser does all of that."""
    return import_copy(live_server["app"], REF)


def lot_url(code: str, tail: str = "") -> str:
    return f"/evaluation/{REF}/lots/{code}{tail}"


def _assign_panels(officer, names: dict):
    visit(officer, f"/procurements/{REF}")
    press(officer, "#link-evaluation", f"/evaluation/{REF}")
    for code in ("A", "B"):
        visit(officer, lot_url(code, "/panel"))
        assert "No evaluators are on this lot's panel yet." in officer.locator("main").inner_text()
        for email in SEATS.values():
            officer.select_option("#user_id", label=_option_label(officer, names[email]))
            press(officer, "#add-member", lot_url(code, "/panel"))
            assert f"{names[email]} added to the panel of lot {code}" in success_banner(officer)
        members = officer.locator("#panel-members tbody tr")
        assert members.count() == 3
        assert officer.locator("#lot-progress-scores").inner_text() == \
            ("0 of 12" if code == "A" else "0 of 24")


def _option_label(page, name: str) -> str:
    labels = page.locator("#user_id option").all_inner_texts()
    match = [label for label in labels if label.startswith(name + " (")]
    assert len(match) == 1, (name, labels)
    return match[0]


def _declare_none(page, code: str, bidders: list[str]):
    # the scoring page sends an evaluator who has not declared to the declarations first
    visit(page, lot_url(code, "/scoring"))
    assert page.url.endswith(lot_url(code, "/declarations"))
    for bidder in bidders:
        page.get_by_label(f"No, I have no conflict of interest with {bidder}").check()
    press(page, "#save-declarations", lot_url(code, "/scoring"))
    assert "Your declarations are recorded." in success_banner(page)


def _fill_scores(page, rows, bidder):
    for criterion, value in rows:
        page.get_by_label(f"Score for {criterion}, from 0 to 5").fill(shown(value))
        page.get_by_label(f"Justification for {criterion}").fill(
            f"The bid of {bidder} evidences a score of {shown(value)} on {criterion}.")


def _score_lot(page, code: str, bids: dict, bid_by_bid: bool):
    """Score every bid of the lot: submitted bid by bid, or drafted then submitted at once."""
    _declare_none(page, code, sorted(bids))
    for bidder, rows in bids.items():
        press(page, page.get_by_role("link", name=f"Score the bid of {bidder}"))
        assert page.locator("h1").inner_text() == bidder
        _fill_scores(page, rows, bidder)
        if bid_by_bid:
            press(page, "#submit-bid", lot_url(code, "/scoring"))
            assert f"Your scores for {bidder} are submitted." in success_banner(page)
        else:
            press(page, "#save-draft")
            assert f"Draft scores for {bidder} saved." in success_banner(page)
            # the draft comes back as typed
            criterion, value = rows[0]
            assert page.get_by_label(f"Score for {criterion}, from 0 to 5").input_value() == \
                shown(value)
            press(page, "#nav-my-scoring", "/evaluation/mine")
            press(page, page.locator(f'[id="score-lot-{REF}-{code}"]'), lot_url(code, "/scoring"))
    if bid_by_bid:  # a submitted bid opens read-only
        bidder = next(iter(bids))
        press(page, page.get_by_role("link", name=f"View the bid of {bidder}"))
        assert "submitted and locked" in page.locator("#scores-locked").inner_text()
        press(page, ".govuk-back-link", lot_url(code, "/scoring"))
    else:
        assert page.locator("#my-bids").inner_text().count("Draft") == len(bids)
        press(page, "#submit-all", lot_url(code, "/scoring"))
        assert f"submitted for lot {code}" in success_banner(page)
    assert page.locator("#my-bids").inner_text().count("Submitted") == len(bids)


def _moderate(officer, code: str, bids: dict):
    visit(officer, lot_url(code, "/moderation"))
    text = officer.locator("main").inner_text()
    assert "Individual scores against consensus" in text and "Unmoderated" in text
    assert officer.locator(".tender-scroll svg").count() >= 1
    for bidder, rows in bids.items():
        press(officer, officer.get_by_role("link", name=f"Record consensus for {bidder}"))
        # the individual scores and justifications are side by side
        assert "evidences a score of" in officer.locator("main").inner_text()
        for criterion, value in rows:
            officer.get_by_label(f"Consensus score for {criterion}, from 0 to 5").fill(shown(value))
            officer.get_by_label(f"Rationale for the consensus on {criterion}").fill(
                f"Agreed at moderation: {criterion} for {bidder} at {shown(value)}.")
        press(officer, "#save-consensus", lot_url(code, "/moderation"))
        assert f"Consensus scores for {bidder} recorded." in success_banner(officer)
    assert "Unmoderated" not in officer.locator("main").inner_text()
    press(officer, "#mark-final", lot_url(code, "/results"))
    assert f"The results of lot {code} are final." in success_banner(officer)


def _results(page, code: str) -> list[tuple[str, str]]:
    rows = page.locator("#results tbody tr")
    return [(rows.nth(i).get_attribute("data-bidder"),
             rows.nth(i).locator("[data-total]").inner_text().strip())
            for i in range(rows.count())]


def test_demo_rescored_end_to_end_in_chromium(browser, live_server, rescore):
    base = live_server["url"]
    scores = scores_by_evaluator(rescore)
    consensus = consensus_by_bid(rescore)
    from demo.people import USERS
    names = {email: name for email, name, *_ in USERS}

    officer = new_person(browser, base, OFFICER)
    _assign_panels(officer, names)

    for i, email in enumerate(SEATS.values()):
        evaluator = new_person(browser, base, email)
        visit(evaluator, "/evaluation/mine")
        assert evaluator.locator("#my-lots").inner_text().count(REF) == 2
        for code in ("A", "B"):
            _score_lot(evaluator, code, scores[email][code], bid_by_bid=(i == 0))
        evaluator.context.close()

    visit(officer, lot_url("A", "/panel"))
    assert officer.locator("#lot-progress-scores").inner_text() == "12 of 12"
    assert officer.locator("#declarations").inner_text().count("No conflict") == 3
    visit(officer, f"/evaluation/{REF}")
    assert officer.locator("#progress-B").inner_text() == "24 of 24"
    for code in ("A", "B"):
        _moderate(officer, code, consensus[code])
        assert _results(officer, code) == PUBLISHED[code]
        assert "Final" in officer.locator("#results-status").inner_text()
        assert officer.locator("#winner").inner_text() == "Victim Support"
    # and the procurement's page shows the same totals
    visit(officer, f"/procurements/{REF}")
    text = officer.locator("main").inner_text()
    assert "97.00" in text and "95.50" in text and "64.00" in text
    # the audit trail of the re-scoring, as the officer sees it
    visit(officer, f"/procurements/{REF}/audit")
    officer.context.close()


@pytest.fixture(scope="module")
def officer_page(browser, live_server):
    page = new_person(browser, live_server["url"], OFFICER)
    yield page
    page.context.close()


@pytest.mark.parametrize("path", [
    "/procurements/SCO-DA-2023/decision-note",
    "/procurements/SCO-DA-2023/audit",
    "/procurements/SCO-DA-2023/letters",
    "/decisions",
    "/procurements",
    "/evaluation/SCO-DA-2023",
    "/evaluation/SCO-DA-2023/lots/B/model",
    "/evaluation/SCO-DA-2023/lots/B/moderation",
    "/evaluation/SCO-DA-2023/lots/B/results",
    "/evaluation/SCO-DA-2023/upload",
    "/evaluation/SCO-DA-2023/lots/A/model/criteria/new",
    "/procurements/SCO-DA-2023/decision-note/sign-off",
    "/procurements/SCO-DA-2023/decision-note/annexes/eia",
    "/procurements/SCO-DA-2023/decision-note/annexes/dpia",
    "/procurements/SCO-DA-2023/decision-note/sections",
])
def test_officer_pages_are_accessible(officer_page, path):
    """The demo's other pages the officer works on, each checked by axe-core."""
    visit(officer_page, path)


def test_public_decisions_list_is_accessible(page):
    """The public list of published decisions, signed out."""
    visit(page, "/decisions")
