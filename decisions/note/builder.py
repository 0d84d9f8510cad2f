"""Builds the decision note's data from the records, at the moment of rendering.

No figure is typed into the note: lots, values, partners, results and selection outcomes
come from the recorded data through the results engine; only narrative is the officer's.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from accounts.models import ROLES, User
from decisions.note import data as nd
from decisions.models import DecisionNote
from decisions.note.pdf import render_pack
from decisions.note.service import get_or_create_note
from evaluation.criteria.service import section_descriptions
from evaluation.results.values import BidIn
from evaluation.results.ranking import selection_causes
from evaluation.results.inputs import procurement_results
from extensions import db
from procurement.bids.sealed import opened
from procurement.models import REGIMES, Procurement
from procurement.setup.services import threshold_assessment

SIGNER_LABELS = {"commissioner": None, "chief_executive": "Chief Executive",
                 "monitoring_officer": "Monitoring Officer", "s151_officer": "Section 151 Officer",
                 "originating_officer": "Originating officer"}
NOTICE_LABELS = {"pin": "Prior Information Notice", "itt_published": "Contract notice (Invitation to Tender)",
                 "award_notice": "Contract award notice"}


def build_note_data(procurement: Procurement, note: DecisionNote | None = None) -> nd.NoteData:
    note = note or get_or_create_note(procurement)
    results = procurement_results(procurement)
    narrative = dict(note.narrative or {})
    decision_maker = narrative.get("decision_maker") or procurement.organisation.name
    answers = _answers(note.answers or {})
    return nd.NoteData(
        reference=procurement.reference, title=procurement.title,
        organisation=procurement.organisation.name, decision_maker=decision_maker,
        relates_to=procurement.relates_to_list, marking=note.marking,
        strapline=narrative.get("strapline", ""), decision_number=note.decision_number,
        date_received=note.date_received, answers=answers, narrative=narrative,
        regime=nd.Regime(procurement.regime, REGIMES.get(procurement.regime, procurement.regime)),
        **_threshold(procurement),
        notices=_notices(procurement), engagement_events=[
            nd.EngagementEvent(on=e.on_date, kind=e.kind, attendees=e.attendees, notes=e.notes)
            for e in procurement.events],
        itt_published=_day(procurement, "itt_published"),
        tender_deadline=_day(procurement, "tender_deadline"),
        contract_start=_day(procurement, "contract_start"),
        term_initial_years=procurement.initial_term_years,
        term_extensions=procurement.extensions,
        lots=(lots := _lots(procurement, results)),
        section_descriptions=_descriptions(procurement, lots),
        partners=[nd.Partner(p.name, p.annual_contribution) for p in procurement.partners],
        selection=_selection(procurement),
        signers=_signers(procurement, note, decision_maker),
        sensitive_phrases=[p for p in (note.sensitive_phrases or []) if p.strip()],
        eia=_annex(note, "EIA"), dpia=_annex(note, "DPIA"))


def _descriptions(procurement: Procurement, lots: list[nd.Lot]) -> dict[str, str]:
    """The descriptions of the sections the note's lots have (one left from a section no
    longer in the model is not part of the note)."""
    used = {s for lot in lots for s in lot.sections}
    return {s: text for s, text in section_descriptions(procurement).items() if s in used}


def decision_pack(procurement: Procurement, public: bool = False) -> bytes:
    return render_pack(build_note_data(procurement), public=public)


def _answers(a: dict) -> nd.Answers:
    until = a.get("deferral_until")
    return nd.Answers(
        decision_making_policy=bool(a.get("decision_policy", True)),
        key_decision=bool(a.get("key_decision", False)),
        legal_advice_sought=bool(a.get("legal_advice", False)),
        public_access=bool(a.get("public_access", True)),
        personal_data=bool(a.get("personal_data", False)),
        publication_deferred=bool(a.get("deferral", False)),
        deferral_until=date.fromisoformat(until) if until else None,
        redactions=bool(a.get("redaction", False)))


def _threshold(p: Procurement) -> dict:
    """The procurement page's own assessment (its kind of buyer, on the tender notice's date)."""
    a = threshold_assessment(p)
    if a.problem:  # no threshold published for that date or kind of buyer: say nothing of it
        return {"above_threshold": True, "threshold": None, "whole_term_value": None}
    return {"above_threshold": a.above, "threshold": a.threshold,
            "whole_term_value": a.whole_term_value}


def _day(p: Procurement, kind: str) -> date | None:
    d = p.date_of(kind)
    return d.local_date if d else None  # a deadline with a time: its day in the UK


def _notices(p: Procurement) -> list[nd.Notice]:
    out = []
    for kind, label in NOTICE_LABELS.items():
        d = _day(p, kind)
        if d:
            out.append(nd.Notice(label=label, published_on=d, kind=kind))
    return out


def _lots(p: Procurement, results) -> list[nd.Lot]:
    lots = []
    for lot, res in zip(p.lots, results):
        rows = [nd.ResultRow(bidder=b.bidder, sections=dict(b.sections), total=b.total,
                             rank=b.rank, status=b.status, reason=b.reason, tied=b.tied)
                for b in res.bids]
        lots.append(nd.Lot(code=lot.code, title=lot.title, annual_value=lot.annual_value,
                           bids_received=len(res.bids), sections=list(res.sections),
                           results=rows, winner=res.winner))
    return lots


def _selection(p: Procurement) -> list[nd.SelectionOutcome]:
    """Selection questionnaire and financial standing per bidder, by the results engine's own
    selection rule, so the note and the results tables never disagree."""
    out = []
    for bidder in p.bidders:
        bids = opened(bidder.bids)
        if not bids:  # a bidder whose bids are all still sealed is not in the note yet
            continue
        reasons, delphi, mitigations = [], None, []
        for bid in bids:
            delphi = bid.delphi_score if bid.delphi_score is not None else delphi
            bid_in = BidIn(bidder=bidder.name, price=bid.price, selection=bid.selection,
                           delphi_score=bid.delphi_score, financial=bid.financial,
                           selection_reason=bid.selection_reason,
                           financial_reason=bid.financial_reason)
            reasons += [reason for _, reason in selection_causes(bid_in, p.min_delphi)]
            if bid.financial == "mitigated":
                mitigations.append("passed with mitigation"
                                   + (f": {bid.financial_reason}" if bid.financial_reason else ""))
        reason = "; ".join(dict.fromkeys(reasons)) or "; ".join(dict.fromkeys(mitigations))
        out.append(nd.SelectionOutcome(
            bidder=bidder.name, passed=not reasons, reason=reason, delphi_score=delphi,
            lots=sorted(b.lot.code for b in bids)))
    return out


def _signers(p: Procurement, note: DecisionNote, decision_maker: str) -> list[nd.Signer]:
    version = note.current_version
    if version is not None and version.signoffs:
        return [nd.Signer(role=s.role, label=_label(s.role, decision_maker), name=s.name,
                          order=s.position, signed_at=s.signed_at, comments=s.comments)
                for s in version.signoffs]
    return [nd.Signer(role=role, label=_label(role, decision_maker),
                      name=_holder_name(p, role), order=i)
            for i, role in enumerate(p.organisation.approver_roles(), 1)]


def _label(role: str, decision_maker: str) -> str:
    return SIGNER_LABELS.get(role) or (decision_maker if role == "commissioner"
                                       else ROLES.get(role, role))


def _holder_name(p: Procurement, role: str) -> str:
    users = db.session.execute(select(User).where(
        User.organisation_id == p.organisation_id, User.active.is_(True),
        User.roles.contains(role)).order_by(User.id)).scalars()
    return next((u.name for u in users if u.has_role(role)), "")


def _annex(note: DecisionNote, kind: str):
    annex = next((a for a in note.annexes if a.kind == kind), None)
    if annex is None:
        return None
    return annex.pdf if annex.pdf else annex.form
