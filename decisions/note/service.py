"""The decision note record: creating it, assigning its number once, reading its answers."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

import clock
from accounts.models import get_setting
from audit.services import record
from decisions.models import DecisionNote, DecisionNumber
from decisions.note.data import OFFICIAL
from decisions.note.numbering import financial_year, format_decision_number, next_sequence
from extensions import db
from procurement.models import Procurement


def default_marking() -> str:
    """The marking a new note starts with: the administrator's setting (OFFICIAL by default)."""
    return get_setting("marking") or OFFICIAL


def get_or_create_note(procurement: Procurement) -> DecisionNote:
    note = db.session.execute(select(DecisionNote).where(
        DecisionNote.procurement_id == procurement.id)).scalar_one_or_none()
    if note is None:
        note = DecisionNote(procurement=procurement, narrative={}, answers={},
                            sensitive_phrases=[], marking=default_marking())
        db.session.add(note)
        db.session.flush()
    return note


def decision_prefix(procurement: Procurement) -> str:
    return procurement.organisation.decision_prefix or get_setting("decision_prefix") or "DN"


def assign_decision_number(note: DecisionNote, on: date | None = None) -> str:
    """Assign PREFIX/D/YYYYYY/NNN once; numbers are kept forever, so never reused."""
    if note.decision_number:
        return note.decision_number
    on = on or clock.today()
    prefix, fy = decision_prefix(note.procurement), financial_year(on)
    taken = db.session.execute(select(DecisionNumber.number).where(
        DecisionNumber.prefix == prefix, DecisionNumber.financial_year == fy)
        .with_for_update()).scalars().all()
    seq = next_sequence(taken, prefix, fy)
    number = format_decision_number(prefix, fy, seq)
    db.session.add(DecisionNumber(number=number, prefix=prefix, financial_year=fy, sequence=seq,
                                  procurement_reference=note.procurement.reference))
    note.decision_number = number
    if note.date_received is None:
        note.date_received = on
    record("decision_note", note.procurement.reference, "assign_number", None,
           {"decision_number": number}, procurement_ref=note.procurement.reference)
    return number
