"""Standstill end dates; every expected date was counted by hand on a calendar."""
from datetime import date

import pytest

from procurement.standstill import add_working_days, is_working_day, next_working_day, standstill_end


@pytest.mark.parametrize(
    "d",
    [
        date(2022, 12, 27),  # Tue: substitute for Christmas Day (a Sunday)
        date(2027, 12, 27),  # Mon: substitute for Christmas Day (a Saturday)
        date(2027, 12, 28),  # Tue: substitute for Boxing Day (a Sunday)
        date(2023, 1, 2),  # Mon: substitute for New Year's Day (a Sunday)
        date(2022, 9, 19),  # state funeral of Queen Elizabeth II
        date(2023, 5, 8),  # coronation of King Charles III
        date(2022, 6, 3),  # Platinum Jubilee
        date(2025, 4, 18),  # Good Friday
        date(2025, 4, 21),  # Easter Monday
        date(2024, 8, 26),  # Summer bank holiday
        date(2024, 6, 15),  # Saturday
        date(2024, 6, 16),  # Sunday
    ],
)
def test_not_working_days(d):
    assert not is_working_day(d)


@pytest.mark.parametrize(
    "d",
    [date(2024, 12, 27), date(2024, 12, 24), date(2022, 12, 28), date(2024, 6, 14), date(2023, 8, 14)],
)
def test_working_days(d):
    assert is_working_day(d)


def test_next_working_day():
    assert next_working_day(date(2024, 6, 14)) == date(2024, 6, 14)
    assert next_working_day(date(2024, 6, 15)) == date(2024, 6, 17)
    assert next_working_day(date(2027, 12, 25)) == date(2027, 12, 29)


def test_add_working_days():
    assert add_working_days(date(2024, 12, 24), 0) == date(2024, 12, 24)
    assert add_working_days(date(2024, 12, 24), 1) == date(2024, 12, 27)
    assert add_working_days(date(2024, 6, 14), 1) == date(2024, 6, 17)
    assert add_working_days(date(2024, 6, 15), 5) == date(2024, 6, 21)  # from a Saturday
    with pytest.raises(ValueError):
        add_working_days(date(2024, 6, 14), -1)


@pytest.mark.parametrize(
    "sent, expected",
    [
        (date(2024, 6, 3), date(2024, 6, 12)),  # Mon: 3-7, 10, 11, 12
        (date(2024, 12, 16), date(2024, 12, 27)),  # 16-20, 23, 24, (25, 26), 27
        (date(2022, 12, 23), date(2023, 1, 6)),  # 23, (26, 27), 28-30, (2 Jan), 3-6
        (date(2027, 12, 24), date(2028, 1, 7)),  # 24, (27, 28), 29-31, (3 Jan), 4-7
        (date(2025, 4, 17), date(2025, 4, 30)),  # 17, (Good Fri, Easter Mon), 22-25, 28-30
        (date(2024, 8, 21), date(2024, 9, 2)),  # 21-23, (26 Aug), 27-30, 2 Sep
        (date(2022, 9, 13), date(2022, 9, 23)),  # 13-16, (19 state funeral), 20-23
        (date(2023, 5, 2), date(2023, 5, 12)),  # 2-5, (8 coronation), 9-12
        # sent on a Saturday: counting starts Monday 17th
        (date(2024, 6, 15), date(2024, 6, 26)),
        # sent on Good Friday: Easter Monday too, so counting starts Tuesday 2 April
        (date(2024, 3, 29), date(2024, 4, 11)),
        # sent on a substitute day (Tue 27 Dec 2022): counting starts Wed 28th
        (date(2022, 12, 27), date(2023, 1, 9)),  # 28-30, (2 Jan), 3-6, 9
    ],
)
def test_pa2023(sent, expected):
    assert standstill_end("PA2023-OPEN", sent) == expected
    assert standstill_end("PA2023-CFP", sent) == expected


@pytest.mark.parametrize(
    "sent, expected",
    [
        (date(2024, 6, 3), date(2024, 6, 13)),  # Thu, a working day
        (date(2024, 6, 5), date(2024, 6, 17)),  # Sat 15th -> Mon 17th
        (date(2024, 6, 1), date(2024, 6, 11)),  # sent on a Saturday: calendar days still count
        (date(2024, 12, 15), date(2024, 12, 27)),  # Christmas Day, Boxing Day -> Fri 27th
        (date(2022, 12, 17), date(2022, 12, 28)),  # Tue 27th is a substitute day -> Wed 28th
        (date(2027, 12, 17), date(2027, 12, 29)),  # Mon 27th, Tue 28th substitutes -> Wed 29th
        (date(2022, 12, 22), date(2023, 1, 3)),  # Sun 1 Jan, Mon 2 Jan (substitute) -> Tue 3rd
        (date(2025, 4, 8), date(2025, 4, 22)),  # Good Friday 18th .. Easter Monday 21st -> Tue 22nd
        (date(2024, 8, 16), date(2024, 8, 27)),  # Summer bank holiday Mon 26th -> Tue 27th
        (date(2022, 9, 9), date(2022, 9, 20)),  # state funeral Mon 19th -> Tue 20th
    ],
)
def test_pcr2015(sent, expected):
    for regime in ("PCR2015-LTR", "PCR2015-OPEN", "PCR2015-RESTRICTED"):
        assert standstill_end(regime, sent) == expected


def test_regime_code_is_case_and_space_tolerant():
    assert standstill_end(" pa2023-open ", date(2024, 6, 3)) == date(2024, 6, 12)


@pytest.mark.parametrize("regime", ["", "OJEU", "PCR2006-OPEN", "PA2024-OPEN", None])
def test_unknown_regime(regime):
    with pytest.raises(ValueError, match="Unknown procurement regime"):
        standstill_end(regime, date(2024, 6, 3))
