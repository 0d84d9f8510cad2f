"""Key dates against the law: each minimum period, the earliest lawful date, and whether the
recorded date meets it (SPEC §1 "Timeline"; `tender timeline` in
../shared/spec/publication-and-bids.md).

Pure: neither Flask nor the ORM. The periods are data, `data/minimum_periods.csv`, one row per
regime and period with its length, how it is counted, the date it took effect, its legal basis
in words and its source (legislation.gov.uk), read like `data/thresholds.csv`; a change in the
law is a new row with a later `effective_from`, not a change here.

How days are counted (the `counting` column):

* ``pcr2015`` — Public Contracts Regulations 2015. A period "from the date" a notice was sent
  does not count that day (reg. 2(3)(b)), so day 1 is the day after; it ends at the end of its
  last day, and a last day that is not a working day moves to the end of the next working day
  (reg. 2(4); working days as reg. 2(1): not a weekend, Christmas Day, Good Friday or a bank
  holiday of England and Wales, from the `holidays` library as in `standstill.py`). A time
  limit for tenders must run for the whole period, so the earliest lawful deadline is the end
  of the last day: a deadline given as a date (taken as the end of that day) holds from that
  day; one given with a time holds from midnight at the end of it (00:00 UK time the next
  day). Example: a contract notice sent on Wednesday 1 February 2023 under reg. 27(2) and (6)
  (30 days): day 1 is 2 February, day 30 is Friday 3 March, so tenders may be due on 3 March
  at the earliest, and a deadline at noon on 3 March is half a day short.
* ``pa2023`` — Procurement Act 2023. The tendering period "begins with the day following the
  day on which" tenders are invited "and ends with the day by which tenders must be
  submitted" (s.54(5)); the days are calendar days and the Act moves no day off a weekend. The
  deadline's own day is the period's last day, at whatever time of it: the earliest lawful
  deadline is that day (a date-time holds from 00:00 UK time on it).

Every time is compared in UK time (Europe/London, so British Summer Time is respected); a
date-time arrives here aware of its zone (the records keep UTC). The standstill is the rule of
`standstill.py` (PCR 2015 reg. 87, PA 2023 s.51), reused, and the contract may start the day
after the standstill's last day.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from procurement.standstill import next_working_day, regime_family, standstill_end

DATA = Path(__file__).with_name("data") / "minimum_periods.csv"
UK = ZoneInfo("Europe/London")
COUNTINGS = ("pcr2015", "pa2023")
DAY_KINDS = ("calendar", "working", "month")
# The kinds of recorded date the law constrains, in the order the timeline lists them.
CHECKED_KINDS = ("tender_deadline", "standstill_end", "contract_start")


@dataclass(frozen=True)
class MinimumPeriod:
    regime: str  # a regime code, or a family wildcard such as "PCR2015-*"
    period: str  # e.g. tender_from_notice, tender_from_notice_electronic, tender_after_pin
    days: int | None  # None: the law sets no number
    day_kind: str  # calendar, working or month
    counting: str  # pcr2015 or pa2023 (see the module docstring)
    effective_from: date
    basis: str
    source: str


@dataclass(frozen=True)
class Check:
    """One recorded date against the law: `holds` is None when `earliest` is None."""

    kind: str
    date: date | datetime  # a datetime is aware, in UK time
    earliest: date | datetime | None
    basis: str
    holds: bool | None
    source: str = ""
    no_minimum: bool = False  # the law sets no number (rather than a date missing to count)

    def as_json(self) -> dict:
        return {"kind": self.kind, "date": iso(self.date),
                "earliest": iso(self.earliest) if self.earliest is not None else None,
                "basis": self.basis, "holds": self.holds}


@dataclass(frozen=True)
class Dates:
    """What the records say, as plain values: dates, and the deadline aware if it has a time."""

    regime: str
    itt_published: date | None = None  # the notice (or invitation) that opened the competition
    pin_published: date | None = None  # PIN (PCR 2015) or planned procurement notice (PA 2023)
    tender_deadline: date | datetime | None = None
    electronic_submission: bool = True
    award_notice: date | None = None  # award decision notices sent / contract award notice
    standstill_end: date | None = None
    contract_start: date | None = None


# --- the data ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def minimum_periods() -> tuple[MinimumPeriod, ...]:
    rows = []
    with DATA.open(newline="", encoding="utf-8") as f:
        for number, r in enumerate(csv.DictReader(f), start=2):
            days = r["days"].strip()
            row = MinimumPeriod(
                regime=r["regime"].strip(), period=r["period"].strip(),
                days=int(days) if days else None, day_kind=r["day_kind"].strip(),
                counting=r["counting"].strip(),
                effective_from=date.fromisoformat(r["effective_from"].strip()),
                basis=r["basis"].strip(), source=r["source"].strip())
            if row.day_kind not in DAY_KINDS or row.counting not in COUNTINGS:
                raise ValueError(f"{DATA.name} row {number}: day_kind {row.day_kind!r} or "
                                 f"counting {row.counting!r} is not one this module knows")
            rows.append(row)
    return tuple(rows)


def _applies(row: MinimumPeriod, regime: str) -> bool:
    if row.regime.endswith("-*"):
        return regime_family(regime) == row.regime[:-2]
    return row.regime == regime


def minimum(regime: str, period: str, on: date) -> MinimumPeriod:
    """The row in force on `on` for the regime and period (the latest effective_from <= on).

    LookupError when none is: before the law took effect, or a period the regime lacks.
    """
    regime = (regime or "").strip().upper()
    regime_family(regime)  # an unknown regime is a ValueError with the codes it expects
    rows = [r for r in minimum_periods() if r.period == period and _applies(r, regime)]
    if not rows:
        raise LookupError(f"No {period.replace('_', ' ')} period is recorded for {regime}")
    in_force = [r for r in rows if r.effective_from <= on]
    if not in_force:
        first = min(r.effective_from for r in rows)
        raise LookupError(f"No {period.replace('_', ' ')} period for {regime} was in force on "
                          f"{on.isoformat()} (the first took effect on {first.isoformat()})")
    # an exact regime row beats a family wildcard of the same date
    return max(in_force, key=lambda r: (r.effective_from, not r.regime.endswith("-*")))


# --- UK time ------------------------------------------------------------------------------
def iso(value: date | datetime) -> str:
    """A date as YYYY-MM-DD; a date-time in UK time with its offset."""
    if isinstance(value, datetime):
        return as_uk(value).isoformat()
    return value.isoformat()


def as_uk(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone: give UK or UTC times aware of their zone")
    return moment.astimezone(UK)


def uk_wall_clock_exists(local: datetime) -> bool:
    """False for a UK time skipped when the clocks go forward (e.g. 01:30 on 30 March 2025)."""
    aware = local.replace(tzinfo=UK)
    return aware.astimezone(timezone.utc).astimezone(UK).replace(tzinfo=None) == \
        local.replace(tzinfo=None)


def uk_to_utc(local: datetime) -> datetime:
    """A naive UK wall-clock time as naive UTC. Its `fold` picks the second of the hour that
    repeats when the clocks go back (fold=1: GMT); a skipped time is a ValueError."""
    if local.tzinfo is not None:
        return local.astimezone(timezone.utc).replace(tzinfo=None)
    if not uk_wall_clock_exists(local):
        raise ValueError(f"{local:%Y-%m-%d %H:%M} does not exist in UK time: the clocks go "
                         "forward an hour that night")
    return local.replace(tzinfo=UK).astimezone(timezone.utc).replace(tzinfo=None)


def utc_to_uk(utc: datetime) -> datetime:
    """A naive UTC time (as the records keep it) as an aware UK time."""
    return utc.replace(tzinfo=timezone.utc).astimezone(UK)


def uk_wall_clock(utc: datetime) -> datetime:
    """A naive UTC time as the naive UK wall-clock time, `fold` set in the repeated hour."""
    local = utc_to_uk(utc)
    return local.replace(tzinfo=None, fold=local.fold)


def is_ambiguous(local: datetime) -> bool:
    """A naive UK time that happens twice, in the hour repeated when the clocks go back."""
    naive = local.replace(tzinfo=None)
    return (naive.replace(fold=0, tzinfo=UK).utcoffset()
            != naive.replace(fold=1, tzinfo=UK).utcoffset())


def deadline_instant(deadline: date | datetime) -> datetime:
    """When a deadline passes, aware in UTC: a date alone is the end of that day in UK time."""
    if isinstance(deadline, datetime):
        return as_uk(deadline).astimezone(timezone.utc)
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=UK
                            ).astimezone(timezone.utc)


# --- counting -----------------------------------------------------------------------------
def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (31 May less 3 months: 28/29 February)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def last_day(start: date, rule: MinimumPeriod) -> date:
    """The last day of a period of `rule.days` counted from the day after `start`."""
    if rule.days is None:
        raise ValueError(f"{rule.basis}: there is no number of days to count")
    if rule.day_kind != "calendar":
        raise ValueError(f"{rule.period} counts {rule.day_kind} days; use its own rule")
    end = start + timedelta(days=rule.days)
    if rule.counting == "pcr2015":
        end = next_working_day(end)  # reg. 2(4)
    return end


def earliest_deadline(start: date, rule: MinimumPeriod, with_time: bool) -> date | datetime:
    """The earliest lawful deadline after a notice sent or published on `start`."""
    end = last_day(start, rule)
    if not with_time:
        return end
    if rule.counting == "pcr2015":  # the whole of the last day must have passed
        return datetime.combine(end + timedelta(days=1), time(0), tzinfo=UK)
    return datetime.combine(end, time(0), tzinfo=UK)  # any time on the last day


def holds(deadline: date | datetime, earliest: date | datetime) -> bool:
    if isinstance(earliest, datetime):
        moment = deadline if isinstance(deadline, datetime) else \
            datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=UK)
        return as_uk(moment) >= earliest
    day = as_uk(deadline).date() if isinstance(deadline, datetime) else deadline
    return day >= earliest


def _pin_qualifies(regime: str, pin: date, notice: date) -> tuple[bool, str]:
    """Whether the PIN (or planned procurement notice) shortens the period, and why not."""
    low = minimum(regime, "pin_lead_min", notice)
    high = minimum(regime, "pin_lead_max", notice)
    latest = notice - timedelta(days=low.days)
    earliest = months_before(notice, high.days)
    if pin > latest:
        return False, f"the notice of {pin.isoformat()} came less than {low.days} days before"
    if pin < earliest:
        return False, f"the notice of {pin.isoformat()} came more than {high.days} months before"
    return True, ""


def tender_rule(d: Dates, notice: date) -> tuple[MinimumPeriod, str]:
    """The tendering period that applies, and a note when a recorded PIN does not qualify."""
    regime = d.regime.strip().upper()
    base = minimum(regime, "tender_from_notice", notice)
    if base.days is None:  # light touch: no number at all, whatever else is recorded
        return base, ""
    note = ""
    if d.pin_published is not None:
        qualifies, note = _pin_qualifies(regime, d.pin_published, notice)
        if qualifies:
            return minimum(regime, "tender_after_pin", notice), ""
        note = f" (no shorter period after the prior notice: {note})"
    period = "tender_from_notice_electronic" if d.electronic_submission else "tender_from_notice"
    return minimum(regime, period, notice), note


# --- the checks ---------------------------------------------------------------------------
def check_tender_deadline(d: Dates) -> Check:
    deadline = d.tender_deadline
    with_time = isinstance(deadline, datetime)
    shown = as_uk(deadline) if with_time else deadline
    if d.itt_published is None:
        return Check("tender_deadline", shown, None, "No date is recorded for the notice that "
                     "opened the competition, so no minimum period can be counted", None)
    try:
        rule, note = tender_rule(d, d.itt_published)
    except LookupError as exc:
        return Check("tender_deadline", shown, None, f"{exc}", None)
    if rule.days is None:
        return Check("tender_deadline", shown, None, rule.basis, None, rule.source,
                     no_minimum=True)
    earliest = earliest_deadline(d.itt_published, rule, with_time)
    return Check("tender_deadline", shown, earliest, rule.basis + note,
                 holds(deadline, earliest), rule.source)


def _standstill(d: Dates) -> tuple[date | None, MinimumPeriod | None, str]:
    """The standstill's last day by the rule, its row, or why it cannot be computed."""
    if d.award_notice is None:
        return None, None, "no date is recorded for the award decision notices (PCR 2015) or "\
            "the contract award notice (PA 2023)"
    try:
        rule = minimum(d.regime, "standstill", d.award_notice)
    except LookupError as exc:
        return None, None, str(exc)
    return standstill_end(d.regime, d.award_notice), rule, ""


def check_standstill_end(d: Dates) -> Check:
    computed, rule, why = _standstill(d)
    if computed is None:
        return Check("standstill_end", d.standstill_end, None,
                     f"The standstill cannot be counted: {why}", None)
    recorded = d.standstill_end or computed
    return Check("standstill_end", recorded, computed, rule.basis, recorded >= computed,
                 rule.source)


def check_contract_start(d: Dates) -> Check:
    computed, standstill_rule, why = _standstill(d)
    try:
        rule = minimum(d.regime, "contract_start", d.award_notice or d.contract_start)
    except LookupError as exc:
        return Check("contract_start", d.contract_start, None, str(exc), None)
    if computed is None:
        return Check("contract_start", d.contract_start, None,
                     f"{rule.basis}; its earliest date cannot be counted: {why}", None,
                     rule.source)
    end = max(computed, d.standstill_end or computed)  # a longer standstill recorded counts
    earliest = end + timedelta(days=rule.days)
    return Check("contract_start", d.contract_start, earliest,
                 f"{rule.basis} (it ends on {end.isoformat()})", d.contract_start >= earliest,
                 rule.source)


def check_timeline(d: Dates) -> list[Check]:
    """One check for each recorded date the law constrains, in CHECKED_KINDS order."""
    regime_family(d.regime)
    checks = []
    if d.tender_deadline is not None:
        checks.append(check_tender_deadline(d))
    if d.standstill_end is not None or d.award_notice is not None:
        checks.append(check_standstill_end(d))
    if d.contract_start is not None:
        checks.append(check_contract_start(d))
    return checks


def timeline_json(reference: str, regime: str, checks: list[Check]) -> dict:
    """`tender timeline REF --format json`, exactly as the contract names the keys."""
    return {"reference": reference, "regime": regime,
            "dates": [c.as_json() for c in checks]}
