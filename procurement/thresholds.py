"""Procurement thresholds and whether a procurement is above them (SPEC §1).

The published values live in `data/thresholds.csv` (a copy of the reference file) so the
rules run without a database; an administrator's settings can later supply other rows in
the same shape. Since 1 January 2022 thresholds are expressed *including VAT*
(`threshold_gbp_incl_vat`); the value compared here is taken as given, so callers should
pass the estimated whole-term value on the same (VAT-inclusive) basis.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from procurement.standstill import regime_family

DATA = Path(__file__).with_name("data") / "thresholds.csv"

LIGHT_TOUCH = "light-touch services"
# buyer kind -> (ordinary contract type, light-touch contract type)
_BY_BUYER = {
    "central": ("central goods and services", LIGHT_TOUCH),
    "sub-central": ("sub-central goods and services", LIGHT_TOUCH),
    "utilities": ("utilities goods and services", "utilities light-touch services"),
}


@dataclass(frozen=True)
class Threshold:
    amount: Decimal
    effective_from: date
    source: str
    contract_type: str = ""


@dataclass(frozen=True)
class ThresholdAssessment:
    whole_term_value: Decimal
    threshold: Threshold
    above: bool  # at or above the threshold: the regulations apply from "equal to or greater"
    required_notices: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _rows() -> tuple[Threshold, ...]:
    rows: list[Threshold] = []
    with DATA.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            source = r["source"].strip()
            # The published file writes "same" for "the source of the row above".
            if source.lower() == "same" and rows:
                source = rows[-1].source
            rows.append(
                Threshold(
                    amount=Decimal(r["threshold_gbp_incl_vat"].strip()),
                    effective_from=date.fromisoformat(r["effective_from"].strip()),
                    source=source,
                    contract_type=r["contract_type"].strip(),
                )
            )
    return tuple(rows)


def contract_types() -> list[str]:
    return sorted({t.contract_type for t in _rows()})


def threshold_for(contract_type: str, on: date) -> Threshold:
    """The threshold in force on `on`: the row with the latest effective_from <= on."""
    key = (contract_type or "").strip().lower()
    rows = [t for t in _rows() if t.contract_type.lower() == key]
    if not rows:
        raise ValueError(f"Unknown contract type {contract_type!r}; known: {', '.join(contract_types())}")
    in_force = [t for t in rows if t.effective_from <= on]
    if not in_force:
        first = min(t.effective_from for t in rows)
        raise ValueError(f"No {contract_type} threshold is recorded before {first.isoformat()} (asked for {on.isoformat()})")
    return max(in_force, key=lambda t: t.effective_from)


def _is_light_touch(regime: str) -> bool:
    suffix = regime.strip().upper().partition("-")[2]
    return suffix == "LTR" or suffix.startswith("LIGHT")


def contract_type_for(regime: str, buyer_kind: str = "sub-central") -> str:
    """The threshold category a regime and buyer fall under by default.

    A police and crime commissioner is a sub-central authority, hence the default;
    anything else (works, a central buyer) is chosen by the caller via `buyer_kind` or
    by passing `contract_type` to `assess`.
    """
    regime_family(regime)  # rejects unknown regimes with a clear message
    try:
        # the procurement records "sub_central"; the published categories say "sub-central"
        ordinary, light = _BY_BUYER[(buyer_kind or "").replace("_", "-")]
    except KeyError:
        raise ValueError(f"Unknown buyer kind {buyer_kind!r}; expected one of {', '.join(_BY_BUYER)}") from None
    return light if _is_light_touch(regime) else ordinary


def whole_term_value(annual: Decimal, initial_years: int, extensions: list[int]) -> Decimal:
    """Annual value times the whole term including every extension option (3 + 1 + 1 = 5)."""
    if initial_years < 1:
        raise ValueError(f"The initial term must be at least 1 year, not {initial_years}")
    if any(e < 0 for e in extensions):
        raise ValueError(f"Extension options cannot be negative: {extensions}")
    return Decimal(str(annual)) * (initial_years + sum(extensions))


def required_notices(regime: str, above: bool) -> list[str]:
    """Notices the regime requires, in the order they are published."""
    if not above:
        return []
    if regime_family(regime) == "PA2023":
        return ["Tender notice", "Contract award notice", "Contract details notice"]
    notices = ["Contract notice", "Contract award notice"]
    if _is_light_touch(regime):
        # Reg. 75: a light-touch call for competition may be a PIN instead of a contract notice.
        notices.insert(0, "Prior information notice")
    return notices


def assess(
    regime: str,
    annual_total: Decimal,
    initial: int,
    extensions: list[int],
    on: date,
    contract_type: str | None = None,
) -> ThresholdAssessment:
    """Estimated whole-term value against the threshold in force on `on`."""
    value = whole_term_value(annual_total, initial, extensions)
    threshold = threshold_for(contract_type or contract_type_for(regime), on)
    above = value >= threshold.amount
    return ThresholdAssessment(value, threshold, above, required_notices(regime, above))
