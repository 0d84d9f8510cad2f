"""The minimum tender period: the earliest lawful tender deadline for a notice sent on a day.

TODO(merge): `procurement/timeline.py` (the key dates and minimum periods of `tender
timeline`, built on another branch) replaces this built-in table; the merger points
`minimum_tender_deadline` at it and keeps this interface:
`minimum_tender_deadline(procurement, sent_on) -> (earliest datetime or None, basis)`.

Pure: `procurement` is anything with `regime` (and, when known, `electronic_submission`,
default yes: tenders are submitted through Tender). The earliest deadline is the start of
the day the period ends on, in UK wall-clock time like the recorded deadline; None where the
law sets no number of days (the light-touch regime's "reasonable" period).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

# regime -> (days when tenders are submitted electronically, days otherwise, basis)
MINIMUM_DAYS = {
    "PCR2015-OPEN": (30, 35, "PCR 2015 reg. 27(2) and (4)"),
    "PCR2015-RESTRICTED": (25, 30, "PCR 2015 reg. 28(4) and (6)"),
    "PA2023-OPEN": (25, 30, "Procurement Act 2023 s.54(3)"),
    "PA2023-CFP": (25, 30, "Procurement Act 2023 s.54(3)"),
}
NO_NUMBER = {
    "PCR2015-LTR": "PCR 2015 reg. 76: a reasonable period, no minimum number of days",
}


def minimum_tender_deadline(procurement, sent_on: date) -> tuple[datetime | None, str]:
    """(earliest lawful tender deadline or None, the legal basis in words)."""
    regime = (getattr(procurement, "regime", "") or "").upper()
    if regime in NO_NUMBER:
        return None, NO_NUMBER[regime]
    if regime not in MINIMUM_DAYS:
        return None, f"no minimum period known for {regime or 'this regime'}"
    electronic_days, paper_days, basis = MINIMUM_DAYS[regime]
    electronic = getattr(procurement, "electronic_submission", True)
    days = electronic_days if electronic in (True, None) else paper_days
    return datetime.combine(sent_on + timedelta(days=days), time.min), \
        f"{basis}: {days} days from the day the notice is sent"
