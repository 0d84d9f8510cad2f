"""Moving a procurement through its lifecycle: the rule is `procurement.lifecycle`; this
applies it to the records, with the audit record in the caller's commit.

Acts call `act(procurement, "send_note", …)`. A strict act refuses (returns the refusal, and
the caller refuses the request with its message) when it does not belong to the state; a
soft one only moves the procurement forward where the rule allows and otherwise leaves it
(e.g. saving the note's narrative during sign-off). `follow_the_clock` makes the moves time
makes, when a procurement is loaded for a request: a compare-and-set update, so that two
workers seeing the deadline pass at once record it once.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import update

import clock
from audit.services import record
from extensions import db
from procurement import lifecycle, timeline
from procurement.models import Procurement

def act(procurement: Procurement, name: str, *, actor: str | None = None,
        strict: bool = True) -> lifecycle.Refusal | None:
    after, refusal = lifecycle.advance(procurement.state, name)
    if refusal is not None:
        return refusal if strict else None
    if after != procurement.state:
        _move(procurement, after, name, actor)
    return None


def _move(procurement: Procurement, after: str, cause: str, actor: str | None) -> None:
    before = procurement.state
    procurement.state = after
    record("procurement", procurement.reference, "state", {"state": before},
           {"state": after, "by": cause}, procurement_ref=procurement.reference, actor=actor)


def tender_deadline_utc(procurement: Procurement) -> datetime | None:
    """When the tender deadline passes, naive UTC: a date alone closes at the end of that UK
    day (timeline.deadline_instant)."""
    d = procurement.date_of("tender_deadline")
    if d is None:
        return None
    return timeline.deadline_instant(d.uk_value).astimezone(timezone.utc).replace(tzinfo=None)


def follow_the_clock(procurement: Procurement) -> bool:
    """Record the moves time has made (deadline passed, standstill ended); True if it moved."""
    end = procurement.date_of("standstill_end")
    after = lifecycle.by_the_clock(procurement.state, clock.utcnow(),
                                   tender_deadline_utc(procurement), clock.today(),
                                   end.at.date() if end is not None else None)
    if after == procurement.state:
        return False
    before = procurement.state
    moved = db.session.execute(update(Procurement).where(
        Procurement.id == procurement.id, Procurement.state == before).values(state=after))
    if moved.rowcount != 1:  # another worker recorded it first
        db.session.rollback()
        db.session.refresh(procurement)
        return False
    db.session.expire(procurement, ["state"])
    record("procurement", procurement.reference, "state", {"state": before},
           {"state": after, "by": "the clock"}, procurement_ref=procurement.reference,
           actor="system")
    db.session.commit()
    return True
