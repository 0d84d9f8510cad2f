"""The note's data comes from the records: selection outcomes follow the engine's rule."""
import pytest

from decisions.note.builder import build_note_data
from evaluation.results.inputs import procurement_results
from procurement.access import find_procurement
from extensions import db


@pytest.fixture()
def demo(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    return find_procurement("SCO-DA-2023")


def outcomes(p):
    return {s.bidder: s for s in build_note_data(p).selection}


def test_all_bidders_pass_in_the_reference_tender(demo):
    assert all(s.passed and not s.reason for s in outcomes(demo).values())


def test_selection_outcome_says_what_the_results_say(demo):
    northfield = next(b for b in demo.bidders if b.name.startswith("Northfield"))
    bid = northfield.bids[0]
    bid.delphi_score, bid.financial = 30, "pass"  # below the minimum of 40
    db.session.commit()
    s = outcomes(demo)[northfield.name]
    assert not s.passed and s.reason == "Delphi score 30 is below the minimum of 40"
    excluded = [b for lot in procurement_results(demo) for b in lot.bids
                if b.bidder == northfield.name]
    assert excluded[0].status == "excluded" and excluded[0].reason == s.reason

    bid.financial, bid.financial_reason = "mitigated", "parent company guarantee"
    db.session.commit()
    s = outcomes(demo)[northfield.name]
    assert s.passed and s.reason == "passed with mitigation: parent company guarantee"

    bid.selection, bid.selection_reason = "fail", "no insurance certificate"
    db.session.commit()
    s = outcomes(demo)[northfield.name]
    assert not s.passed
    assert s.reason == "Failed the selection questionnaire: no insurance certificate"
