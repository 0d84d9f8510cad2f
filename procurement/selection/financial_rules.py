"""Financial standing rules: ratios from a bidder's accounts, the Commercial Delphi risk band
and the outcome (no Flask, no ORM; money is Decimal, never float).

The ratios are the usual tests of economic and financial standing (PPN 03/23 Part 3; the
Cabinet Office's guide to assessing financial standing):
- current ratio = current assets ÷ current liabilities (can it pay its debts due in a year);
- turnover cover = turnover ÷ the annual value of the lots bid for, against a multiple. PCR
  2015 reg. 58(9): the minimum yearly turnover required shall not exceed twice the contract's
  estimated value except in duly justified cases, so a multiple above 2 needs a recorded
  justification;
- profit margin = profit before tax ÷ turnover;
- net assets (negative: liabilities exceed assets).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PASS, FAIL, MITIGATED = "pass", "fail", "mitigated"
OUTCOMES = {PASS: "Pass", FAIL: "Fail", MITIGATED: "Pass with mitigation"}
MITIGATIONS = {"parent_company_guarantee": "Parent company guarantee",
               "performance_bond": "Performance bond", "other": "Other"}
DEFAULT_MULTIPLE = Decimal("2")
REG_58_9_CAP = Decimal("2")  # PCR 2015 reg. 58(9)
JUSTIFICATION_MIN = 20
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Accounts:
    year_end: date
    turnover: Decimal
    profit_before_tax: Decimal
    net_assets: Decimal
    current_assets: Decimal
    current_liabilities: Decimal
    audited: bool = True


@dataclass(frozen=True)
class Ratios:
    year_end: date
    current_ratio: Decimal | None  # None: no current liabilities
    turnover_cover: Decimal | None  # None: no lots' value to compare with
    turnover_required: Decimal
    turnover_met: bool
    profit_margin_percent: Decimal | None  # None: no turnover
    net_assets: Decimal
    net_assets_positive: bool


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def current_ratio(a: Accounts) -> Decimal | None:
    if a.current_liabilities == 0:
        return None
    return _q(a.current_assets / a.current_liabilities)


def turnover_cover(turnover: Decimal, annual_value: Decimal) -> Decimal | None:
    if annual_value <= 0:
        return None
    return _q(turnover / annual_value)


def turnover_required(annual_value: Decimal, multiple: Decimal) -> Decimal:
    return _q(annual_value * multiple)


def profit_margin_percent(a: Accounts) -> Decimal | None:
    if a.turnover == 0:
        return None
    return _q(a.profit_before_tax / a.turnover * 100)


def ratios(a: Accounts, annual_value: Decimal, multiple: Decimal) -> Ratios:
    required = turnover_required(annual_value, multiple)
    return Ratios(year_end=a.year_end, current_ratio=current_ratio(a),
                  turnover_cover=turnover_cover(a.turnover, annual_value),
                  turnover_required=required, turnover_met=a.turnover >= required,
                  profit_margin_percent=profit_margin_percent(a), net_assets=a.net_assets,
                  net_assets_positive=a.net_assets > 0)


def check_multiple(multiple: Decimal | None, justification: str) -> list[str]:
    """The turnover multiple: positive; above twice the value only with a justification."""
    if multiple is None or multiple <= 0:
        return ["Enter the turnover multiple as a number above 0, for example 2"]
    if multiple > REG_58_9_CAP and len((justification or "").strip()) < JUSTIFICATION_MIN:
        return [f"A turnover requirement above {REG_58_9_CAP} times the annual value needs a "
                f"recorded justification (PCR 2015 reg. 58(9)), at least {JUSTIFICATION_MIN} "
                "characters"]
    return []


# -- Commercial Delphi bands --------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


def parse_bands(text: str) -> list[Band]:
    """"0-20 very high, 21-40 high, …" → bands; ValueError when they do not cover 0–100 once."""
    bands = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        span, _, label = part.partition(" ")
        low, sep, high = span.partition("-")
        if not sep or not label.strip():
            raise ValueError(f"Write each band as 'low-high label': {part!r}")
        bands.append(Band(int(low), int(high), label.strip()))
    bands.sort(key=lambda b: b.low)
    expected = 0
    for b in bands:
        if b.low != expected or b.high < b.low:
            raise ValueError("The bands must cover 0 to 100, each score once")
        expected = b.high + 1
    if expected != 101:
        raise ValueError("The bands must cover 0 to 100, each score once")
    return bands


def band_for(score: int | None, bands: list[Band]) -> str | None:
    if score is None:
        return None
    return next((b.label for b in bands if b.low <= score <= b.high), None)


def below_minimum(score: int | None, minimum: int | None) -> bool:
    return score is not None and minimum is not None and score < minimum


# -- the assessment -----------------------------------------------------------------------

def parse_money(text: str) -> Decimal | None:
    """"£1,234,567.89" or "-12000" → Decimal; None when it is not an amount."""
    cleaned = (text or "").strip().replace(",", "").replace("£", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.quantize(TWO):
        return None
    return value


def check_score(score: int | None, on: date | None, today: date) -> list[tuple[str, str]]:
    refusals = []
    if score is None or not 0 <= score <= 100:
        refusals.append(("delphi_score", "Enter the Delphi score, a whole number from 0 to 100"))
    if on is None:
        refusals.append(("delphi_date", "Enter the date of the credit report"))
    elif on > today:
        refusals.append(("delphi_date", "The credit report's date must be today or in the past"))
    return refusals


def check_outcome(outcome: str, mitigation: str, justification: str, score: int | None,
                  minimum: int | None) -> list[tuple[str, str]]:
    """Refusals (field, message) for the outcome: every outcome is justified; a mitigation is
    named; a score below the minimum cannot simply pass."""
    refusals = []
    if outcome not in OUTCOMES:
        refusals.append(("outcome", "Choose pass, fail or pass with mitigation"))
    if outcome == MITIGATED and mitigation not in MITIGATIONS:
        refusals.append(("mitigation", "Choose the mitigation (parent company guarantee, "
                                       "performance bond or other)"))
    if len((justification or "").strip()) < JUSTIFICATION_MIN:
        refusals.append(("justification", "Write the justification for the outcome (at least "
                                          f"{JUSTIFICATION_MIN} characters)"))
    if outcome == PASS and below_minimum(score, minimum):
        refusals.append(("outcome", f"The Delphi score {score} is below the minimum of "
                                    f"{minimum}: record a fail, or a pass with mitigation"))
    return refusals


def check_accounts(years: list[Accounts]) -> list[str]:
    if len(years) != 2:
        return ["Enter two years of accounts"]
    if years[0].year_end == years[1].year_end:
        return ["The two years of accounts must have different year ends"]
    return []


def bid_outcome(outcome: str, mitigation: str, justification: str) -> tuple[str, str]:
    """What the bid carries (`Bid.financial`, `Bid.financial_reason`)."""
    text = (justification or "").strip()
    if outcome == MITIGATED:
        # the note says "passed with mitigation: …" itself
        return MITIGATED, f"{MITIGATIONS.get(mitigation, mitigation)}: {text}"
    return outcome, text


def effective(outcome: str, score: int | None, minimum: int | None) -> str:
    """The outcome as the results see it: below the minimum without mitigation excludes."""
    if outcome == MITIGATED:
        return PASS
    if outcome == FAIL or below_minimum(score, minimum):
        return FAIL
    return PASS
