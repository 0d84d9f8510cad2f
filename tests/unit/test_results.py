"""The results engine (tender-workbook.md "How results are computed"), one rule at a time.

Every expected figure was worked out by hand; the comments show the arithmetic.
"""
import ast
from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.results.values import BidIn, CriterionIn, Flip, LotIn
from evaluation.results.engine import compute_all, compute_lot

approx = pytest.approx


def scored(code, weight, section="Quality", max_score=5, min_score=None):
    return CriterionIn(code, section, f"{code} title", weight, "scored", max_score, min_score)


def priced(weight, code="P", section="Price"):
    return CriterionIn(code, section, "Price", weight, "price")


def make_lot(criteria, bids, consensus=None, scores=None, min_delphi=None, section_minimums=None):
    """consensus / scores: {bidder: {criterion code: value}} (scores' values are lists)."""
    return LotIn(
        code="A", title="Lot A", criteria=criteria, bids=bids,
        scores={(b, c): v for b, row in (scores or {}).items() for c, v in row.items()},
        consensus={(b, c): v for b, row in (consensus or {}).items() for c, v in row.items()},
        min_delphi=min_delphi, section_minimums=section_minimums or {})


def bids_of(result):
    return {b.bidder: b for b in result.bids}


# --- the reference tender (Staffordshire DA 2023, from its acceptance workbook) -------------

def staffordshire_criteria():
    return [
        scored("VFM1", 35, "Value for Money", 5, 2),
        scored("VFM2", 30, "Value for Money", 5, 2),
        scored("VFM3", 20, "Value for Money", 5),
        scored("INT1", 15, "Presentation", 5),
    ]


VS, NCP = "Victim Support", "Northfield Change Partnership CIC"


def staffordshire_lot_b(consensus=True):
    individual = {
        VS: {"VFM1": [5, 5, 5], "VFM2": [5, 5, 5], "VFM3": [5, 5, 5], "INT1": [3, 4, 3]},
        NCP: {"VFM1": [3, 3, 3], "VFM2": [3, 3, 3], "VFM3": [4, 4, 4], "INT1": [3, 3, 3]},
    }
    agreed = {VS: {"VFM1": 5, "VFM2": 5, "VFM3": 5, "INT1": 3.5},
              NCP: {"VFM1": 3, "VFM2": 3, "VFM3": 4, "INT1": 3}}
    return make_lot(
        staffordshire_criteria(),
        [BidIn(VS, Decimal("500000"), "pass", 78, "pass"),
         BidIn(NCP, Decimal("497500"), "pass", 52, "pass")],
        consensus=agreed if consensus else None, scores=individual, min_delphi=40)


def test_reference_lot_a():
    lot = make_lot(
        staffordshire_criteria(), [BidIn(VS, Decimal("2875221"), "pass", 78, "pass")],
        consensus={VS: {"VFM1": 5, "VFM2": 5, "VFM3": 5, "INT1": 4}},
        scores={VS: {"VFM1": [5, 5, 5], "VFM2": [5, 5, 5], "VFM3": [5, 5, 5],
                     "INT1": [4, 4, 4]}},
        min_delphi=40)
    result = compute_lot(lot)
    assert result.sections == ["Value for Money", "Presentation"]
    [bid] = result.bids
    assert (bid.status, bid.reason, bid.rank, bid.tied, bid.moderated) == (
        "ranked", None, 1, False, True)
    assert bid.criteria == approx({"VFM1": 35.0, "VFM2": 30.0, "VFM3": 20.0, "INT1": 12.0})
    assert bid.sections == approx({"Value for Money": 85.0, "Presentation": 12.0})
    assert bid.total == approx(97.0)
    assert bid.raw == approx({"VFM1": 5, "VFM2": 5, "VFM3": 5, "INT1": 4})
    assert result.winner == VS
    assert result.margin is None  # a single ranked bid
    # Excluding the only bid (VFM1 below 2) would leave no winner: not a flip.
    assert result.flip is None


def test_reference_lot_b():
    result = compute_lot(staffordshire_lot_b())
    vs, ncp = result.bids
    assert (vs.bidder, vs.rank, ncp.bidder, ncp.rank) == (VS, 1, NCP, 2)
    assert vs.criteria == approx({"VFM1": 35.0, "VFM2": 30.0, "VFM3": 20.0, "INT1": 10.5})
    assert vs.sections == approx({"Value for Money": 85.0, "Presentation": 10.5})
    assert vs.total == approx(95.5)
    assert ncp.criteria == approx({"VFM1": 21.0, "VFM2": 18.0, "VFM3": 16.0, "INT1": 9.0})
    assert ncp.sections == approx({"Value for Money": 55.0, "Presentation": 9.0})
    assert ncp.total == approx(64.0)
    assert vs.moderated and ncp.moderated
    assert not vs.tied and vs.tie_break is None
    assert result.winner == VS
    assert result.margin == approx(31.5)
    # Overtaking on totals needs 31.5 / 7 = 4.5 points of VFM1 (or more elsewhere); taking
    # VS's VFM1 from 5 to 1.99, below its minimum of 2, excludes VS for a change of 3.01.
    # VFM2 (also minimum 2) needs the same 3.01: equal changes go in criteria order.
    assert result.flip == Flip(VS, "VFM1", 5.0, 1.99, NCP)
    assert result.flip.change == approx(3.01)


def test_without_consensus_the_mean_is_used_and_the_bid_is_unmoderated():
    result = compute_lot(staffordshire_lot_b(consensus=False))
    vs, ncp = result.bids
    # INT1 mean (3 + 4 + 3) / 3 = 3.333..; / 5 * 15 = 10.0; total 85 + 10 = 95.0
    assert vs.raw["INT1"] == approx(10 / 3)
    assert vs.criteria["INT1"] == approx(10.0)
    assert vs.total == approx(95.0)
    assert not vs.moderated and not ncp.moderated
    assert ncp.total == approx(64.0)


def test_one_missing_consensus_leaves_the_bid_unmoderated():
    lot = staffordshire_lot_b()
    del lot.consensus[(VS, "INT1")]
    vs, ncp = compute_lot(lot).bids
    assert not vs.moderated and ncp.moderated
    assert vs.criteria["INT1"] == approx(10.0)  # the mean, 3.333.. of 5 x 15


# --- ties -----------------------------------------------------------------------------------

def test_equal_totals_broken_by_higher_non_price_score():
    # A: Q 4 -> 40, price 100 (lowest) -> 50: 90.  B: Q 5 -> 50, 100 / 125 x 50 = 40: 90.
    lot = make_lot([scored("Q", 50), priced(50)],
                   [BidIn("A", Decimal(100)), BidIn("B", Decimal(125))],
                   consensus={"A": {"Q": 4}, "B": {"Q": 5}})
    result = compute_lot(lot)
    b, a = result.bids
    assert (b.bidder, b.rank, a.bidder, a.rank) == ("B", 1, "A", 2)
    assert a.total == approx(90.0) and b.total == approx(90.0)
    assert not a.tied and not b.tied
    assert b.tie_break == a.tie_break == "equal total; higher non-price score"
    assert result.winner == "B"
    assert result.margin == approx(0.0, abs=1e-9)


def test_equal_totals_and_non_price_broken_by_lower_price():
    # No price criterion: both score 80 on quality; B's price is lower.
    lot = make_lot([scored("Q1", 50), scored("Q2", 50)],
                   [BidIn("A", Decimal(100)), BidIn("B", Decimal(90)), BidIn("C", Decimal(80))],
                   consensus={"A": {"Q1": 4, "Q2": 4}, "B": {"Q1": 5, "Q2": 3},
                              "C": {"Q1": 3, "Q2": 3}})
    result = compute_lot(lot)
    assert [(b.bidder, b.rank) for b in result.bids] == [("B", 1), ("A", 2), ("C", 3)]
    rule = "equal total and non-price score; lower price"
    assert bids_of(result)["B"].tie_break == bids_of(result)["A"].tie_break == rule
    assert bids_of(result)["C"].tie_break is None  # C's place took no tie-break
    assert result.winner == "B"


def test_a_true_tie_shares_the_rank_and_there_is_no_winner():
    # "beta" and "Alpha" both 80 with the same price; competition ranking gives C rank 3.
    lot = make_lot([scored("Q1", 50), scored("Q2", 50)],
                   [BidIn("beta", Decimal(100)), BidIn("Alpha", Decimal(100)), BidIn("C")],
                   consensus={"beta": {"Q1": 4, "Q2": 4}, "Alpha": {"Q1": 3, "Q2": 5},
                              "C": {"Q1": 3, "Q2": 3}})
    result = compute_lot(lot)
    assert [(b.bidder, b.rank, b.tied) for b in result.bids] == [
        ("Alpha", 1, True), ("beta", 1, True), ("C", 3, False)]
    assert all(b.tie_break is None for b in result.bids)
    assert result.winner is None
    assert result.margin == 0.0
    assert result.flip is None  # no winner to change


def test_a_tie_lower_down_the_ranking():
    lot = make_lot([scored("Q", 100)], [BidIn("A"), BidIn("B"), BidIn("C")],
                   consensus={"A": {"Q": 5}, "B": {"Q": 4}, "C": {"Q": 4}})
    result = compute_lot(lot)
    assert [(b.bidder, b.rank, b.tied) for b in result.bids] == [
        ("A", 1, False), ("B", 2, True), ("C", 2, True)]
    assert result.winner == "A"
    assert result.margin == approx(20.0)  # 100 - 80


# --- exclusions -----------------------------------------------------------------------------

def exclusion_lot(*bids, consensus=None, min_delphi=40, **kwargs):
    agreed = {b.bidder: {"Q1": 4, "Q2": 4, **(consensus or {}).get(b.bidder, {})} for b in bids}
    return make_lot([scored("Q1", 60, min_score=2), scored("Q2", 40)], list(bids),
                    consensus=agreed, min_delphi=min_delphi, **kwargs)


@pytest.mark.parametrize("bid, reason, causes", [
    (BidIn("X", selection="fail"), "Failed the selection questionnaire", ["selection"]),
    (BidIn("X", selection="fail", selection_reason="no insurance"),
     "Failed the selection questionnaire: no insurance", ["selection"]),
    (BidIn("X", financial="fail"), "Failed the financial assessment", ["financial"]),
    (BidIn("X", financial="fail", financial_reason="net liabilities"),
     "Failed the financial assessment: net liabilities", ["financial"]),
    (BidIn("X", delphi_score=35, financial="pass"),
     "Delphi score 35 is below the minimum of 40", ["delphi"]),
    (BidIn("X", delphi_score=35), "Delphi score 35 is below the minimum of 40", ["delphi"]),
])
def test_excluded_with_the_reason(bid, reason, causes):
    result = compute_lot(exclusion_lot(BidIn("Other"), bid))
    x = bids_of(result)["X"]
    assert (x.status, x.reason, x.rank, x.exclusions) == ("excluded", reason, None, causes)
    assert result.winner == "Other"
    # Excluded bids still carry their figures, for their letters: 4/5 x 60 + 4/5 x 40.
    assert x.total == approx(80.0)
    assert x.criteria == approx({"Q1": 48.0, "Q2": 32.0})


@pytest.mark.parametrize("bid", [
    BidIn("X", delphi_score=35, financial="mitigated"),  # a parent company guarantee
    BidIn("X", delphi_score=40, financial="pass"),  # at the minimum is not below it
    BidIn("X", delphi_score=None, financial="pass"),  # no score recorded is not "lower"
])
def test_not_excluded_on_delphi(bid):
    x = bids_of(compute_lot(exclusion_lot(bid)))["X"]
    assert (x.status, x.reason, x.rank) == ("ranked", None, 1)


def test_delphi_is_ignored_without_a_minimum():
    x = bids_of(compute_lot(exclusion_lot(BidIn("X", delphi_score=5), min_delphi=None)))["X"]
    assert x.status == "ranked"


def test_excluded_when_consensus_below_minimum_score():
    result = compute_lot(exclusion_lot(BidIn("X"), BidIn("Y"), consensus={"X": {"Q1": 1.5}}))
    x = bids_of(result)["X"]
    assert (x.status, x.reason, x.exclusions) == (
        "excluded", "Q1 score 1.50 is below the minimum of 2", ["criterion:Q1"])
    assert x.total == approx(1.5 / 5 * 60 + 32)


def test_excluded_when_the_mean_is_below_minimum_score():
    lot = exclusion_lot(BidIn("X"), BidIn("Y"))
    del lot.consensus[("X", "Q1")]
    lot.scores[("X", "Q1")] = [1, 2]  # mean 1.5
    x = bids_of(compute_lot(lot))["X"]
    assert (x.status, x.reason, x.moderated) == (
        "excluded", "Q1 score 1.50 is below the minimum of 2", False)


def test_a_score_at_the_minimum_is_not_below_it():
    x = bids_of(compute_lot(exclusion_lot(BidIn("X"), consensus={"X": {"Q1": 2}})))["X"]
    assert x.status == "ranked"


def test_excluded_below_a_section_minimum():
    # Quality: Q1 3/5 x 30 = 18, Q2 2/5 x 30 = 12: 30 of 60 = 50%, under 55%.
    lot = make_lot([scored("Q1", 30), scored("Q2", 30), scored("I1", 40, "Interview")],
                   [BidIn("X"), BidIn("Y")],
                   consensus={"X": {"Q1": 3, "Q2": 2, "I1": 5}, "Y": {"Q1": 3, "Q2": 3, "I1": 1}},
                   section_minimums={"Quality": 55})
    result = compute_lot(lot)
    x, y = bids_of(result)["X"], bids_of(result)["Y"]
    assert (x.status, x.reason, x.exclusions) == (
        "excluded", "Quality section score 50.00% is below the minimum of 55%",
        ["section:Quality"])
    assert x.sections == approx({"Quality": 30.0, "Interview": 40.0})
    assert y.status == "ranked"  # Quality 36 of 60 = 60%
    assert result.winner == "Y"


def test_a_section_minimum_including_price_and_re_admission_past_it():
    # Offer = Q (10 per point) + price, minimum 60%. C (cheapest, 50) failed selection, so the
    # section minimum prices against 80 (B), the lowest of the bids not otherwise excluded:
    # A 30 + 80/100 x 50 = 70% passes, B 5 + 50 = 55% fails. The lowest price of the bids not
    # excluded is then A's 100: A 30 + 50 = 80 wins alone.
    lot = make_lot([scored("Q", 50, "Offer"), priced(50, section="Offer")],
                   [BidIn("A", Decimal(100)), BidIn("B", Decimal(80)),
                    BidIn("C", Decimal(50), selection="fail")],
                   consensus={"A": {"Q": 3}, "B": {"Q": 0.5}, "C": {"Q": 5}},
                   section_minimums={"Offer": 60})
    result = compute_lot(lot)
    a, b = bids_of(result)["A"], bids_of(result)["B"]
    assert b.reason == "Offer section score 55.00% is below the minimum of 60%"
    assert a.total == approx(80.0) and result.winner == "A"
    # B re-admitted (Q >= 1) brings the lowest price to 80: A = 30 + 40 = 70. B needs more
    # than 70: at Q 2.00 it ties and loses on non-price (20 < 30); at 2.01 it wins.
    assert result.flip == Flip("B", "Q", 0.5, 2.01, "B")


def test_all_causes_are_reported_in_order():
    lot = make_lot([scored("Q1", 30, min_score=2), scored("Q2", 30), scored("Q3", 40, min_score=3)],
                   [BidIn("X", selection="fail", selection_reason="no insurance", delphi_score=10,
                          financial="fail")],
                   consensus={"X": {"Q1": 1, "Q2": 1, "Q3": 2}}, min_delphi=40,
                   section_minimums={"Quality": 50})
    [x] = compute_lot(lot).bids
    assert x.reason == ("Failed the selection questionnaire: no insurance; "
                        "Failed the financial assessment; "
                        "Delphi score 10 is below the minimum of 40; "
                        "Q1 score 1.00 is below the minimum of 2; "
                        "Q3 score 2.00 is below the minimum of 3; "
                        "Quality section score 28.00% is below the minimum of 50%")
    assert x.exclusions == ["selection", "financial", "delphi", "criterion:Q1", "criterion:Q3",
                            "section:Quality"]


def test_every_bid_excluded():
    result = compute_lot(exclusion_lot(BidIn("b", selection="fail"), BidIn("a", financial="fail")))
    assert [(b.bidder, b.status, b.rank) for b in result.bids] == [
        ("a", "excluded", None), ("b", "excluded", None)]
    assert (result.winner, result.margin, result.flip) == (None, None, None)


# --- price ----------------------------------------------------------------------------------

def test_price_scored_against_the_lowest_price_of_bids_not_excluded():
    # A is cheapest (80) but failed selection, so the lowest price is B's 100:
    # B: Q 3/5 x 60 = 36 + 100/100 x 40 = 40 -> 76;  C: 48 + 100/125 x 40 = 32 -> 80.
    lot = make_lot([scored("Q", 60), priced(40)],
                   [BidIn("A", Decimal("80"), selection="fail"), BidIn("B", Decimal("100")),
                    BidIn("C", Decimal("125.00"))],
                   consensus={"A": {"Q": 5}, "B": {"Q": 3}, "C": {"Q": 4}})
    result = compute_lot(lot)
    a, b, c = (bids_of(result)[n] for n in "ABC")
    assert b.criteria == approx({"Q": 36.0, "P": 40.0}) and b.total == approx(76.0)
    assert c.criteria == approx({"Q": 48.0, "P": 32.0}) and c.total == approx(80.0)
    assert a.criteria["P"] == approx(50.0)  # against the same lowest price: 100 / 80 x 40
    assert b.sections == approx({"Quality": 36.0, "Price": 40.0})
    assert [r.bidder for r in result.bids] == ["C", "B", "A"]
    assert result.winner == "C" and result.margin == approx(4.0)


def test_incomplete_bids_are_not_ranked():
    lot = make_lot([scored("Q1", 30), scored("Q2", 30), priced(40)],
                   [BidIn("A", Decimal(100)), BidIn("B", Decimal(100)), BidIn("C")],
                   consensus={"A": {"Q1": 3, "Q2": 3}, "B": {"Q1": 4}, "C": {"Q1": 5, "Q2": 5}},
                   scores={"B": {"Q2": []}})
    result = compute_lot(lot)
    a, b, c = (bids_of(result)[n] for n in "ABC")
    assert (b.status, b.reason, b.rank, b.total) == (
        "incomplete", "Missing a score for Q2", None, None)
    assert b.criteria == approx({"Q1": 24.0, "P": 40.0})
    assert b.sections == approx({"Price": 40.0})  # Quality cannot be totalled
    assert not b.moderated
    assert (c.status, c.reason, c.rank) == ("incomplete", "Missing a score for P", None)
    assert (a.status, a.rank) == ("ranked", 1)
    assert [r.bidder for r in result.bids] == ["A", "B", "C"]
    assert result.winner == "A" and result.margin is None


def test_an_incomplete_bids_price_still_sets_the_lowest_price():
    # Only excluded bids are set aside for the lowest price: B (incomplete) sets it at 50.
    lot = make_lot([scored("Q", 60), priced(40)],
                   [BidIn("A", Decimal(100)), BidIn("B", Decimal(50))],
                   consensus={"A": {"Q": 5}})
    a = bids_of(compute_lot(lot))["A"]
    assert a.criteria["P"] == approx(20.0)  # 50 / 100 x 40


def test_listed_by_rank_then_name_with_unranked_last_by_name():
    lot = make_lot([scored("Q", 100)],
                   [BidIn("zed"), BidIn("Yew", selection="fail"), BidIn("ash"), BidIn("Bay"),
                    BidIn("Elm"), BidIn("dock")],
                   consensus={"zed": {"Q": 5}, "Yew": {"Q": 5}, "ash": {"Q": 2}, "Bay": {"Q": 4},
                              "dock": {"Q": 4}})
    result = compute_lot(lot)
    assert [(b.bidder, b.status, b.rank) for b in result.bids] == [
        ("zed", "ranked", 1), ("Bay", "ranked", 2), ("dock", "ranked", 2), ("ash", "ranked", 4),
        ("Elm", "incomplete", None), ("Yew", "excluded", None)]
    assert result.margin == approx(20.0)  # 100 - 80, the next rank's total


def test_sections_in_order_of_first_appearance():
    lot = make_lot([scored("I1", 10, "Interview"), scored("Q1", 50), priced(30),
                    scored("I2", 10, "Interview")], [BidIn("A", Decimal(1))],
                   consensus={"A": {"I1": 5, "Q1": 5, "I2": 0}})
    result = compute_lot(lot)
    assert result.sections == ["Interview", "Quality", "Price"]
    assert result.bids[0].sections == approx({"Interview": 10.0, "Quality": 50.0, "Price": 30.0})
    assert result.bids[0].total == approx(90.0)


def test_compute_all_keeps_lot_order():
    b = staffordshire_lot_b()
    empty = make_lot([scored("Q", 100)], [])
    results = compute_all([b, empty])
    assert [r.winner for r in results] == [VS, None]
    assert results[1].bids == [] and results[1].margin is None and results[1].flip is None


# --- robustness -----------------------------------------------------------------------------

def test_flip_by_raising_the_runner_up():
    # C1 weight 60 (12 per point), C2 weight 40 (8 per point).
    # A: C1 0, C2 5 -> 40.  B: C1 2 -> 24, C2 1 -> 8: 32. Margin 8.
    # B's C1 needs 8/12 = 0.667 more: 2.67 gives 40.04. A's C1 is already 0; via C2 a shift
    # of 1 only ties (no winner), so 1.01 there.
    lot = make_lot([scored("C1", 60), scored("C2", 40)], [BidIn("A"), BidIn("B")],
                   consensus={"A": {"C1": 0, "C2": 5}, "B": {"C1": 2, "C2": 1}})
    result = compute_lot(lot)
    assert result.margin == approx(8.0)
    assert result.flip == Flip("B", "C1", 2.0, 2.67, "B")
    assert result.flip.change == approx(0.67)


def test_flip_an_exact_tie_that_stays_tied_does_not_count():
    # A 4 -> 80, B 3 -> 60. At A 3.00 or B 4.00 the bids tie with nothing to break it (no
    # price), leaving no winner; one more hundredth either way does it: a change of 1.01.
    # Equal changes prefer the better-placed bid, here the winner.
    lot = make_lot([scored("Q", 100)], [BidIn("A"), BidIn("B")],
                   consensus={"A": {"Q": 4}, "B": {"Q": 3}})
    result = compute_lot(lot)
    assert result.flip == Flip("A", "Q", 4.0, 2.99, "B")
    assert result.flip.change == approx(1.01)


def test_flip_by_excluding_the_winner_below_a_minimum_score():
    # C1 min 3. A: C1 3.2 -> 32, C2 5 -> 50: 82.  B: 30 + 30 = 60. Margin 22 needs 2.2 points,
    # more than B has room for; taking A's C1 to 2.99 excludes A instead: a change of 0.21.
    lot = make_lot([scored("C1", 50, min_score=3), scored("C2", 50)], [BidIn("A"), BidIn("B")],
                   consensus={"A": {"C1": 3.2, "C2": 5}, "B": {"C1": 3, "C2": 3}})
    result = compute_lot(lot)
    assert result.flip == Flip("A", "C1", 3.2, 2.99, "B")
    assert result.flip.change == approx(0.21)


def test_flip_an_exact_tie_counts_when_the_tie_break_picks_the_challenger():
    # C1 weight 40 (8/point), C2 weight 20 (4/point), price 40.
    # A: C1 0, C2 5 -> 20, price 100 -> 40: 60 (non-price 20).
    # B: C1 2.5 -> 20, C2 0, price 125 -> 32: 52. Raising B's C1 by 1.00 to 3.5 ties at 60,
    # and B's non-price 28 beats A's 20. Anything else needs 2 points.
    lot = make_lot([scored("C1", 40), scored("C2", 20), priced(40)],
                   [BidIn("A", Decimal(100)), BidIn("B", Decimal(125))],
                   consensus={"A": {"C1": 0, "C2": 5}, "B": {"C1": 2.5, "C2": 0}})
    result = compute_lot(lot)
    assert result.flip == Flip("B", "C1", 2.5, 3.5, "B")


def test_flip_by_readmitting_an_excluded_bid():
    # B is excluded (C1 1.5 under 2) but would lead: raising C1 to 2.00 gives B 20 + 50 = 70
    # against A's 60. Lowering A can only exclude it, leaving no winner.
    lot = make_lot([scored("C1", 50, min_score=2), scored("C2", 50)], [BidIn("A"), BidIn("B")],
                   consensus={"A": {"C1": 3, "C2": 3}, "B": {"C1": 1.5, "C2": 5}})
    result = compute_lot(lot)
    assert bids_of(result)["B"].status == "excluded"
    assert result.flip == Flip("B", "C1", 1.5, 2.0, "B")


def test_flip_by_excluding_the_cheapest_bid():
    # Q weight 50 (10/point, minimum 2), price 50.
    # A: 30 + 100/105 x 50 = 77.62;  B: 44.6 + 100/150 x 50 = 77.93 (wins);  C: 20 + 50 = 70.
    # C's Q to 1.99 excludes C: the lowest price becomes A's 105, so A: 30 + 50 = 80 and
    # B: 44.6 + 105/150 x 50 = 79.6. A change of 0.01; overtaking directly needs 0.04.
    lot = make_lot([scored("Q", 50, min_score=2), priced(50)],
                   [BidIn("A", Decimal(105)), BidIn("B", Decimal(150)), BidIn("C", Decimal(100))],
                   consensus={"A": {"Q": 3}, "B": {"Q": 4.46}, "C": {"Q": 2}})
    result = compute_lot(lot)
    assert result.winner == "B"
    assert result.flip == Flip("C", "Q", 2.0, 1.99, "A")


def test_flip_from_an_unmoderated_mean():
    # A: mean (4 + 4 + 3) / 3 = 3.667 -> 73.33; B: 3.6 -> 72. Setting A's score to 3.59 (a change
    # of 0.0767) puts A below B; B's 3.6 -> 3.67 would be a change of 0.07, smaller.
    lot = make_lot([scored("Q", 100)], [BidIn("A"), BidIn("B")],
                   consensus={"B": {"Q": 3.6}}, scores={"A": {"Q": [4, 4, 3]}})
    result = compute_lot(lot)
    assert result.winner == "A"
    assert result.flip == Flip("B", "Q", 3.6, 3.67, "B")


def test_no_flip_when_nothing_one_score_can_do_changes_the_winner():
    lot = make_lot([scored("Q", 100)], [BidIn("A"), BidIn("B", selection="fail")],
                   consensus={"A": {"Q": 3}, "B": {"Q": 5}})
    result = compute_lot(lot)
    assert result.winner == "A" and result.flip is None


# --- purity ---------------------------------------------------------------------------------

@pytest.mark.parametrize("module", ["values.py", "ranking.py", "robustness.py", "engine.py"])
def test_the_engine_imports_neither_flask_nor_sqlalchemy(module):
    source = Path(__file__).resolve().parents[2] / "evaluation" / "results" / module
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy"}
