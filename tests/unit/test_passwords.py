"""The password policy (NCSC): 12 characters or more, not common, no composition rules."""
import pytest

from accounts.passwords import (MAX_LENGTH, MIN_LENGTH, TOO_COMMON, TOO_LONG, TOO_PERSONAL,
                                TOO_SHORT, TOO_SIMPLE, common_passwords, problems)

DEMO_PASSWORD = "tender-demo-2023"
TEST_PASSWORD = "correct horse battery staple"


def test_the_deny_list_is_the_shipped_list_of_common_passwords():
    common = common_passwords()
    assert len(common) > 19000
    assert {"password", "123456", "qwerty123456", "password1234"} <= common


@pytest.mark.parametrize("password", [
    DEMO_PASSWORD, TEST_PASSWORD, "plum tractor seaside", "a" * 11 + "b",
    "é" * 11 + "ß",  # characters, not bytes, and any script
    "x" * (MAX_LENGTH - 1) + "y",
    "lowercase only words",  # no composition rules: none of upper case, digits, symbols needed
])
def test_long_uncommon_passwords_are_accepted(password):
    assert problems(password, email="someone@example.org", name="Some One") == []


@pytest.mark.parametrize("password", ["", "short", "elevenchars", "a1!B" * 2 + "xyz"])
def test_shorter_than_12_characters_is_refused(password):
    assert len(password) < MIN_LENGTH
    assert problems(password) == [TOO_SHORT]


def test_exactly_12_characters_is_enough():
    assert problems("mauve teapot") == [] and len("mauve teapot") == MIN_LENGTH


def test_longer_than_the_maximum_is_refused():
    assert problems("ab" * MAX_LENGTH) == [TOO_LONG]


@pytest.mark.parametrize("password", [
    "qwerty123456",  # on the list as it is
    "QWERTY123456",  # case does not hide it
    "password1234",
    "password12345678",  # a common password with digits added
    "!!monkey2024!!",  # ... or punctuation, at either end
    "iloveyou iloveyou",  # a common password repeated, spaces ignored
    "qwertyqwertyqwerty",
    "procurement1",  # the service's own words
    "Tender123456",
])
def test_common_passwords_and_simple_variations_are_refused(password):
    assert problems(password) == [TOO_COMMON], password


def test_one_character_repeated_is_refused():
    assert problems("z" * 20) == [TOO_SIMPLE]


@pytest.mark.parametrize("password", ["officer.smith@example.org", "OFFICER.SMITH1234",
                                      "Officer Smith2024", "officersmith!!"])
def test_your_own_email_or_name_is_refused(password):
    assert problems(password, email="officer.smith@example.org",
                    name="Officer Smith") == [TOO_PERSONAL], password
