"""A supplier's identifier and telephone number (accounts.registration_rules)."""
import pytest

from accounts.registration_rules import (identifier_problem, normal_identifier, normal_phone,
                                         phone_problem)


@pytest.mark.parametrize("value,kept", [
    ("01234567", "01234567"), ("sc123456", "SC123456"), (" NI 012345 ", "NI012345"),
    ("OC301234", "OC301234"), ("1234567", "01234567"), ("123456", "00123456"),
])
def test_a_companies_house_number(value, kept):
    assert identifier_problem("GB-COH", value) is None
    assert normal_identifier("GB-COH", value) == kept


@pytest.mark.parametrize("value", ["1234", "123456789", "ABC12345", "SC12345", "SC12345X",
                                   "S1234567", "12-34567", "SC1234567"])
def test_not_a_companies_house_number(value):
    assert identifier_problem("GB-COH", value) == (
        "Enter a real Companies House number: 8 characters: 8 digits, like 01234567, or 2 "
        "letters and 6 digits, like SC123456")


def test_an_empty_identifier_and_an_unknown_register():
    assert identifier_problem("GB-COH", "  ") == "Enter your organisation's Companies House number"
    assert identifier_problem("", "01234567") == ("Select the kind of identifier your "
                                                  "organisation has")
    assert identifier_problem("GB-XYZ", "01234567") is not None


@pytest.mark.parametrize("scheme,good,bad", [
    ("GB-CHC", "1234567", "12345"), ("GB-SC", "SC012345", "012345"),
    ("GB-NIC", "100123", "10012"), ("GB-MPR", "12345R", "12 345-R"),
    ("other", "DUNS 123456789", "x" * 61),
])
def test_other_registers(scheme, good, bad):
    assert identifier_problem(scheme, good) is None
    assert identifier_problem(scheme, bad) is not None


@pytest.mark.parametrize("value", ["01632 960 001", "07700 900982", "+44 808 157 0192",
                                   "(01632) 960-001"])
def test_a_telephone_number(value):
    assert phone_problem(value) is None


@pytest.mark.parametrize("value", ["", "12345", "call me", "01632 960 001 ext 5",
                                   "+44 808 157 0192 1234567"])
def test_not_a_telephone_number(value):
    assert phone_problem(value) is not None


def test_a_telephone_number_is_kept_with_single_spaces():
    assert normal_phone("  01632   960 001 ") == "01632 960 001"
