"""Evaluation rules over plain values: no app, no database."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from evaluation import rules
from evaluation.moderation import chart
from evaluation.results.values import BidResult, Flip, LotResult
from evaluation.results.table_csv import results_csv
from procurement.formatting import raw_score


@pytest.mark.parametrize("weights, ok, message", [
    ([40, 30, 30], True, "The weights total 100.00."),
    ([40, 30, 25], False, "The weights total 95.00: 5.00 short of 100."),
    ([40, 30, 33.5], False, "The weights total 103.50: 3.50 over 100."),
    ([Decimal("33.3333"), Decimal("33.3333"), Decimal("33.3334")], True, "The weights total 100.00."),
    ([Decimal("99.9995")], True, "The weights total 99.9995."),
    ([Decimal("99.998")], False, "The weights total 99.998: 0.002 short of 100."),
    ([], False, "The weights total 0.00: 100.00 short of 100."),
])
def test_weights_message(weights, ok, message):
    assert rules.weights_message(weights) == (ok, message)


def test_model_problems():
    assert rules.model_problems([]) == ["The lot has no criteria."]
    assert rules.model_problems([{"weight": 100, "kind": "price"}]) == [
        "The lot has no scored criteria."]
    assert rules.model_problems([{"weight": 60, "kind": "scored"}]) == [
        "The weights total 60.00: 40.00 short of 100."]
    assert rules.model_problems([{"weight": 70, "kind": "scored"},
                                 {"weight": 30, "kind": "price"}]) == []


def test_model_lock_reason():
    assert rules.model_lock_reason(model_locked=False, score_count=0) is None
    assert "1 score recorded" in rules.model_lock_reason(model_locked=False, score_count=1)
    assert "12 scores recorded" in rules.model_lock_reason(model_locked=True, score_count=12)
    assert rules.model_lock_reason(model_locked=True, score_count=0) == \
        "The evaluation model is locked."
    assert "Consensus" in rules.model_lock_reason(model_locked=False, score_count=0,
                                                  consensus_count=3)
    assert "final" in rules.model_lock_reason(model_locked=True, score_count=9,
                                              results_final=True)


@pytest.mark.parametrize("text, value", [
    ("3", Decimal(3)), (" 3.5 ", Decimal("3.5")), ("0", Decimal(0)), ("5", Decimal(5)),
    ("2.5", Decimal("2.5"))])
def test_score_accepted(text, value):
    assert rules.score_error(text, 5) == (value, None)
    assert rules.score_error("2.25", 5, Decimal("0.01")) == (Decimal("2.25"), None)


@pytest.mark.parametrize("text, message", [
    ("", "Enter a score"), ("  ", "Enter a score"), ("6", "from 0 to 5"), ("-1", "from 0 to 5"),
    ("3.333", "whole or half points"), ("2.25", "whole or half points"), ("three", "from 0 to 5"), ("1e1", "from 0 to 5"),
    ("NaN", "from 0 to 5"), ("3,5", "from 0 to 5")])
def test_score_refused(text, message):
    value, error = rules.score_error(text, Decimal("5.0000"))
    assert value is None and message in error


def test_score_message_names_the_scale_plainly():
    assert rules.score_error("11", Decimal("10.0000"))[1] == \
        "Score must be a number from 0 to 10, in whole or half points, like 3 or 3.5"


def test_justification_length():
    assert rules.justification_error("", 20) == "Enter a justification for the score"
    assert rules.justification_error("   short   ", 20) == \
        "Justification must be at least 20 characters (it has 5)"
    assert rules.justification_error("x" * 20, 20) is None
    assert rules.justification_error("anything", 0) is None


def test_rationale():
    assert rules.rationale_error(" ") == "Enter the rationale for the consensus score"
    assert rules.rationale_error("Agreed.") is None


@pytest.mark.parametrize("values, flag, wide", [
    ([5, 5, 2], 2, True), ([5, 4, 3], 2, False), ([4, 1], "2", True), ([3], 2, False),
    ([], 2, False), ([Decimal("4.5"), Decimal("2.5")], Decimal("2"), False),
    ([Decimal("4.5"), Decimal("2.25")], 2, True), ([5, 0], 5, False)])
def test_wide_spread(values, flag, wide):
    assert rules.wide_spread(values, flag) is wide


def test_spread():
    assert rules.spread([]) is None
    assert rules.spread([5, 2, Decimal("3.5")]) == 3


def test_declaration_error():
    assert rules.declaration_error(None, "") == \
        "Select whether you have a conflict of interest with this bidder"
    assert rules.declaration_error("maybe", "") is not None
    assert rules.declaration_error("conflict", " ") == \
        "Describe your conflict of interest with this bidder"
    assert rules.declaration_error(None, "", "Beta") == \
        "Select whether you have a conflict of interest with Beta"
    assert rules.declaration_error("conflict", "Related to a director") is None
    assert rules.declaration_error("none", "") is None


def test_visibility_follows_declarations():
    declared = {1: False, 2: True}
    assert rules.undeclared([1, 2, 3], declared) == [3]
    assert rules.may_see_bid(1, declared) is True
    assert rules.may_see_bid(2, declared) is False  # conflicted
    assert rules.may_see_bid(3, declared) is False  # not declared yet
    assert rules.visible_bids([(10, 1), (20, 2), (30, 3)], declared) == [10]


def test_expected_scores_skip_conflicts():
    expected = rules.expected_scores([1, 2], [(10, 100), (20, 200)], [7, 8], {(2, 200)})
    assert len(expected) == 6
    assert (2, 20, 7) not in expected and (1, 20, 7) in expected


def test_progress_and_moderation_refusal():
    expected = rules.expected_scores([1, 2], [(10, 100)], [7, 8], set())
    submitted = {(1, 10, 7), (1, 10, 8), (2, 10, 7)}
    assert rules.progress(expected, submitted) == {1: (2, 2), 2: (1, 2)}
    assert rules.moderation_refusal(expected, submitted) == (
        "Moderation starts when every individual score is submitted: 1 of 4 still to submit.")
    assert rules.moderation_refusal(expected, submitted | {(2, 10, 8)}) is None
    assert rules.moderation_refusal(set(), set()) is None


def test_final_refusal():
    missing = rules.missing_consensus([10, 20], [7, 8], {(10, 7), (10, 8), (20, 7)})
    assert missing == [(20, 8)]
    assert "1 bid and criterion pair without" in rules.final_refusal(
        missing, moderation_open=True, already_final=False)
    assert "2 bid and criterion pairs" in rules.final_refusal(
        [(1, 1), (1, 2)], moderation_open=True, already_final=False)
    assert "after every individual score" in rules.final_refusal(
        [], moderation_open=False, already_final=False)
    assert "already final" in rules.final_refusal([], moderation_open=True, already_final=True)
    assert rules.final_refusal([], moderation_open=True, already_final=False) is None


def test_criterion_errors_clean_values():
    clean, errors = rules.criterion_errors(
        code=" Q1 ", section="Quality", title="Delivery", weight="40", kind="scored",
        max_score="", min_score="2.5", other_codes=["Q2"])
    assert errors == {}
    assert clean == {"code": "Q1", "section": "Quality", "title": "Delivery",
                     "weight": Decimal(40), "kind": "scored", "max_score": Decimal(5),
                     "min_score": Decimal("2.5")}
    clean, errors = rules.criterion_errors(
        code="PRICE", section="Price", title="Price", weight="30", kind="price",
        max_score="5", min_score="2", other_codes=[])
    assert errors == {} and clean["max_score"] is None and clean["min_score"] is None


def test_criterion_errors_messages():
    _, errors = rules.criterion_errors(code="q2", section="", title="", weight="101",
                                       kind="other", max_score="", min_score="",
                                       other_codes=["Q2"])
    assert set(errors) == {"code", "section", "title", "weight", "kind"}
    assert errors["code"] == "Another criterion of this lot already has the code q2"
    _, errors = rules.criterion_errors(code="Q$", section="S", title="T", weight="1",
                                       kind="scored", max_score="2.5", min_score="3",
                                       other_codes=[])
    assert set(errors) == {"code", "max_score"}
    _, errors = rules.criterion_errors(code="Q1", section="S", title="T", weight="1",
                                       kind="scored", max_score="5", min_score="6",
                                       other_codes=[])
    assert set(errors) == {"min_score"}


def test_descriptors():
    assert rules.parse_descriptors("0: None\n1 - Poor\n\n5: Excellent", 5) == (
        {"0": "None", "1": "Poor", "5": "Excellent"}, None)
    assert rules.parse_descriptors("No response\nPoor\nFair", 5) == (
        {"0": "No response", "1": "Poor", "2": "Fair"}, None)
    assert rules.parse_descriptors("", 5) == ({}, None)
    assert "0 to 5" in rules.parse_descriptors("6: Too much", 5)[1]
    assert "described twice" in rules.parse_descriptors("1: a\n1: b", 5)[1]
    assert "describe the score 2" in rules.parse_descriptors("2:", 5)[1]
    assert rules.descriptors_text({"10": "Top", "2": "Low"}) == "2: Low\n10: Top"


def test_section_minimum():
    assert rules.section_minimum_error("") == (None, None)
    assert rules.section_minimum_error("60") == (Decimal(60), None)
    assert rules.section_minimum_error("101")[1] is not None
    assert rules.section_minimum_error("x")[1] is not None


def test_show_score():
    assert raw_score(Decimal("5.0000")) == "5"
    assert raw_score(Decimal("3.5000")) == "3.5"
    assert raw_score(Decimal("2.2500")) == "2.25"
    assert raw_score(None) == ""
    assert raw_score(0) == "0"


# --- the chart -------------------------------------------------------------------------------

def test_chart_draws_a_dot_per_score_and_a_bar_per_consensus():
    rows = [chart.Row("Alpha <Care>", (chart.Cell("Q1", 5, (5, 4, 4), 4.0),
                                       chart.Cell("Q2", 5, (3, 3, 2), None))),
            chart.Row("Beta", (chart.Cell("Q1", 5, (1, 2, 3), 2.0),
                               chart.Cell("Q2", 5, (5, 5, 5), 5.0)))]
    svg = chart.svg(rows, title="Lot A: scores", desc="Dots and bars", chart_id="c1",
                    panel_size=3)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img" aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Lot A: scores</title>' in svg
    assert svg.count("<circle") == 12 + 1  # every score, plus the legend's dot
    assert svg.count("<rect") == 3 + 1  # every consensus, plus the legend's bar
    assert "Alpha &lt;Care&gt;" in svg and "<Care>" not in svg
    assert "cdn" not in svg.lower() and "<script" not in svg


def test_chart_of_nothing_is_still_valid():
    svg = chart.svg([], title="Empty", desc="Nothing yet")
    assert svg.endswith("</svg>") and "<circle" in svg  # only the legend


# --- the CSV ---------------------------------------------------------------------------------

def test_results_csv():
    result = LotResult(
        code="A", title="Victim services", sections=["Quality", "Price"],
        bids=[BidResult("Alpha", "ranked", None, 1, False, True, Decimal("100000"),
                        {"Quality": 64.0, "Price": 30.0}, {"Q1": 40.0, "Q2": 24.0, "P1": 30.0},
                        94.0),
              BidResult("=Evil", "excluded", "Failed the selection questionnaire", None, False,
                        False, None, {}, {}, None)],
        winner="Alpha", margin=None, flip=Flip("Alpha", "Q1", 5, 4, "Beta"))
    rows = list(csv.reader(io.StringIO(results_csv("REF-1", result, ["Q1", "Q2", "P1"]))))
    assert rows[0] == ["reference", "lot", "bidder", "status", "reason", "rank", "tied",
                       "tie_break", "moderated", "price", "criterion Q1", "criterion Q2",
                       "criterion P1", "section Quality", "section Price", "total"]
    assert rows[1] == ["REF-1", "A", "Alpha", "ranked", "", "1", "no", "", "yes", "100000.00",
                       "40.000000", "24.000000", "30.000000", "64.000000", "30.000000",
                       "94.000000"]
    assert rows[2][2] == "'=Evil" and rows[2][3] == "excluded" and rows[2][-1] == ""


def test_the_scales_step_is_one_rule_for_the_hint_and_the_error():
    from decimal import Decimal
    from evaluation.rules import score_error, score_rule
    assert score_error("3.5", 5) == (Decimal("3.5"), None)
    value, error = score_error("3.25", 5)
    assert value is None and error == "Score must be a number " + score_rule(5)
    assert score_rule(5) == "from 0 to 5, in whole or half points, like 3 or 3.5"
    assert score_error("3.25", 5, Decimal("0.25"))[1] is None
    assert score_error("3.5", 5, Decimal("1"))[1].endswith("whole points only, like 3")
    assert score_error("5.5", 5)[1] and score_error("-0.5", 5)[1]


def test_a_short_draft_justification_is_a_warning_and_an_empty_one_is_not():
    from evaluation.rules import short_justification
    assert "at least 20 characters to submit (it has 9)" in short_justification("too short", 20)
    assert short_justification("", 20) is None
    assert short_justification("x" * 20, 20) is None


# --- progress from counts (the overview of a large tender) -----------------------------------

def _progress_by_keys(members, bids, criteria, conflicts, submitted_keys):
    expected = rules.expected_scores(members, bids, criteria, conflicts)
    return len(expected), len(expected & submitted_keys)


def test_progress_counts_agree_with_the_keys():
    members, bids, criteria = [1, 2, 3], [(10, 100), (11, 101), (12, 102)], [7, 8]
    conflicts = {(2, 101)}  # member 2 declared a conflict on bidder 101
    submitted_keys = {(1, 10, 7), (1, 10, 8), (1, 11, 7), (2, 11, 7), (2, 11, 8),
                      (2, 12, 7), (3, 12, 7), (3, 12, 8)}
    by_pair: dict = {}
    for m, b, _c in submitted_keys:
        by_pair[m, b] = by_pair.get((m, b), 0) + 1
    got = rules.progress_counts(members, bids, len(criteria), conflicts, by_pair)
    assert got == _progress_by_keys(members, bids, criteria, conflicts, submitted_keys)
    assert got == (16, 6)  # 3 x 3 x 2 less member 2's 2 on bidder 101; its 2 set aside


def test_progress_counts_of_a_lot_without_panel_or_criteria():
    assert rules.progress_counts([], [(10, 100)], 2, set(), {}) == (0, 0)
    assert rules.progress_counts([1], [(10, 100)], 0, set(), {(1, 10): 3}) == (0, 0)


def test_outstanding_refusal_reads_as_the_key_based_one():
    assert rules.outstanding_refusal(0, 12) is None
    assert rules.outstanding_refusal(0, 0) is None
    expected = {(1, 10, c) for c in range(4)}
    assert rules.outstanding_refusal(3, 4) == rules.moderation_refusal(expected, {(1, 10, 0)})
    assert "3 of 4 still to submit" in rules.outstanding_refusal(3, 4)
