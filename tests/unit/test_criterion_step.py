"""A step per criterion (issue 16, point 4): which step applies, what the officer may set,
and the one rule the hint, the validation and the upload share."""
from decimal import Decimal

import pytest

from evaluation.rules import (DEFAULT_STEP, criterion_step, description_error, off_step,
                              score_error, score_rule, step_error)


def test_the_criterion_s_own_step_wins_over_the_setting():
    assert criterion_step(Decimal("1"), "0.25") == Decimal("1")


@pytest.mark.parametrize("setting, expected", [("0.25", Decimal("0.25")), (Decimal("0.1"), Decimal("0.1")),
                                               ("", DEFAULT_STEP), ("nonsense", DEFAULT_STEP),
                                               ("0", DEFAULT_STEP), ("-1", DEFAULT_STEP),
                                               (None, DEFAULT_STEP)])
def test_without_its_own_step_a_criterion_takes_the_setting_else_half_points(setting, expected):
    assert criterion_step(None, setting) == expected


def test_a_zero_criterion_step_is_not_a_step():
    assert criterion_step(Decimal("0"), "1") == Decimal("1")


@pytest.mark.parametrize("text, expected", [("1", Decimal("1")), (" 0.5 ", Decimal("0.5")),
                                            ("0.25", Decimal("0.25")), ("0.50", Decimal("0.5")),
                                            ("5", Decimal("5"))])
def test_a_good_step(text, expected):
    assert step_error(text, Decimal("5")) == (expected, None)


def test_an_empty_step_means_the_setting():
    assert step_error("  ", Decimal("5")) == (None, None)


@pytest.mark.parametrize("text, words", [
    ("0", "greater than 0"), ("-1", "greater than 0"), ("half", "greater than 0"),
    ("1,5", "greater than 0"), ("0.125", "at most 2 decimals"), ("2", "divide the maximum score of 5"),
    ("0.3", "divide the maximum score of 5"), ("10", "divide the maximum score of 5")])
def test_a_bad_step_says_why(text, words):
    value, error = step_error(text, Decimal("5"))
    assert value is None and words in error


def test_off_step():
    assert off_step(Decimal("3.5"), Decimal("1")) and not off_step(Decimal("3"), Decimal("1"))
    assert not off_step(Decimal("3.25"), Decimal("0.25"))


def test_whole_points_refuse_a_half_and_the_error_is_the_hint():
    value, error = score_error("3.5", 5, Decimal("1"))
    assert value is None and error == "Score must be a number " + score_rule(5, Decimal("1"))
    assert "whole points" in score_rule(5, Decimal("1"))
    assert score_error("3", 5, Decimal("1")) == (Decimal("3"), None)


def test_a_description_is_trimmed_phrases_one_a_line():
    assert description_error("  a written Quality submission \n\n an interview ") == \
        ("a written Quality submission\nan interview", None)
    assert description_error("") == ("", None)


@pytest.mark.parametrize("text, words", [("x" * 301, "300 characters or fewer"),
                                         ("an interview.", "without a full stop"),
                                         ("a, \nb", "without a full stop")])
def test_a_bad_description_says_why(text, words):
    assert words in description_error(text)[1]
