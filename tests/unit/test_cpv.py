"""CPV codes: NNNNNNNN-N with the check digit of Regulation (EC) No 213/2008's vocabulary."""
import csv

import pytest

from procurement import cpv

# Real codes of the vocabulary (2008), by hand and a sample across its divisions.
REAL = ["85000000-9", "85300000-2", "75241000-7", "79000000-4", "98000000-3", "85311000-2",
        "85312000-9", "03113100-7", "03113200-8", "18451000-5", "71355200-3", "45233142-6",
        "03000000-1", "15112100-7", "16311000-8", "24311000-7", "30199220-8", "33154000-4",
        "34136200-1", "37411220-0", "42800000-4", "44212263-0", "48219200-8", "64216210-8",
        "71333000-1", "76471000-5", "79960000-1", "90524000-6", "92532000-9"]
# Published codes whose check digit departs from the rule (the 2008 revision's slips).
IRREGULAR = ["03300000-2", "09310000-5", "51000000-9", "72700000-7", "09112000-7"]


def test_the_rule_by_hand():
    # 85000000: 8*3 + 5*7 = 59 -> 9;  75241000: 21 + 35 + 2 + 12 + 7 = 77 -> 7
    assert cpv.rule_digit("85000000") == "9"
    assert cpv.rule_digit("75241000") == "7"
    # 98000000: 27 + 56 = 83 -> 3;  79000000: 21 + 63 = 84 -> 4
    assert cpv.rule_digit("98000000") == "3" and cpv.rule_digit("79000000") == "4"


@pytest.mark.parametrize("code", REAL)
def test_real_codes_follow_the_rule(code):
    assert cpv.rule_digit(code[:8]) == code[-1]
    assert cpv.code_error(code) is None


@pytest.mark.parametrize("code", IRREGULAR)
def test_published_irregular_codes_are_accepted_and_only_with_their_published_digit(code):
    assert cpv.rule_digit(code[:8]) != code[-1]  # the rule alone would refuse it
    assert cpv.code_error(code) is None
    wrong = f"{code[:8]}-{cpv.rule_digit(code[:8])}"
    assert f"the check digit of {code[:8]} is {code[-1]}" in cpv.code_error(wrong)


def test_the_exceptions_file_lists_only_codes_that_break_the_rule():
    with cpv.EXCEPTIONS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 532 and all(r["title"] for r in rows)
    assert all(cpv.FORMAT.match(r["code"]) for r in rows)
    assert all(cpv.rule_digit(r["code"][:8]) != r["code"][9] for r in rows)


@pytest.mark.parametrize("code,message", [
    ("85300000-3", "Check CPV code 85300000-3: the check digit of 85300000 is 2, so the code is 85300000-2"),
    ("853000002", "Enter CPV code 853000002 with a hyphen before its check digit, like 85300000-2"),
    ("85300000", "Enter CPV code 85300000 with its check digit, like 85300000-2"),
    ("8530000-2", "Enter “8530000-2” as a CPV code: 8 digits, a hyphen and a check digit, like 85300000-2"),
    ("85300000-22", "Enter “85300000-22” as a CPV code"),
    ("abc", "Enter “abc” as a CPV code"),
])
def test_bad_codes_say_what_to_enter(code, message):
    assert cpv.code_error(code).startswith(message)


def test_every_single_digit_slip_is_caught():
    """A weighted mod-10 digit with weights 1, 3, 7 catches any one mistyped digit."""
    code = "85300000"
    for i in range(8):
        for d in "0123456789":
            if d != code[i]:
                slipped = code[:i] + d + code[i + 1:]
                if slipped not in cpv.published_exceptions():
                    assert cpv.code_error(f"{slipped}-2") is not None


def test_parse_codes_splits_dedupes_and_reports():
    assert cpv.parse_codes("85300000-2, 75241000-7;85300000-2\n79000000-4") == (
        ["85300000-2", "75241000-7", "79000000-4"], [])
    codes, problems = cpv.parse_codes("85300000-2 85300000-1")
    assert codes == ["85300000-2"] and len(problems) == 1
    assert cpv.parse_codes("") == ([], [])


def test_rule_digit_needs_eight_digits():
    with pytest.raises(ValueError):
        cpv.rule_digit("1234567")
