"""A procurement's recorded key dates as the plain values `timeline.py` checks.

Which record is which: the notice that opened the competition is `itt_published` (the contract
notice under PCR 2015 reg. 27, the invitation to tender under reg. 28, the tender notice under
PA 2023); the prior notice is `pin` (a PIN, or under the Act a planned procurement notice); the
standstill starts at `award_notice` (the award decision notices under PCR 2015, the contract
award notice under the Act) or, under PCR 2015 only, at the decision letters when no award
notice date is recorded (those letters are the reg. 86 notices).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from procurement.models import DATE_KINDS, DATE_LABELS, Procurement
from procurement.standstill import regime_family
from procurement.timeline import Check, Dates, check_timeline


def dates_of(procurement: Procurement) -> Dates:
    def day(kind):
        d = procurement.date_of(kind)
        return d.local_date if d else None

    deadline = procurement.date_of("tender_deadline")
    award = day("award_notice")
    if award is None and regime_family(procurement.regime) == "PCR2015":
        award = day("decision_letters")
    return Dates(regime=procurement.regime, itt_published=day("itt_published"),
                 pin_published=day("pin"),
                 tender_deadline=deadline.uk_value if deadline else None,
                 electronic_submission=procurement.electronic_submission,
                 award_notice=award, standstill_end=day("standstill_end"),
                 contract_start=day("contract_start"))


def key_date_checks(procurement: Procurement) -> list[Check]:
    """The timeline's checks; an unknown regime (never stored by the importer) checks nothing."""
    try:
        return check_timeline(dates_of(procurement))
    except ValueError:
        return []


@dataclass(frozen=True)
class KeyDate:
    """A row of the procurement page's "Key dates": a recorded (or computed) date and, for
    the dates the law constrains, its check."""

    kind: str
    label: str
    value: date | datetime
    check: Check | None = None


def key_date_rows(procurement: Procurement) -> list[KeyDate]:
    """Every recorded key date in time order, each constrained one with its check; the
    standstill's end appears when it can be computed even if it is not recorded."""
    checks = {c.kind: c for c in key_date_checks(procurement)}
    rows = [KeyDate(d.kind, DATE_LABELS.get(d.kind, d.kind), d.uk_value, checks.get(d.kind))
            for d in procurement.dates]
    recorded = {d.kind for d in procurement.dates}
    for kind, c in checks.items():
        if kind not in recorded and c.date is not None:
            rows.append(KeyDate(kind, DATE_LABELS.get(kind, kind), c.date, c))
    return sorted(rows, key=lambda r: (_day_of(r.value), isinstance(r.value, datetime),
                                       DATE_KINDS.index(r.kind) if r.kind in DATE_KINDS else 99))


def _day_of(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
