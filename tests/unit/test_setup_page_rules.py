"""The set-up's pure rules: references, amounts, terms, dates, the task list, what stops
finalising, and the threshold assessment the procurement page shows."""
from datetime import date, time
from decimal import Decimal

import pytest

from procurement.setup import rules

LOTS = {"A": Decimal("2875221"), "B": Decimal("500000")}
PARTNERS = {"Staffordshire Commissioner's Office": Decimal("1859195.76"),
            "Staffordshire County Council": Decimal("895000"),
            "Stoke-on-Trent City Council": Decimal("621025.24")}


@pytest.mark.parametrize("reference,problem", [
    ("DA-2023-01", None), ("SCO_DA.2023", None), ("", "Enter a reference"),
    ("DA 2023", "only letters"), ("-DA", "only letters"), ("DA/2023", "only letters"),
    ("new", "other than “new”"), ("NEW", "other than"), ("x" * 61, "60 characters"),
])
def test_reference(reference, problem):
    error = rules.reference_error(reference)
    assert (error is None) if problem is None else (problem in error)


def test_a_taken_reference():
    assert "already used" in rules.reference_error("DA-1", taken=True)


@pytest.mark.parametrize("text,value,problem", [
    ("2,875,221", Decimal("2875221.00"), None), ("£1,859,195.76", Decimal("1859195.76"), None),
    ("0", Decimal("0.00"), None), (" 500000 ", Decimal("500000.00"), None),
    ("", None, "Enter the value"), ("-1", None, "£0 or more"), ("1.234", None, "2 decimal places"),
    ("ten", None, "amount in pounds"), ("NaN", None, "amount in pounds"), ("Infinity", None, "amount in pounds"),
    ("100000000000000", None, "below"),
])
def test_money(text, value, problem):
    got, error = rules.parse_money(text, "the value")
    assert got == value
    assert (error is None) if problem is None else (problem in error)


@pytest.mark.parametrize("text,years,problem", [
    ("", [], None), ("1,1", [1, 1], None), ("1 + 1", [1, 1], None), ("2", [2], None),
    ("1, x", [], "whole years"), ("0", [], "1 to 25"), ("1.5", [], "whole years"),
    (",".join(["1"] * 11), [], "at most 10"),
])
def test_extensions(text, years, problem):
    got, error = rules.parse_extensions(text)
    assert got == years
    assert (error is None) if problem is None else (problem in error)


def test_whole_numbers():
    assert rules.parse_whole("3", "the term", 1, 25) == (3, None)
    assert rules.parse_whole("", "the term", 1, 25) == (None, "Enter the term")
    assert rules.parse_whole("", "x", 0, 100, required=False) == (None, None)
    assert "from 1 to 25" in rules.parse_whole("26", "the term", 1, 25)[1]


@pytest.mark.parametrize("parts,day,problem,wrong", [
    ({"day": "1", "month": "2", "year": "2023"}, date(2023, 2, 1), None, set()),
    ({"day": "", "month": "", "year": ""}, None, "Enter the date", {"day", "month", "year"}),
    ({"day": "29", "month": "2", "year": "2023"}, None, "real date", {"day", "month", "year"}),
    ({"day": "1", "month": "", "year": ""}, None, "must include a month and a year", {"month", "year"}),
    ({"day": "a", "month": "2", "year": "2023"}, None, "numbers only", {"day", "month", "year"}),
    ({"day": "1", "month": "2", "year": "923"}, None, "year of 4 numbers", {"year"}),
])
def test_dates(parts, day, problem, wrong):
    got, error, parts_wrong = rules.date_error(parts, "the date")
    assert got == day and parts_wrong == wrong
    assert (error is None) if problem is None else (problem in error)


def test_an_optional_date_may_be_empty():
    assert rules.date_error({"day": "", "month": "", "year": ""}, "the date", required=False) == (
        None, None, set())


def test_times():
    assert rules.time_error("12:00", "the time") == (time(12, 0), None)
    assert rules.time_error("9.30", "the time") == (time(9, 30), None)
    assert rules.time_error("", "the time") == (None, None)
    assert "24-hour" in rules.time_error("24:00", "the time")[1]
    assert "24-hour" in rules.time_error("noon", "the time")[1]


def _status(facts):
    return {t.key: t.status for t in rules.tasks(facts)}


def test_the_task_list_of_a_new_procurement():
    assert _status(rules.SetupFacts(details_missing=("region",))) == {
        "details": "In progress", "lots": "Not started", "partners": "Not started",
        "dates": "Not started", "events": "Not started", "check": "Cannot start yet"}


def test_the_task_list_when_everything_is_there():
    facts = rules.SetupFacts(lot_values=LOTS, partner_contributions=PARTNERS, events=2,
                             date_kinds=frozenset({"itt_published", "tender_deadline",
                                                   "contract_start", "pin"}), finalised=True)
    assert set(_status(facts).values()) == {"Completed"}
    some_dates = rules.SetupFacts(lot_values=LOTS, date_kinds=frozenset({"pin"}))
    assert _status(some_dates)["dates"] == "In progress" and _status(some_dates)["check"] == "Not started"


def test_finalising_reuses_the_totals_rule_and_names_missing_details():
    assert rules.finalise_problems(rules.SetupFacts(lot_values=LOTS, partner_contributions=PARTNERS)) == []
    short = {**PARTNERS, "Staffordshire County Council": Decimal("894999.99")}
    assert rules.finalise_problems(rules.SetupFacts(lot_values=LOTS, partner_contributions=short)) == [
        "Partner contributions total £3,375,220.99, which is £0.01 less than the lots' total of £3,375,221."]
    assert rules.finalise_problems(rules.SetupFacts(details_missing=("region",))) == [
        "Enter the region in the procurement details",
        "There are no lots, so there is no total annual value."]


def test_the_threshold_of_the_reference_tender():
    v = rules.threshold_view("PCR2015-LTR", "sub_central", Decimal("3375221"), 3, [1, 1],
                             date(2023, 2, 1), today=date(2026, 12, 1))
    assert v.whole_term_value == Decimal("16876105") and v.threshold == Decimal("663540")
    assert v.contract_type == "light-touch services" and v.effective_from == date(2022, 1, 1)
    assert v.above is True and v.on == date(2023, 2, 1) and "tender notice" in v.on_basis
    assert v.notices == ("Prior information notice", "Contract notice", "Contract award notice")
    assert v.source.startswith("PPN 10/21")
    assert v.verdict == ("Above the threshold: the whole-term value of £16,876,105 is at least "
                         "£663,540")


def test_the_threshold_on_its_own_amount_is_above_and_just_under_is_below():
    # central goods and services from 1 January 2024: £139,688 (PPN 11/23), 1-year term
    at = rules.threshold_view("PCR2015-OPEN", "central", Decimal("139688"), 1, [], date(2024, 3, 1), date(2024, 3, 1))
    under = rules.threshold_view("PCR2015-OPEN", "central", Decimal("139687.99"), 1, [], date(2024, 3, 1), date(2024, 3, 1))
    assert at.above is True and under.above is False and under.notices == ()
    assert under.verdict.startswith("Below the threshold")


def test_without_a_tender_date_the_threshold_is_today_s():
    v = rules.threshold_view("PA2023-OPEN", "sub_central", Decimal("100000"), 3, [], None, date(2026, 2, 1))
    assert v.on == date(2026, 2, 1) and "no tender published date" in v.on_basis
    assert v.threshold == Decimal("207720") and v.above is True
    assert v.notices == ("Tender notice", "Contract award notice", "Contract details notice")


def test_a_utility_before_its_first_published_threshold_is_explained():
    v = rules.threshold_view("PCR2015-OPEN", "utilities", Decimal("1"), 1, [], date(2023, 1, 1), date(2023, 1, 1))
    assert v.above is None and "No utilities goods and services threshold is recorded before 2026-01-01" in v.problem
