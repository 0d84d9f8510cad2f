"""The administrator's pure rules: prefixes, sign-off order, self-lockout, settings, dates."""
from datetime import date

import pytest

from accounts.admin import rules
from accounts.models import APPROVER_ROLES, DEFAULT_SETTINGS, ROLES


@pytest.mark.parametrize("prefix,ok", [("SCP", True), ("AB", True), ("A1B2C3D4E5", True),
                                       ("A", False), ("scp", False), ("ABCDEFGHIJK", False),
                                       ("SC P", False), ("SC/P", False), ("ÄBC", False)])
def test_decision_prefix(prefix, ok):
    assert (rules.prefix_problem(prefix) is None) is ok
    assert rules.prefix_problem("") is None and rules.prefix_problem("", required=True)


@pytest.mark.parametrize("text,problem", [
    ("", None), ("chief_executive", None),
    ("originating_officer,s151_officer,chief_executive", None),
    ("chief_executive,officer", "officer is not an approver role"),
    ("chief_executive,chief_executive", "chief_executive appears more than once"),
    ("chief_executive,", "none left empty"),
])
def test_signoff_order(text, problem):
    found = rules.signoff_order_problem(text, APPROVER_ROLES)
    assert (found is None) if problem is None else (problem in found)


def test_roles_must_be_known():
    assert rules.roles_problem(["officer", "admin"], ROLES) is None
    assert rules.roles_problem(["officer", "root", "god"], ROLES) == "god, root is not a role"


def test_an_administrator_cannot_lock_itself_out():
    assert "deactivate your own" in rules.self_change_problem(1, 1, active=False, roles={"admin"})
    assert "own administrator role" in rules.self_change_problem(1, 1, active=True,
                                                                 roles={"officer"})
    assert rules.self_change_problem(1, 1, active=True, roles={"admin", "officer"}) is None
    assert rules.self_change_problem(1, 2, active=False, roles=set()) is None


def test_effective_date_today_or_later():
    today = date(2026, 12, 3)
    assert rules.effective_date_problem(today, today) is None
    assert rules.effective_date_problem(date(2027, 4, 1), today) is None
    assert "today or in the future" in rules.effective_date_problem(date(2026, 12, 2), today)
    assert "Enter the date" in rules.effective_date_problem(None, today)


def test_risk_bands_parse_and_must_cover_0_to_100():
    bands, problem = rules.parse_risk_bands(DEFAULT_SETTINGS["delphi_risk_bands"])
    assert problem is None
    assert bands == [(0, 20, "very high"), (21, 40, "high"), (41, 60, "moderate"),
                     (61, 80, "low"), (81, 100, "very low")]
    assert rules.parse_risk_bands("0-100 any")[1] is None
    assert "should start at 0, not 1" in rules.parse_risk_bands("1-100 x")[1]
    assert "start at 51, not 50" in rules.parse_risk_bands("0-50 a, 50-100 b")[1]
    assert "ends before it starts" in rules.parse_risk_bands("0-50 a, 60-51 b")[1]
    assert "must end at 100, not 99" in rules.parse_risk_bands("0-99 a")[1]
    assert "lowest-highest" in rules.parse_risk_bands("")[1]


def test_every_default_passes_its_own_check():
    for key, spec in rules.SETTINGS.items():
        assert key in DEFAULT_SETTINGS, key
        assert rules.setting_problem(key, DEFAULT_SETTINGS[key]) is None, key


@pytest.mark.parametrize("key,value,ok", [
    ("ocds_prefix", "ocds-abc123", True), ("ocds_prefix", "OCDS-abc123", False),
    ("ocds_prefix", "abc123", False), ("ocds_prefix", "ocds-", False),
    ("spread_flag", "2.5", True), ("spread_flag", "1e2", False), ("spread_flag", "Infinity", False),
    ("justification_min_length", "0", True), ("justification_min_length", "-1", False),
    ("upload_size_limit_mb", "100", True), ("upload_size_limit_mb", "101", False),
    ("marking", "OFFICIAL-SENSITIVE", True), ("marking", "official", False),
    ("session_absolute_hours", "24", True), ("session_absolute_hours", "25", False),
    ("nonsense", "x", False), ("marking", "X" * 501, False),
])
def test_setting_values(key, value, ok):
    assert (rules.setting_problem(key, value) is None) is ok


def test_the_value_in_force_is_the_latest_effective_one():
    history = [(date(2026, 1, 1), 1, "a"), (date(2026, 6, 1), 2, "b"),
               (date(2026, 6, 1), 3, "c"), (date(2027, 1, 1), 4, "d")]
    assert rules.in_force(history, date(2025, 12, 31)) is None
    assert rules.in_force(history, date(2026, 5, 31))[2] == "a"
    assert rules.in_force(history, date(2026, 6, 1))[2] == "c"  # the later entry of a day
    assert rules.in_force(history, date(2026, 12, 31))[2] == "c"
    assert rules.in_force(history, date(2027, 1, 1))[2] == "d"
