"""What each role has to do next, for its start page: read-only queries over every layer."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from decisions.models import DecisionNote, NoteVersion
from decisions.signoff import rules as signoff_rules
from decisions.signoff.service import recorded_signoffs, signer
from extensions import db
from procurement import lifecycle
from procurement.models import Bid, Lot, Procurement
from procurement.bids.sealed import OPEN_FOR_EVALUATION


def officer_rows(procurements: list[Procurement]) -> list[dict]:
    """Each procurement with where it stands and what it needs next."""
    return [{"p": p, "stage": lifecycle.label(p.state), "next": lifecycle.next_step(p.state)}
            for p in procurements]


def awaiting_signature(user, procurements: list[Procurement]) -> list[dict]:
    """Sent notes of the user's organisation whose next sign-off is this user's to give."""
    ids = [p.id for p in procurements]
    if not ids:
        return []
    rows = db.session.execute(
        select(NoteVersion, Procurement).join(DecisionNote, NoteVersion.note_id == DecisionNote.id)
        .join(Procurement, DecisionNote.procurement_id == Procurement.id)
        .where(Procurement.id.in_(ids), NoteVersion.state == "sent")).all()
    me, out = signer(user), []
    for version, p in rows:
        if version is not version.note.current_version:
            continue
        nxt = signoff_rules.next_signoff(recorded_signoffs(version))
        if nxt is not None and signoff_rules.may_hold(nxt, me):
            out.append({"p": p, "version": version, "role": nxt.role})
    return out


def financial_to_record(procurements: list[Procurement]) -> list[dict]:
    """Procurements with bids whose Delphi score or financial outcome is not recorded yet."""
    ids = [p.id for p in procurements]
    if not ids:
        return []
    counts = dict(db.session.execute(
        select(Lot.procurement_id, func.count(Bid.id)).join(Bid, Bid.lot_id == Lot.id)
        .where(Lot.procurement_id.in_(ids), OPEN_FOR_EVALUATION,
               or_(Bid.delphi_score.is_(None), Bid.financial.is_(None)))
        .group_by(Lot.procurement_id)).all())
    return [{"p": p, "bids": counts[p.id]} for p in procurements if counts.get(p.id)]


def followed(organisation_id: int) -> list[dict]:
    """The opportunities a supplier organisation follows, newest interest first."""
    from procurement.notices import queries
    from procurement.notices.models import Interest

    rows = db.session.execute(select(Interest).where(Interest.organisation_id == organisation_id)
                              .order_by(Interest.registered_at.desc(), Interest.id.desc())
                              ).scalars()
    return [{"p": i.procurement, "since": i.registered_at,
             "status": queries.STATUSES[queries.status(i.procurement)]} for i in rows]


def new_answers(organisation_id: int, limit: int = 20) -> list:
    """Answers published, since the organisation began following, to the opportunities it
    follows; newest first. Never who asked."""
    from procurement.notices.models import Clarification, Interest

    return list(db.session.execute(
        select(Clarification).join(Interest, Interest.procurement_id ==
                                   Clarification.procurement_id)
        .where(Interest.organisation_id == organisation_id,
               Clarification.published_at.is_not(None),
               Clarification.published_at >= Interest.registered_at)
        .order_by(Clarification.published_at.desc(), Clarification.id.desc())
        .limit(limit)).scalars())
