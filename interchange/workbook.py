"""The tender workbook (../shared/spec/tender-workbook.md): its plain data, errors and cells.

Pure: neither Flask nor the ORM, so every rule of the contract is unit-tested on small
workbooks. Reading and validating live in `workbook_read`, writing in `workbook_write`, and
`workbook_file` opens and saves whole files with them;
`read_workbook` and `write_workbook` here are the entry points.
"""
from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from procurement.timeline import uk_wall_clock, uk_wall_clock_exists

# The contract's values. procurement.models holds the same lists for the ORM; a unit test
# keeps them equal (importing the models here would drag the ORM into pure code).
REGIMES = ("PCR2015-LTR", "PCR2015-OPEN", "PCR2015-RESTRICTED", "PA2023-OPEN", "PA2023-CFP")
RELATES_TO = ("Policing", "Crime", "Fire & Rescue")
CRITERION_TYPES = ("scored", "price")
SELECTIONS = ("pass", "fail")
FINANCIALS = ("pass", "fail", "mitigated")
SHEETS = ("Procurement", "Partners", "Lots", "Criteria", "Bids", "Scores", "Consensus")
REQUIRED_SHEETS = ("Procurement", "Lots", "Criteria", "Bids")
PROCUREMENT_FIELDS = ("reference", "title", "organisation", "regime", "relates_to",
                      "initial_term_years", "extension_years", "itt_published",
                      "tender_deadline", "contract_start", "min_delphi", "pin_published",
                      "clarification_deadline", "electronic_submission",
                      "award_notice_published")
YES_NO = ("yes", "no")
COLUMNS = {  # every column of each sheet, in the contract's order
    "Procurement": ("field", "value"),
    "Partners": ("name", "annual_contribution"),
    "Lots": ("code", "title", "annual_value"),
    "Criteria": ("lot", "code", "section", "title", "weight", "type", "max_score", "min_score"),
    "Bids": ("lot", "bidder", "price", "selection", "delphi_score", "financial"),
    "Scores": ("lot", "bidder", "criterion", "evaluator", "score", "comment"),
    "Consensus": ("lot", "bidder", "criterion", "score", "rationale"),
}
# Limits of the database columns, checked here so PostgreSQL never refuses a valid-looking file.
MAX_MONEY = Decimal(10) ** 14  # Numeric(16, 2)
MAX_SCORE = Decimal(10) ** 4  # Numeric(8, 4)
MAX_WEIGHT = Decimal(10) ** 5  # Numeric(9, 4)
PENNY = Decimal("0.01")
SCORE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class WorkbookError:
    sheet: str  # "" for the file as a whole
    row: int | None  # 1-based spreadsheet row; None for a sheet- or column-level problem
    column: str | None  # header name as the contract spells it
    message: str

    def __str__(self) -> str:
        where = [p for p in (self.sheet, self.row and f"row {self.row}",
                             self.column and f"column {self.column}") if p]
        text = " ".join(self.message.split())  # always one line
        return f"{', '.join(where)}: {text}" if where else text


@dataclass
class PartnerRow:
    name: str
    annual_contribution: Decimal


@dataclass
class LotRow:
    code: str
    title: str
    annual_value: Decimal


@dataclass
class CriterionRow:
    lot: str
    code: str
    section: str
    title: str
    weight: Decimal
    kind: str  # the sheet's `type`: "scored" or "price"
    max_score: Decimal | None = None
    min_score: Decimal | None = None


@dataclass
class BidRow:
    lot: str
    bidder: str
    price: Decimal | None = None
    selection: str = "pass"
    delphi_score: int | None = None
    financial: str | None = None


class ScoreRow(NamedTuple):  # tuples: there are hundreds of thousands of these
    lot: str
    bidder: str
    criterion: str
    evaluator: str
    score: Decimal
    comment: str = ""


class ConsensusRow(NamedTuple):
    lot: str
    bidder: str
    criterion: str
    score: Decimal
    rationale: str = ""


@dataclass
class ParsedTender:
    reference: str
    title: str
    organisation: str
    regime: str
    initial_term_years: int
    relates_to: list[str] = field(default_factory=list)
    extension_years: list[int] = field(default_factory=list)
    itt_published: date | None = None
    # A datetime when it has a time: naive UK wall-clock time (Europe/London), `fold` set for
    # the second of the hour that repeats when the clocks go back; the records keep UTC.
    tender_deadline: date | datetime | None = None
    contract_start: date | None = None
    min_delphi: int | None = None
    pin_published: date | None = None
    clarification_deadline: date | datetime | None = None  # as tender_deadline
    electronic_submission: bool = True
    award_notice_published: date | None = None
    partners: list[PartnerRow] = field(default_factory=list)
    lots: list[LotRow] = field(default_factory=list)
    criteria: list[CriterionRow] = field(default_factory=list)
    bids: list[BidRow] = field(default_factory=list)
    scores: list[ScoreRow] = field(default_factory=list)
    consensus: list[ConsensusRow] = field(default_factory=list)
    sha256: str = ""  # of the workbook file it was read from, for the audit record
    # Sheets beyond the contract's, written by an export only: (name, header, rows). The SQ
    # marks and financial assessments (interchange/selection_sheets.py); an importer ignores
    # sheets it does not know, so they are never read back.
    extra_sheets: list = field(default_factory=list, compare=False)


@contextmanager
def gc_paused():
    """Pauses the cyclic garbage collector while hundreds of thousands of rows are built.

    Each full collection walks every live object, so building 200,000 score rows with it on
    costs about a fifth more than openpyxl's own read. The rows are tuples, strings and
    Decimals, which form no cycles, so nothing is left uncollected by pausing it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- cells -----------------------------------------------------------------------------
class CellError(ValueError):
    """A cell that cannot be used; the message says what to enter instead."""


def text(value) -> str:
    """A cell as text: numbers typed as codes (1, 1.0) read as "1"."""
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def number(value, what: str) -> Decimal:
    """An exact Decimal: str() of a float cell is its shortest exact spelling (1859195.76)."""
    if isinstance(value, bool) or isinstance(value, (date, time)):
        raise CellError(f"Enter a number for {what} (got {text(value)!r})")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(f"Enter a number for {what} (got {value!r})")
        return Decimal(str(value))
    try:
        result = Decimal(text(value))
    except InvalidOperation:
        raise CellError(f"Enter a number for {what} (got {text(value)!r})") from None
    if not result.is_finite():
        raise CellError(f"Enter a number for {what} (got {text(value)!r})")
    return result


def money(value, what: str) -> Decimal:
    """Pounds and pence; "£1,234.50" typed as text is accepted too."""
    if isinstance(value, str):
        value = value.replace("£", "").replace(",", "")
    amount = number(value, what)
    if abs(amount) >= MAX_MONEY:
        raise CellError(f"Enter {what} below £100,000,000,000,000 (got {amount})")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(PENNY):
        raise CellError(f"Enter {what} in pounds and pence, at most 2 decimal places "
                        f"(got {amount})")
    return amount


def score_number(value, what: str, limit: Decimal = MAX_SCORE) -> Decimal:
    """A score or weight: at most 4 decimal places, as the database keeps them."""
    result = number(value, what)
    if abs(result) >= limit:
        raise CellError(f"Enter {what} below {limit} (got {result})")
    if result.as_tuple().exponent < -4 and result != result.quantize(SCORE_PLACES):
        raise CellError(f"Enter {what} with at most 4 decimal places (got {result})")
    return result


def whole(value, what: str) -> int:
    result = number(value, what)
    if result != result.to_integral_value():
        raise CellError(f"Enter a whole number for {what} (got {text(value)!r})")
    return int(result)


def day(value, what: str, allow_time: bool = False) -> date | datetime:
    """A date (YYYY-MM-DD or an Excel date cell), or with `allow_time` a date-time.

    A date-time without a zone is UK time (Europe/London) and must exist there (not in the hour
    skipped when the clocks go forward); one with a zone (2025-03-04T12:00+00:00, ...Z) is
    turned into UK wall-clock time, keeping which of a repeated hour it was (`fold`).
    """
    hint = "YYYY-MM-DD or YYYY-MM-DD HH:MM" if allow_time else "YYYY-MM-DD"
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date()
        if allow_time:
            return _uk_time(value.replace(microsecond=0), what)
        raise CellError(f"Enter {what} as a date, {hint}, without a time (got {value})")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise CellError(f"Enter {what} as a date, {hint} (got {text(value)!r})")
    raw = value.strip()
    parsed = None
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        if allow_time and len(raw) > 10 and raw[10] in " T":
            parsed = datetime.fromisoformat(raw).replace(microsecond=0)
    except ValueError:
        pass
    if parsed is None:
        raise CellError(f"Enter {what} as a real date, {hint} (got {raw!r})")
    return _uk_time(parsed, what)


def _uk_time(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is not None:  # a zone was given: the same instant in UK time
        return uk_wall_clock(moment.astimezone(timezone.utc).replace(tzinfo=None))
    if not uk_wall_clock_exists(moment):
        raise CellError(f"Enter {what} as a time that exists in UK time: the clocks go forward "
                        f"from 01:00 to 02:00 on {moment:%Y-%m-%d}, so there is no "
                        f"{moment:%H:%M} that night (got {moment:%Y-%m-%d %H:%M})")
    return moment


def yes_no(value, what: str) -> bool:
    """`yes` or `no` (any case); an Excel TRUE/FALSE cell too."""
    if isinstance(value, bool):
        return value
    return choice(value, YES_NO, what) == "yes"


def choice(value, allowed: tuple[str, ...], what: str) -> str:
    """One of `allowed`, whatever its case; the message lists the values allowed."""
    raw = text(value)
    for option in allowed:
        if raw.lower() == option.lower():
            return option
    listed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
    raise CellError(f"Enter {listed} for {what} (got {raw!r})")
