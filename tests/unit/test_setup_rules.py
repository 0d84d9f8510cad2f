from decimal import Decimal

from procurement.setup_rules import check_totals

# The reference tender's two lots and three partners (annual values).
LOTS = {"A": Decimal("2875221"), "B": Decimal("500000")}
PARTNERS = {
    "Staffordshire Commissioner's Office": Decimal("1859195.76"),
    "Staffordshire County Council": Decimal("895000"),
    "Stoke-on-Trent City Council": Decimal("621025.24"),
}


def test_matching_totals_have_no_problems():
    assert check_totals(LOTS, PARTNERS) == []


def test_no_partners_means_no_partner_problem():
    assert check_totals(LOTS, {}) == []


def test_partners_short_by_a_pound():
    partners = {**PARTNERS, "Stoke-on-Trent City Council": Decimal("621024.24")}
    assert check_totals(LOTS, partners) == [
        "Partner contributions total £3,375,220, which is £1 less than the lots' total of £3,375,221."
    ]


def test_partners_over_by_a_penny():
    partners = {**PARTNERS, "Stoke-on-Trent City Council": Decimal("621025.25")}
    assert check_totals(LOTS, partners) == [
        "Partner contributions total £3,375,221.01, which is £0.01 more than the lots' total of £3,375,221."
    ]


def test_sub_penny_noise_is_ignored():
    partners = {**PARTNERS, "Stoke-on-Trent City Council": Decimal("621025.244")}
    assert check_totals(LOTS, partners) == []


def test_missing_and_negative_values_are_named():
    problems = check_totals({"A": None, "B": Decimal("-5")}, {"Council": Decimal("10")})
    assert problems[0] == "Lot A has no annual value."
    assert problems[1] == "Lot B has a negative annual value (-£5)."
    assert problems[2] == "Partner contributions total £10, which is £15 more than the lots' total of -£5."


def test_no_lots():
    assert check_totals({}, {}) == ["There are no lots, so there is no total annual value."]
