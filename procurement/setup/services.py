"""Writing the set-up: each change goes with its audit record, and the caller commits both.

A guard that says no raises `Refused` with the reason, worded for the officer, and nothing
is changed: a field the law fixes once the tender notice is published (procurement.lifecycle),
a reference, lot code or partner already used, a lot that has bids, finalising while the
figures do not add up. Changing a lot's or partner's figures after finalising reopens the
set-up (it must be finalised again), recorded in the same audit record.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

import clock
from audit.services import record
from extensions import db
from procurement import timeline
from procurement import lifecycle
from procurement.models import (EngagementEvent, Lot, PartnerContribution, Procurement,
                                TimelineDate)
from procurement.setup import rules

DETAIL_FIELDS = ("title", "description", "relates_to", "regime", "cpv_codes", "region",
                 "buyer_kind", "initial_term_years", "extension_years", "min_delphi",
                 "two_person_opening")
# the details finalising needs, beyond what the form requires (labels as the form says them)
NEEDED = {"description": "description", "cpv_codes": "CPV codes", "region": "region"}


class Refused(Exception):
    """A guard refused the change; the message says why and what to do instead."""


def _refuse_if_locked(p: Procurement, field: str) -> None:
    refusal = lifecycle.edit_refusal(p.state, field)
    if refusal is not None:
        raise Refused(refusal.message)


def locked(p: Procurement, field: str) -> str | None:
    """The reason `field` can no longer be changed, or None."""
    refusal = lifecycle.edit_refusal(p.state, field)
    return refusal.message if refusal else None


def _details(p: Procurement) -> dict:
    return {f: getattr(p, f) for f in DETAIL_FIELDS}


# -- the procurement ------------------------------------------------------------------------

def reference_taken(reference: str) -> bool:
    return db.session.execute(select(func.count(Procurement.id)).where(
        func.lower(Procurement.reference) == reference.lower())).scalar_one() > 0


def create_procurement(clean: dict, organisation_id: int) -> Procurement:
    """A new procurement in set-up, of the officer's own organisation."""
    if reference_taken(clean["reference"]):
        raise Refused(rules.reference_error(clean["reference"], taken=True))
    p = Procurement(reference=clean["reference"], organisation_id=organisation_id,
                    state="draft", **{f: clean[f] for f in DETAIL_FIELDS})
    db.session.add(p)
    db.session.flush()
    record("procurement", p.id, "create", None,
           {"reference": p.reference, "organisation_id": organisation_id, **_details(p)},
           procurement_ref=p.reference)
    return p


def update_details(p: Procurement, clean: dict) -> list[str]:
    """Change the details; returns the fields changed (none: nothing recorded)."""
    changed = [f for f in DETAIL_FIELDS if getattr(p, f) != clean[f]]
    for f in changed:
        _refuse_if_locked(p, f)
    if not changed:
        return []
    before = {f: getattr(p, f) for f in changed}
    for f in changed:
        setattr(p, f, clean[f])
    record("procurement", p.id, "update", before, {f: clean[f] for f in changed},
           procurement_ref=p.reference)
    return changed


def _reopen(p: Procurement) -> dict:
    """Changing a figure after finalising: the set-up must be finalised again."""
    if p.setup_finalised_at is None:
        return {}
    was = p.setup_finalised_at
    p.setup_finalised_at = None
    return {"setup_reopened": True, "setup_finalised_at_was": was}


# -- lots -----------------------------------------------------------------------------------

def _lot_dict(lot: Lot) -> dict:
    return {"code": lot.code, "title": lot.title, "annual_value": lot.annual_value}


def _lot_code_taken(p: Procurement, code: str, other_than: Lot | None) -> bool:
    return any(lot.code.lower() == code.lower() and lot is not other_than for lot in p.lots)


def save_lot(p: Procurement, clean: dict, lot: Lot | None = None) -> Lot:
    _refuse_if_locked(p, "lots")
    if _lot_code_taken(p, clean["code"], lot):
        raise Refused(f"Enter a different lot code: lot {clean['code']} already exists in "
                      f"{p.reference}")
    if lot is None:
        position = max((x.position for x in p.lots), default=-1) + 1
        lot = Lot(code=clean["code"], title=clean["title"], annual_value=clean["annual_value"],
                  position=position)
        p.lots.append(lot)
        db.session.flush()
        record("lot", lot.id, "create", None, {**_lot_dict(lot), **_reopen(p)},
               procurement_ref=p.reference)
        return lot
    before = _lot_dict(lot)
    if before == {k: clean[k] for k in before}:
        return lot
    if lot.bids and clean["code"] != lot.code:
        raise Refused(f"Lot {lot.code} has bids, so its code cannot be changed: bidders "
                      "and letters name it")
    for key in ("code", "title", "annual_value"):
        setattr(lot, key, clean[key])
    reopened = _reopen(p) if before["annual_value"] != clean["annual_value"] else {}
    record("lot", lot.id, "update", before, {**_lot_dict(lot), **reopened},
           procurement_ref=p.reference)
    return lot


def remove_lot(p: Procurement, lot: Lot) -> None:
    _refuse_if_locked(p, "lots")
    if lot.bids:
        raise Refused(f"Lot {lot.code} has {len(lot.bids)} bid{'s' if len(lot.bids) != 1 else ''}, "
                      "so it cannot be removed")
    record("lot", lot.id, "delete", _lot_dict(lot), _reopen(p) or None,
           procurement_ref=p.reference)
    p.lots.remove(lot)  # delete-orphan: the flush deletes it
    db.session.flush()


# -- partners -------------------------------------------------------------------------------

def _partner_dict(partner: PartnerContribution) -> dict:
    return {"name": partner.name, "annual_contribution": partner.annual_contribution}


def save_partner(p: Procurement, clean: dict,
                 partner: PartnerContribution | None = None) -> PartnerContribution:
    _refuse_if_locked(p, "partners")
    if any(x.name.lower() == clean["name"].lower() and x is not partner for x in p.partners):
        raise Refused(f"Enter a different partner: {clean['name']} is already a partner")
    if partner is None:
        position = max((x.position for x in p.partners), default=-1) + 1
        partner = PartnerContribution(name=clean["name"], position=position,
                                      annual_contribution=clean["annual_contribution"])
        p.partners.append(partner)
        db.session.flush()
        record("partner", partner.id, "create", None, {**_partner_dict(partner), **_reopen(p)},
               procurement_ref=p.reference)
        return partner
    before = _partner_dict(partner)
    if before == {k: clean[k] for k in before}:
        return partner
    partner.name, partner.annual_contribution = clean["name"], clean["annual_contribution"]
    reopened = (_reopen(p) if before["annual_contribution"] != clean["annual_contribution"]
                else {})
    record("partner", partner.id, "update", before, {**_partner_dict(partner), **reopened},
           procurement_ref=p.reference)
    return partner


def remove_partner(p: Procurement, partner: PartnerContribution) -> None:
    _refuse_if_locked(p, "partners")
    record("partner", partner.id, "delete", _partner_dict(partner), _reopen(p) or None,
           procurement_ref=p.reference)
    p.partners.remove(partner)
    db.session.flush()


# -- engagement events (never locked: they are a record of what happened) ------------------

def _event_dict(e: EngagementEvent) -> dict:
    return {"on_date": e.on_date, "kind": e.kind, "attendees": e.attendees, "notes": e.notes}


def save_event(p: Procurement, clean: dict, event: EngagementEvent | None = None
               ) -> EngagementEvent:
    if event is None:
        event = EngagementEvent(**clean)
        p.events.append(event)
        db.session.flush()
        record("engagement_event", event.id, "create", None, _event_dict(event),
               procurement_ref=p.reference)
        return event
    before = _event_dict(event)
    if before == clean:
        return event
    for key, value in clean.items():
        setattr(event, key, value)
    record("engagement_event", event.id, "update", before, _event_dict(event),
           procurement_ref=p.reference)
    return event


def remove_event(p: Procurement, event: EngagementEvent) -> None:
    record("engagement_event", event.id, "delete", _event_dict(event), None,
           procurement_ref=p.reference)
    p.events.remove(event)
    db.session.flush()


# -- key dates ------------------------------------------------------------------------------

def set_date(p: Procurement, kind: str, day: date | None, at_time=None) -> str:
    """Set or (day None) remove one key date; returns what was done: set, removed, none."""
    _refuse_if_locked(p, kind)
    row = p.date_of(kind)
    before = {"kind": kind, "at": row.at, "with_time": row.with_time} if row else None
    if day is None:
        if row is None:
            return "none"
        record("timeline_date", f"{p.reference}/{kind}", "delete", before, None,
               procurement_ref=p.reference)
        p.dates.remove(row)
        db.session.flush()
        return "removed"
    with_time = at_time is not None
    at = rules.wall_clock(day, at_time)  # entered in UK time; a date-time is kept in UTC
    at = timeline.uk_to_utc(at) if with_time else at
    if row is not None and row.at == at and row.with_time == with_time:
        return "none"
    if row is None:
        row = TimelineDate(kind=kind)
        p.dates.append(row)
    row.at, row.with_time = at, with_time
    record("timeline_date", f"{p.reference}/{kind}", "set", before,
           {"kind": kind, "at": at, "with_time": with_time}, procurement_ref=p.reference)
    return "set"


# -- the task list, finalising, the threshold -------------------------------------------------

def facts(p: Procurement) -> rules.SetupFacts:
    return rules.SetupFacts(
        details_missing=tuple(label for f, label in NEEDED.items() if not getattr(p, f)),
        lot_values={lot.code: lot.annual_value for lot in p.lots},
        partner_contributions={x.name: x.annual_contribution for x in p.partners},
        date_kinds=frozenset(d.kind for d in p.dates), events=len(p.events),
        finalised=p.setup_finalised_at is not None)


def finalise(p: Procurement) -> datetime:
    """Finalise the set-up, or raise Refused with every problem (one a line)."""
    if p.setup_finalised_at is not None:
        raise Refused(f"The set-up of {p.reference} is already finalised.")
    if lifecycle.locked_fields(p.state):
        raise Refused(f"The set-up of {p.reference} cannot be finalised now: the procurement "
                      f"is at “{lifecycle.label(p.state)}”.")
    problems = rules.finalise_problems(facts(p))
    if problems:
        raise Refused("\n".join(problems))
    p.setup_finalised_at = clock.utcnow().replace(microsecond=0)
    record("procurement", p.id, "setup_finalised", None,
           {"setup_finalised_at": p.setup_finalised_at, "annual_total": p.annual_total,
            "lots": len(p.lots), "partners": len(p.partners)}, procurement_ref=p.reference)
    return p.setup_finalised_at


def threshold_assessment(p: Procurement) -> rules.ThresholdView:
    """The whole-term value against the threshold in force when the tender notice is sent."""
    itt = p.date_of("itt_published")
    return rules.threshold_view(p.regime, p.buyer_kind, p.annual_total, p.initial_term_years,
                                p.extensions, itt.at.date() if itt else None, clock.today())
