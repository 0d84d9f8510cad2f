"""Standstill end dates, exactly as `spec/integrations.md` ("Standstill") defines them.

Pure date arithmetic (no Flask, no ORM) so the CLI, the timeline checks and the letters
all agree on one answer. Working days are Monday to Friday except the bank holidays of
England and Wales, taken from the maintained `holidays` library rather than a hand-kept
list: it carries substitute days (e.g. 2022-12-27) and one-offs (the 2022-09-19 state
funeral, the 2023-05-08 coronation) that a hand-kept list would miss.
"""
from __future__ import annotations

from datetime import date, timedelta

import holidays

# England and Wales share the same bank holidays; "ENG" is the subdivision the library
# uses for them. Observed (substitute) days are included by default. The object expands
# to new years lazily on lookup, so one module-level instance serves any date.
_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")

PA2023_WORKING_DAYS = 8
PCR2015_CALENDAR_DAYS = 10


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return d.weekday() < 5 and d not in _BANK_HOLIDAYS


def next_working_day(d: date) -> date:
    """`d` itself if it is a working day, otherwise the first working day after it."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def add_working_days(start: date, n: int) -> date:
    """The date `n` working days after `start` (`start` itself is not counted).

    `n == 0` returns `start` unchanged, whether or not it is a working day.
    """
    if n < 0:
        raise ValueError(f"add_working_days counts forwards only; got n={n}")
    d = start
    while n:
        d += timedelta(days=1)
        if is_working_day(d):
            n -= 1
    return d


def regime_family(regime: str) -> str:
    """"PA2023" or "PCR2015" for a regime code such as "PA2023-OPEN" or "PCR2015-LTR"."""
    family = (regime or "").strip().upper().split("-", 1)[0]
    if family not in ("PA2023", "PCR2015"):
        raise ValueError(
            f"Unknown procurement regime {regime!r}: expected a PA2023-* or PCR2015-* "
            "regime such as PA2023-OPEN or PCR2015-LTR"
        )
    return family


def standstill_end(regime: str, sent: date) -> date:
    """The last day of the standstill; the contract may be entered into the day after."""
    if regime_family(regime) == "PA2023":
        # Procurement Act 2023 s.51: 8 working days *beginning with* the day the contract
        # award notice is published, so that day counts as day 1 when it is a working day.
        first = next_working_day(sent)
        return add_working_days(first, PA2023_WORKING_DAYS - 1)
    # PCR 2015 reg. 87: ends at the end of the 10th day after the day the notices were
    # sent electronically; a day that is not a working day rolls on to the next one.
    return next_working_day(sent + timedelta(days=PCR2015_CALENDAR_DAYS))
