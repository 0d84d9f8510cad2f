"""The SQ outcome and the financial standing rules against hand-computed cases."""
from datetime import date
from decimal import Decimal as D

import pytest

from procurement.selection import financial_rules as fr
from procurement.selection import rules as sq

Q = [sq.Question("2.1", 2, "Mandatory exclusion", "Convicted of fraud?",
                 scope=sq.PROCUREMENT_WIDE),
     sq.Question("3.5", 3, "Technical", "Two contract examples for this lot",
                 scope=sq.PER_LOT),
     sq.Question("1.4", 1, "Supplier", "Company number", kind=sq.INFORMATION)]


def test_no_fail_passes_every_lot():
    out = sq.sq_outcome(Q, [sq.Mark("2.1", sq.PASS, "No convictions declared")], ["A", "B"])
    assert all(o.passed for o in out.values())


def test_a_procurement_wide_fail_excludes_from_every_lot_with_the_reason():
    out = sq.sq_outcome(Q, [sq.Mark("2.1", sq.FAIL, "Conviction declared in 2024")], ["A", "B"])
    assert not out["A"].passed and not out["B"].passed
    assert out["A"].reason == "2.1 Convicted of fraud?: Conviction declared in 2024"


def test_a_per_lot_fail_excludes_from_that_lot_only():
    out = sq.sq_outcome(Q, [sq.Mark("3.5", sq.FAIL, "Only one example", lot_code="B")],
                        ["A", "B"])
    assert out["A"].passed and not out["B"].passed


def test_a_consortium_member_failing_excludes_the_bid_naming_it():
    out = sq.sq_outcome(Q, [sq.Mark("2.1", sq.FAIL, "Insolvent", party="Member Ltd")], ["A"])
    assert "(Member Ltd)" in out["A"].reason


def test_information_questions_are_never_failed_nor_marked():
    out = sq.sq_outcome(Q, [sq.Mark("1.4", sq.FAIL, "whatever reason")], ["A"])
    assert out["A"].passed
    assert sq.check_mark(Q[2], sq.FAIL, "a long enough reason")


def test_with_a_second_marker_a_fail_counts_once_confirmed():
    unconfirmed = sq.Mark("2.1", sq.FAIL, "Conviction declared")
    assert sq.sq_outcome(Q, [unconfirmed], ["A"], second_marker=True)["A"].passed
    confirmed = sq.Mark("2.1", sq.FAIL, "Conviction declared", confirmed=True)
    assert not sq.sq_outcome(Q, [confirmed], ["A"], second_marker=True)["A"].passed
    assert sq.check_confirmation("a@x", "a@x", True)
    assert sq.check_confirmation("a@x", "b@x", True) == []
    assert sq.check_confirmation("a@x", "b@x", False)


def test_a_mark_needs_an_outcome_and_a_written_reason():
    assert sq.check_mark(Q[0], sq.PASS, "No convictions declared") == []
    assert sq.check_mark(Q[0], "maybe", "No convictions declared")
    assert sq.check_mark(Q[0], sq.FAIL, "bad")
    assert sq.check_mark(None, sq.FAIL, "No convictions declared")


def test_parts_1_and_2_are_locked():
    assert sq.check_edit(1) and sq.check_edit(2) and sq.check_edit(3) == []


def test_deviations_are_each_listed():
    changed = sq.Question("3.5", 3, "Technical", "Three contract examples", scope=sq.PER_LOT)
    added = sq.Question("3.99", 3, "Technical", "Accreditation")
    devs = sq.deviations(Q, [Q[0], changed, added])
    assert [(d.key, d.change) for d in devs] == [("3.5", "changed"), ("3.99", "added"),
                                                  ("1.4", "removed")]
    assert "Two contract examples for this lot → Three contract examples" in devs[0].detail


def test_mandatory_answers_are_required_to_submit():
    assert sq.check_answers(Q, {"2.1": "No", "3.5": "x"}) == [("1.4", "Answer question 1.4: "
                                                               "Company number")]


ACC = fr.Accounts(year_end=date(2025, 3, 31), turnover=D("1500000.00"),
                  profit_before_tax=D("45000.00"), net_assets=D("320000.00"),
                  current_assets=D("410000.00"), current_liabilities=D("250000.00"))


def test_ratios_by_hand():
    # current ratio 410,000 / 250,000 = 1.64
    # turnover cover 1,500,000 / 600,000 = 2.50; required 2 x 600,000 = 1,200,000: met
    # profit margin 45,000 / 1,500,000 = 0.03 -> 3.00 %
    r = fr.ratios(ACC, D("600000.00"), D("2"))
    assert r.current_ratio == D("1.64") and r.turnover_cover == D("2.50")
    assert r.turnover_required == D("1200000.00") and r.turnover_met
    assert r.profit_margin_percent == D("3.00") and r.net_assets_positive


def test_turnover_below_the_multiple_and_rounding_by_hand():
    # 1,500,000 / 800,000 = 1.875 -> 1.88 (half up); required 2 x 800,000 = 1,600,000: not met
    r = fr.ratios(ACC, D("800000.00"), D("2"))
    assert r.turnover_cover == D("1.88") and not r.turnover_met
    # current ratio 100,000 / 300,000 = 0.333… -> 0.33; margin -20,000 / 400,000 = -5.00 %
    weak = fr.Accounts(date(2024, 3, 31), D("400000"), D("-20000"), D("-5000"), D("100000"),
                       D("300000"))
    w = fr.ratios(weak, D("100000"), D("2"))
    assert w.current_ratio == D("0.33") and w.profit_margin_percent == D("-5.00")
    assert not w.net_assets_positive


def test_ratios_without_a_divisor_are_none():
    none = fr.Accounts(date(2024, 3, 31), D("0"), D("0"), D("1"), D("1"), D("0"))
    r = fr.ratios(none, D("0"), D("2"))
    assert r.current_ratio is None and r.turnover_cover is None
    assert r.profit_margin_percent is None


def test_a_multiple_above_two_needs_a_justification_reg_58_9():
    assert fr.check_multiple(D("2"), "") == []
    assert fr.check_multiple(D("1.5"), "") == []
    assert fr.check_multiple(D("2.5"), "")
    assert fr.check_multiple(D("2.5"), "High-risk service continuity for victims") == []
    assert fr.check_multiple(D("0"), "") and fr.check_multiple(None, "")


def test_delphi_bands():
    bands = fr.parse_bands("0-20 very high, 21-40 high, 41-60 moderate, 61-80 low, "
                           "81-100 very low")
    assert fr.band_for(20, bands) == "very high" and fr.band_for(21, bands) == "high"
    assert fr.band_for(100, bands) == "very low" and fr.band_for(None, bands) is None
    for bad in ("0-50 high, 52-100 low", "0-50 high", "10-100 x", "0-100"):
        with pytest.raises(ValueError):
            fr.parse_bands(bad)


def test_below_the_minimum_without_mitigation_excludes_with_mitigation_passes():
    assert fr.effective(fr.PASS, 30, 40) == fr.FAIL
    assert fr.effective(fr.MITIGATED, 30, 40) == fr.PASS
    assert fr.effective(fr.PASS, 40, 40) == fr.PASS  # at the minimum is not below it
    assert fr.effective(fr.PASS, None, 40) == fr.PASS
    assert fr.effective(fr.FAIL, 90, 40) == fr.FAIL


def test_outcome_refusals():
    ok = "Accounts show a healthy current ratio of 1.64"
    assert fr.check_outcome(fr.PASS, "", ok, 55, 40) == []
    assert [f for f, _ in fr.check_outcome(fr.PASS, "", ok, 30, 40)] == ["outcome"]
    assert [f for f, _ in fr.check_outcome(fr.MITIGATED, "", ok, 30, 40)] == ["mitigation"]
    assert fr.check_outcome(fr.MITIGATED, "parent_company_guarantee", ok, 30, 40) == []
    assert [f for f, _ in fr.check_outcome(fr.FAIL, "", "short", 30, 40)] == ["justification"]
    assert [f for f, _ in fr.check_outcome("maybe", "", ok, 30, 40)] == ["outcome"]


def test_score_and_date_refusals():
    today = date(2026, 12, 2)
    assert fr.check_score(55, date(2026, 11, 1), today) == []
    assert [f for f, _ in fr.check_score(101, date(2027, 1, 1), today)] == ["delphi_score",
                                                                             "delphi_date"]
    assert [f for f, _ in fr.check_score(None, None, today)] == ["delphi_score", "delphi_date"]


def test_money_and_bid_outcome():
    assert fr.parse_money("£1,234,567.89") == D("1234567.89")
    assert fr.parse_money("-12000") == D("-12000")
    assert fr.parse_money("1.234") is None and fr.parse_money("abc") is None
    assert fr.parse_money("NaN") is None and fr.parse_money("") is None
    assert fr.bid_outcome(fr.MITIGATED, "performance_bond", "Bond of 10 %") == (
        "mitigated", "Performance bond: Bond of 10 %")
    assert fr.check_accounts([ACC, ACC]) and fr.check_accounts([ACC])
