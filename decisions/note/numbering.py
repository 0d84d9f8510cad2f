"""Decision numbers: prefix/D/financial year/sequence, e.g. SCP/D/202324/007 (SPEC §7).

Pure functions so that assignment ("once, at send") can be tested without a database: the
caller passes the numbers already issued and stores what `next_sequence` returns.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

_PREFIX = re.compile(r"[A-Za-z0-9]{1,10}")
_NUMBER = re.compile(r"([A-Za-z0-9]{1,10})/D/(\d{6})/(\d+)")


class DecisionNumber(NamedTuple):
    prefix: str
    fy: str
    seq: int

    def __str__(self) -> str:
        return format_decision_number(self.prefix, self.fy, self.seq)


def financial_year(d: date) -> str:
    """UK public-sector financial year (1 April – 31 March) as "202324"."""
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}{(start + 1) % 100:02d}"


def _check_prefix(prefix: str) -> None:
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise ValueError(f"Decision-number prefix {prefix!r} must be 1 to 10 letters or digits")


def _check_fy(fy: str) -> None:
    # The second half must follow the first, so "202325" or "2023-24" is caught early
    # rather than printed on a signed note.
    if not (isinstance(fy, str) and re.fullmatch(r"\d{6}", fy) and (int(fy[:4]) + 1) % 100 == int(fy[4:])):
        raise ValueError(f"Financial year {fy!r} must look like 202324 (April 2023 to March 2024)")


def format_decision_number(prefix: str, fy: str, seq: int) -> str:
    """"SCP/D/202324/007": the sequence is zero-padded to three digits, wider if needed."""
    _check_prefix(prefix)
    _check_fy(fy)
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"Decision sequence {seq!r} must be a whole number of at least 1")
    return f"{prefix}/D/{fy}/{seq:03d}"


def parse_decision_number(s: str) -> DecisionNumber:
    """The parts of "SCP/D/202324/007"; ValueError when it is not of that form."""
    m = _NUMBER.fullmatch((s or "").strip()) if isinstance(s, str) else None
    if not m:
        raise ValueError(f"{s!r} is not a decision number like SCP/D/202324/007")
    prefix, fy, seq = m.group(1), m.group(2), int(m.group(3))
    _check_fy(fy)
    if seq < 1:
        raise ValueError(f"{s!r} has sequence 0; sequences start at 1")
    return DecisionNumber(prefix, fy, seq)


def next_sequence(existing_numbers: Iterable[str], prefix: str, fy: str) -> int:
    """One more than the highest sequence already issued for this prefix and year.

    Numbers of other prefixes or years are ignored (each year restarts at 1), and so is
    anything that does not parse: a malformed legacy value must not block a new number.
    Prefixes compare exactly, as `format_decision_number` writes them.
    """
    _check_prefix(prefix)
    _check_fy(fy)
    highest = 0
    for s in existing_numbers:
        try:
            n = parse_decision_number(s)
        except ValueError:
            continue
        if n.prefix == prefix and n.fy == fy:
            highest = max(highest, n.seq)
    return highest + 1
