"""The demo's open opportunity: a procurement whose contract notice is published and whose
tender deadline is ahead, so a supplier can register, read it and bid in `make run`.

Made once (by reference) from the same records an officer's set-up makes, then its notice
published through the publication service, as the officer's Publish button does.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import clock
from accounts.models import Organisation
from evaluation.models import Criterion
from extensions import db
from procurement.access import find_procurement
from procurement.models import Lot, Procurement, TimelineDate
from procurement.timeline import uk_to_utc

REFERENCE = "SCO-OUT-DEMO"
TENDER_DAYS, CLARIFICATION_DAYS = 40, 20  # from the day it is loaded, at noon UK time


def _uk_noon_in(days: int) -> datetime:
    day = clock.today() + timedelta(days=days)
    return uk_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=12))


TITLE = "Community outreach for victims of crime"
DESCRIPTION = ("Outreach support for victims of crime across the county, in two lots let "
               "separately.")
LOTS = (("A", "North of the county", "180000.00"), ("B", "South of the county", "120000.00"))
CPV = "85312000-9, 85320000-8"


def build(buyer: Organisation, reference: str, tender_deadline: datetime | None,
          clarification_deadline: datetime | None, *, title: str = TITLE,
          description: str = DESCRIPTION, lots=LOTS, regime: str = "PCR2015-OPEN",
          cpv: str = CPV) -> Procurement:
    """A procurement in set-up, ready for its tender notice (added to the session, not
    committed): `lots` as (code, title, annual value), each with award criteria weighing 100
    (quality 60, price 40); deadlines naive UTC, or None for none."""
    p = Procurement(reference=reference, title=title, organisation=buyer, regime=regime,
                    description=description, relates_to="Policing,Crime",
                    initial_term_years=3, extension_years="1,1", cpv_codes=cpv,
                    region="West Midlands", state="draft")
    db.session.add(p)
    for i, (code, lot_title, value) in enumerate(lots, 1):
        lot = Lot(code=code, title=lot_title, annual_value=Decimal(value), position=i)
        lot.criteria = [
            Criterion(code="Q1", section="Quality", title="Service delivery",
                      weight=Decimal("60"), kind="scored", max_score=Decimal("5"), position=1),
            Criterion(code="P1", section="Price", title="Price", weight=Decimal("40"),
                      kind="price", position=2)]
        p.lots.append(lot)
    for kind, at in (("tender_deadline", tender_deadline),
                     ("clarification_deadline", clarification_deadline)):
        if at is not None:
            p.dates.append(TimelineDate(kind=kind, at=at, with_time=True))
    return p


def load(buyer: Organisation) -> Procurement | None:
    """The open opportunity, made and published if it is not there yet (else None)."""
    if find_procurement(REFERENCE) is not None:
        return None
    from publication import service

    p = build(buyer, REFERENCE, _uk_noon_in(TENDER_DAYS), _uk_noon_in(CLARIFICATION_DAYS))
    db.session.flush()
    notice, refusal = service.draft(p, "contract-notice", None, False, actor="system")
    if refusal:
        raise RuntimeError(f"the demo opportunity's notice: {refusal}")
    problems = service.publish(p, notice, actor="system")
    if problems:
        raise RuntimeError("the demo opportunity's notice: " + "; ".join(problems))
    return p
