"""Figures as tender-workbook.md writes them: £ with separators, pence only when not zero;
scores and percentages with two decimals."""
from decimal import Decimal

import pytest

from procurement.formatting import money, score, term


@pytest.mark.parametrize("amount,expected", [
    (Decimal("3375221"), "£3,375,221"),
    (Decimal("1859195.76"), "£1,859,195.76"),
    (Decimal("621025.24"), "£621,025.24"),
    (Decimal("895000.00"), "£895,000"),
    (Decimal("0.5"), "£0.50"),
    (Decimal("0"), "£0"),
    (Decimal("-1.5"), "-£1.50"),
    (1859195.76, "£1,859,195.76"),  # a float is read by its shortest repr, not its binary value
    (Decimal("999.995"), "£1,000"),  # half-up to the penny
    (None, ""),
])
def test_money(amount, expected):
    assert money(amount) == expected


@pytest.mark.parametrize("value,expected", [
    (97.0, "97.00"), (95.5, "95.50"), (10.5, "10.50"), (85, "85.00"),
    (35.55555555555556, "35.56"), (0.125, "0.13"), (2.675, "2.68"), (None, ""),
])
def test_score_two_decimals_half_up(value, expected):
    assert score(value) == expected


def test_term():
    assert term(3, [1, 1]) == "3 + 1 + 1 years"
    assert term(1, []) == "1 year"
    assert term(2, []) == "2 years"
