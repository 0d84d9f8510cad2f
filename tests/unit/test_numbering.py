from datetime import date

import pytest

from decisions.note.numbering import (
    DecisionNumber,
    financial_year,
    format_decision_number,
    next_sequence,
    parse_decision_number,
)


@pytest.mark.parametrize(
    "d, fy",
    [
        (date(2023, 8, 16), "202324"),
        (date(2024, 3, 31), "202324"),
        (date(2024, 4, 1), "202425"),
        (date(2023, 4, 1), "202324"),
        (date(2023, 3, 31), "202223"),
        (date(2024, 1, 1), "202324"),
        (date(2023, 12, 31), "202324"),
        (date(1999, 6, 1), "199900"),  # the century wraps to two digits
        (date(2099, 4, 1), "209900"),
    ],
)
def test_financial_year(d, fy):
    assert financial_year(d) == fy


def test_format():
    assert format_decision_number("SCP", "202324", 7) == "SCP/D/202324/007"
    assert format_decision_number("SCP", "202324", 123) == "SCP/D/202324/123"
    assert format_decision_number("ABC1234567", "202425", 1234) == "ABC1234567/D/202425/1234"


@pytest.mark.parametrize("prefix", ["", "SC P", "SC/P", "ABCDEFGHIJK", "SCP-1", None, "É"])
def test_format_rejects_bad_prefix(prefix):
    with pytest.raises(ValueError, match="prefix"):
        format_decision_number(prefix, "202324", 1)


@pytest.mark.parametrize("fy", ["2023", "202325", "2023-24", "20232024", 202324])
def test_format_rejects_bad_year(fy):
    with pytest.raises(ValueError, match="Financial year"):
        format_decision_number("SCP", fy, 1)


@pytest.mark.parametrize("seq", [0, -1, 1.0, True, "7"])
def test_format_rejects_bad_sequence(seq):
    with pytest.raises(ValueError, match="sequence"):
        format_decision_number("SCP", "202324", seq)


def test_parse_round_trip():
    n = parse_decision_number("SCP/D/202324/007")
    assert n == DecisionNumber("SCP", "202324", 7)
    assert str(n) == "SCP/D/202324/007"
    assert parse_decision_number("  SCP/D/199900/1 ") == DecisionNumber("SCP", "199900", 1)


@pytest.mark.parametrize(
    "s", ["", None, "SCP/202324/007", "SCP/D/2023/007", "SCP/D/202325/007", "SCP/D/202324/000", "SCP/X/202324/7"]
)
def test_parse_rejects(s):
    with pytest.raises(ValueError):
        parse_decision_number(s)


def test_next_sequence():
    existing = [
        "SCP/D/202324/007",
        "SCP/D/202324/002",
        "SCP/D/202223/041",  # another year
        "ABC/D/202324/099",  # another prefix
        "scp/D/202324/050",  # prefixes compare exactly
        "not a number",
        "",
    ]
    assert next_sequence(existing, "SCP", "202324") == 8
    assert next_sequence(existing, "SCP", "202223") == 42
    assert next_sequence(existing, "SCP", "202425") == 1
    assert next_sequence([], "SCP", "202324") == 1
    assert next_sequence(iter(["SCP/D/202324/999"]), "SCP", "202324") == 1000


def test_next_sequence_validates():
    with pytest.raises(ValueError):
        next_sequence([], "S/CP", "202324")
    with pytest.raises(ValueError):
        next_sequence([], "SCP", "2023")
