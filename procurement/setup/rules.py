"""The set-up's rules as plain functions: what a reference, an amount, a term or a date must
be, the status of each task of the set-up, what stops finalising, and the threshold
assessment shown on the procurement page. Pure: no Flask, no database; each returns the
problem as an instruction ("Enter …", "Select …") instead of raising or aborting.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from procurement import thresholds
from procurement.formatting import money
from procurement.setup_rules import check_totals

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
REFERENCE_MAX = 60
RESERVED_REFERENCES = {"new"}  # /procurements/new is the page that creates one
MAX_MONEY = Decimal("100000000000000")  # MONEY is Numeric(16, 2)
MAX_TERM_YEARS = 25
MAX_EXTENSIONS = 10

NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START = (
    "Not started", "In progress", "Completed", "Cannot start yet")
OPTIONAL = "Optional"


# -- single values ----------------------------------------------------------------------

def reference_error(reference: str, taken: bool = False) -> str | None:
    reference = (reference or "").strip()
    if not reference:
        return "Enter a reference, for example DA-2023-01"
    if len(reference) > REFERENCE_MAX:
        return f"Enter a reference of {REFERENCE_MAX} characters or fewer"
    if not REFERENCE.match(reference):
        return ("Enter a reference using only letters, numbers, hyphens, full stops and "
                "underscores, starting with a letter or number, for example DA-2023-01")
    if reference.lower() in RESERVED_REFERENCES:
        return f"Enter a reference other than “{reference}”"
    if taken:
        return (f"Enter a different reference: {reference} is already used by another "
                "procurement")
    return None


def parse_money(text: str | None, what: str) -> tuple[Decimal | None, str | None]:
    """Pounds and pence typed by a person: "£2,875,221", "1859195.76"."""
    raw = (text or "").strip().replace(",", "").replace("£", "").replace(" ", "")
    if not raw:
        return None, f"Enter {what}"
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return None, f"Enter {what} as an amount in pounds, like 2,875,221 or 1,859,195.76"
    if not amount.is_finite():
        return None, f"Enter {what} as an amount in pounds, like 2,875,221 or 1,859,195.76"
    if amount < 0:
        return None, f"Enter {what} as £0 or more"
    if amount >= MAX_MONEY:
        return None, f"Enter {what} below £100,000,000,000,000"
    if amount != amount.quantize(Decimal("0.01")):
        return None, f"Enter {what} in pounds and pence, with at most 2 decimal places"
    return amount.quantize(Decimal("0.01")), None


def parse_whole(text: str | None, what: str, low: int, high: int,
                required: bool = True) -> tuple[int | None, str | None]:
    raw = (text or "").strip()
    if not raw:
        return None, (f"Enter {what}" if required else None)
    if not re.fullmatch(r"\d+", raw):
        return None, f"Enter {what} as a whole number, like {low if low else high // 2}"
    value = int(raw)
    if not low <= value <= high:
        return None, f"Enter {what} from {low} to {high}"
    return value, None


def parse_extensions(text: str | None) -> tuple[list[int], str | None]:
    """Extension options as whole years: "1, 1", "1 + 1" or "2"; blank for none."""
    raw = (text or "").strip()
    if not raw:
        return [], None
    parts = [p for p in re.split(r"[\s,+]+", raw) if p]
    if not all(re.fullmatch(r"\d+", p) for p in parts):
        return [], ("Enter the extension options as whole years separated by commas, "
                    "like 1, 1 for two one-year extensions")
    years = [int(p) for p in parts]
    if any(y < 1 or y > MAX_TERM_YEARS for y in years):
        return [], f"Enter each extension option as 1 to {MAX_TERM_YEARS} years"
    if len(years) > MAX_EXTENSIONS:
        return [], f"Enter at most {MAX_EXTENSIONS} extension options"
    return years, None


def date_error(parts: dict[str, str], subject: str, required: bool = True) -> tuple[
        date | None, str | None, set[str]]:
    """A GOV.UK date input (day, month, year): (the date, problem, the boxes in error)."""
    filled = {p for p, v in parts.items() if (v or "").strip()}
    if not filled:
        return None, (f"Enter {subject}" if required else None), (
            {"day", "month", "year"} if required else set())
    missing = [p for p in ("day", "month", "year") if p not in filled]
    named = subject[0].upper() + subject[1:]
    if missing:
        return None, f"{named} must include a {' and a '.join(missing)}", set(missing)
    values = {p: parts[p].strip() for p in ("day", "month", "year")}
    if not all(v.isdigit() for v in values.values()):
        return None, f"{named} must be a real date, using numbers only, like 1 2 2023", set(values)
    if len(values["year"]) != 4:
        return None, f"{named} must include a year of 4 numbers, like 2023", {"year"}
    try:
        return date(int(values["year"]), int(values["month"]), int(values["day"])), None, set()
    except ValueError:
        return None, f"{named} must be a real date, like 1 2 2023", {"day", "month", "year"}


def time_error(text: str | None, subject: str) -> tuple[time | None, str | None]:
    """An optional time of day, 24-hour "12:00" or "9:30"."""
    raw = (text or "").strip()
    if not raw:
        return None, None
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", raw)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None, f"Enter {subject} as a 24-hour time, like 12:00 or 17:30"
    return time(int(match.group(1)), int(match.group(2))), None


# -- the task list ------------------------------------------------------------------------

@dataclass(frozen=True)
class SetupFacts:
    """What the set-up holds, as plain values."""

    details_missing: tuple[str, ...] = ()  # the labels of the details not yet given
    lot_values: dict[str, Decimal | None] = field(default_factory=dict)
    partner_contributions: dict[str, Decimal | None] = field(default_factory=dict)
    date_kinds: frozenset[str] = frozenset()
    events: int = 0
    finalised: bool = False


KEY_DATES = ("itt_published", "tender_deadline", "contract_start")


@dataclass(frozen=True)
class Task:
    key: str
    name: str
    status: str
    hint: str = ""


def tasks(f: SetupFacts) -> list[Task]:
    """The set-up's task list, each with its status (GOV.UK task list pattern)."""
    details = COMPLETED if not f.details_missing else IN_PROGRESS
    lots = COMPLETED if f.lot_values else NOT_STARTED
    partners = COMPLETED if f.partner_contributions else NOT_STARTED
    have = set(f.date_kinds) & set(KEY_DATES)
    dates = (COMPLETED if have == set(KEY_DATES) else IN_PROGRESS if f.date_kinds
             else NOT_STARTED)
    events = COMPLETED if f.events else NOT_STARTED
    if f.finalised:
        check = COMPLETED
    elif not f.lot_values:
        check = CANNOT_START
    else:
        check = NOT_STARTED
    return [
        Task("details", "Procurement details", details,
             "Missing: " + ", ".join(f.details_missing) if f.details_missing else ""),
        Task("lots", "Lots and their annual values", lots),
        Task("partners", "Commissioning partners and their contributions", partners,
             "Optional: only where partners fund the contract"),
        Task("dates", "Key dates", dates,
             "" if dates == COMPLETED else "The tender published, tender deadline and "
                                           "contract start dates are needed for the note"),
        Task("events", "Engagement events", events,
             "Optional: they feed the decision note's consultation section"),
        Task("check", "Check and finalise the set-up", check,
             "Add at least one lot first" if check == CANNOT_START else ""),
    ]


def finalise_problems(f: SetupFacts) -> list[str]:
    """Why the set-up cannot be finalised, or [] when it can (DOMAIN: finalise set-up)."""
    problems = [f"Enter the {label} in the procurement details" for label in f.details_missing]
    problems += check_totals(f.lot_values, f.partner_contributions)
    return problems


# -- the threshold assessment ---------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdView:
    """What the procurement page says of the threshold."""

    on: date
    on_basis: str  # why that date
    contract_type: str = ""
    whole_term_value: Decimal | None = None
    threshold: Decimal | None = None
    source: str = ""
    effective_from: date | None = None
    above: bool | None = None
    notices: tuple[str, ...] = ()
    problem: str = ""  # no threshold is recorded for that date or kind of buyer

    @property
    def verdict(self) -> str:
        if self.above is None:
            return ""
        if self.above:
            return (f"Above the threshold: the whole-term value of {money(self.whole_term_value)} "
                    f"is at least {money(self.threshold)}")
        return (f"Below the threshold: the whole-term value of {money(self.whole_term_value)} "
                f"is less than {money(self.threshold)}")


def relevant_date(itt_published: date | None, today: date) -> tuple[date, str]:
    """The date the value is estimated at: when the call for competition (the tender notice)
    is sent (PCR 2015 reg. 6(3)), else today while it is not yet dated."""
    if itt_published is not None:
        return itt_published, "the date the tender notice was published"
    return today, "today, as no tender published date is recorded yet"


def threshold_view(regime: str, buyer_kind: str, annual_total: Decimal, initial_years: int,
                   extensions: list[int], itt_published: date | None, today: date
                   ) -> ThresholdView:
    on, basis = relevant_date(itt_published, today)
    try:
        contract_type = thresholds.contract_type_for(regime, buyer_kind)
        a = thresholds.assess(regime, annual_total, initial_years, extensions, on,
                              contract_type=contract_type)
    except ValueError as e:
        return ThresholdView(on=on, on_basis=basis, problem=str(e))
    return ThresholdView(on=on, on_basis=basis, contract_type=contract_type,
                         whole_term_value=a.whole_term_value, threshold=a.threshold.amount,
                         source=a.threshold.source, effective_from=a.threshold.effective_from,
                         above=a.above, notices=tuple(a.required_notices))


def wall_clock(day: date, at: time | None) -> datetime:
    return datetime.combine(day, at or time(0))
