"""Writing the selection records, each change with its audit record in the caller's commit,
and feeding the outcomes to the bids the results, the note, the letters and OCDS read."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from accounts.models import Organisation, User, get_setting
from audit.services import record
from clock import utcnow
from extensions import db
from procurement.models import Bid, Bidder, Lot, Procurement
from procurement.selection import financial_rules as fr
from procurement.selection import rules
from procurement.selection.models import (DRAFT, SUBMITTED, AccountsYear, FinancialAssessment,
                                          SqAnswer, SqAnswerSet, SqMark, SqMarker, SqQuestion)

DATA = Path(__file__).resolve().parents[1] / "data"
FIELDS = ("key", "part", "section", "text", "kind", "mandatory", "scope", "guidance",
          "every_party")


# -- the questionnaire --------------------------------------------------------------------

def template_for(regime: str) -> dict:
    name = "sq_pa2023.json" if regime.startswith("PA2023") else "sq_pcr2015.json"
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def ensure_questionnaire(p: Procurement, actor: str) -> list[SqQuestion]:
    """The procurement's questions, copied from its regime's standard the first time."""
    rows = _rows(p)
    if rows:
        return rows
    template = template_for(p.regime)
    for i, q in enumerate(template["questions"]):
        db.session.add(SqQuestion(procurement_id=p.id, position=i, standard=dict(q),
                                  **{f: q[f] for f in FIELDS}))
    db.session.flush()
    record("procurement", p.id, "selection.questionnaire_loaded",
           after={"source": template["source"], "questions": len(template["questions"])},
           procurement_ref=p.reference, actor=actor)
    return _rows(p)


def _rows(p: Procurement) -> list[SqQuestion]:
    return list(db.session.execute(select(SqQuestion).where(
        SqQuestion.procurement_id == p.id).order_by(SqQuestion.part, SqQuestion.position,
                                                    SqQuestion.id)).scalars())


def questions(p: Procurement) -> list[SqQuestion]:
    return [q for q in _rows(p) if not q.removed]


def as_rule(q: SqQuestion) -> rules.Question:
    return rules.Question(**{f: getattr(q, f) for f in FIELDS})


def deviations(p: Procurement) -> list[rules.Deviation]:
    rows = _rows(p)
    standard = [rules.Question(**{f: q.standard[f] for f in FIELDS}) for q in rows if q.standard]
    return rules.deviations(standard, [as_rule(q) for q in rows if not q.removed])


def save_question(p: Procurement, question: SqQuestion | None, data: dict,
                  actor: str) -> list[str]:
    """Change a Part 3 question, or add one; refusals when it may not be."""
    refusals = rules.check_question(data.get("text", ""), data.get("kind", ""),
                                    data.get("scope", ""))
    if question is not None:
        refusals = rules.check_edit(question.part) + refusals
    if refusals:
        return refusals
    before = {f: getattr(question, f) for f in FIELDS} if question else None
    if question is None:
        keys = [q.key for q in _rows(p) if q.part == 3]
        number = 1 + max((int(k.split(".")[1]) for k in keys if k.split(".")[1].isdigit()),
                         default=0)
        question = SqQuestion(procurement_id=p.id, key=f"3.{number}", part=3,
                              section="Part 3: Procurement-specific questions",
                              position=1000 + number, standard=None)
        db.session.add(question)
    question.text, question.kind = data["text"].strip(), data["kind"]
    question.scope, question.mandatory = data["scope"], bool(data.get("mandatory"))
    question.guidance = (data.get("guidance") or "").strip()
    db.session.flush()
    record("sq_question", question.id, "selection.question_saved", before=before,
           after={f: getattr(question, f) for f in FIELDS}, procurement_ref=p.reference,
           actor=actor)
    return []


def remove_question(p: Procurement, question: SqQuestion, actor: str) -> list[str]:
    refusals = rules.check_edit(question.part)
    if refusals:
        return refusals
    if question.standard is None:
        db.session.delete(question)
    else:
        question.removed = True
    record("sq_question", question.id, "selection.question_removed",
           before={"key": question.key, "text": question.text}, procurement_ref=p.reference,
           actor=actor)
    return []


# -- markers ------------------------------------------------------------------------------

def is_marker(p: Procurement, user: User) -> bool:
    if user.has_role("officer") and user.organisation_id == p.organisation_id:
        return True
    return db.session.execute(select(SqMarker.id).where(
        SqMarker.procurement_id == p.id, SqMarker.user_id == user.id)).first() is not None


def assign_marker(p: Procurement, user: User, actor: str) -> list[str]:
    if not user.has_role("evaluator") or not user.active:
        return ["Choose an evaluator"]
    if db.session.execute(select(SqMarker.id).where(
            SqMarker.procurement_id == p.id, SqMarker.user_id == user.id)).first():
        return [f"{user.name} already marks this questionnaire"]
    db.session.add(SqMarker(procurement_id=p.id, user_id=user.id))
    record("procurement", p.id, "selection.marker_assigned", after={"marker": user.email},
           procurement_ref=p.reference, actor=actor)
    return []


def markers(p: Procurement) -> list[SqMarker]:
    return list(db.session.execute(select(SqMarker).where(SqMarker.procurement_id == p.id)
                                   .order_by(SqMarker.id)).scalars())


def second_marker() -> bool:
    return get_setting("sq_second_marker").strip().lower() == "yes"


# -- suppliers' answers -------------------------------------------------------------------

def bidder_of(p: Procurement, organisation: Organisation, create: bool = False) -> Bidder | None:
    bidder = db.session.execute(select(Bidder).where(
        Bidder.procurement_id == p.id, Bidder.organisation_id == organisation.id)
    ).scalars().first()
    if bidder is None and create:
        bidder = Bidder(procurement_id=p.id, name=organisation.name,
                        organisation_id=organisation.id)
        db.session.add(bidder)
        db.session.flush()
    return bidder


def answer_sets(bidder: Bidder) -> list[SqAnswerSet]:
    return list(db.session.execute(select(SqAnswerSet).where(
        SqAnswerSet.bidder_id == bidder.id).order_by(SqAnswerSet.id)).scalars())


def answer_set(bidder: Bidder, party_name: str = "", party_role: str = "bidder",
               create: bool = False) -> SqAnswerSet | None:
    found = db.session.execute(select(SqAnswerSet).where(
        SqAnswerSet.bidder_id == bidder.id, SqAnswerSet.party_name == party_name)
    ).scalar_one_or_none()
    if found is None and create:
        found = SqAnswerSet(bidder_id=bidder.id, party_name=party_name, party_role=party_role)
        db.session.add(found)
        db.session.flush()
    return found


def questions_for(qs: list[SqQuestion], answers: SqAnswerSet) -> list[SqQuestion]:
    """A consortium member or subcontractor answers the questions every party answers."""
    if answers.party_name:
        return [q for q in qs if q.every_party]
    return qs


def answer_slots(qs: list[SqQuestion], bids: list[Bid]) -> list[tuple[SqQuestion, Bid | None]]:
    """Each answer asked for: a procurement-wide question once, a per-lot one per bid."""
    slots = []
    for q in qs:
        if q.scope == rules.PER_LOT:
            slots += [(q, b) for b in bids]
        else:
            slots.append((q, None))
    return slots


def slot_name(q: SqQuestion, bid: Bid | None) -> str:
    return f"answer-{q.id}" + (f"-{bid.id}" if bid is not None else "")


def answers_by_slot(answers: SqAnswerSet) -> dict[tuple[int, int | None], SqAnswer]:
    return {(a.question_id, a.bid_id): a for a in answers.answers}


def save_answers(answers: SqAnswerSet, slots, texts: dict[str, str], files: dict,
                 submit: bool, actor: str, reference: str) -> list[tuple[str, str]]:
    """Save the answers as a draft, or submit them (every mandatory one answered first)."""
    from procurement.bids.storage import store

    existing = answers_by_slot(answers)
    if submit:
        missing = [(slot_name(q, b), f"Answer question {q.key}" + (f" for lot {b.lot.code}"
                                                                  if b else ""))
                   for q, b in slots if q.mandatory
                   and not (texts.get(slot_name(q, b)) or "").strip()]
        if missing:
            return missing
    now = utcnow()
    for q, bid in slots:
        name = slot_name(q, bid)
        row = existing.get((q.id, bid.id if bid else None))
        if row is None:
            row = SqAnswer(answer_set_id=answers.id, question_id=q.id,
                           bid_id=bid.id if bid else None)
            db.session.add(row)
        row.text, row.updated_at = (texts.get(name) or "").strip(), now
        upload = files.get(f"{name}-file")
        if upload is not None and upload.filename:
            stored = store(upload.stream, upload.mimetype or "application/octet-stream")
            row.evidence_file_id, row.evidence_filename = stored.id, upload.filename[:255]
        if submit and bid is not None:
            row.bid_version_id = _current_version_id(bid)
    answers.updated_at = now
    if submit:
        answers.state, answers.submitted_at = SUBMITTED, now
    else:
        answers.state = DRAFT
    db.session.flush()
    record("sq_answer_set", answers.id, "selection.answers_submitted" if submit
           else "selection.answers_saved", after={"party": answers.party_name or "bidder",
                                                  "answers": len(slots)},
           procurement_ref=reference, actor=actor)
    return []


def _current_version_id(bid: Bid) -> int | None:
    from procurement.bids.models import DRAFT as VERSION_DRAFT, BidVersion

    return db.session.execute(select(BidVersion.id).where(
        BidVersion.bid_id == bid.id, BidVersion.state != VERSION_DRAFT)
        .order_by(BidVersion.id.desc())).scalars().first()


# -- sealed until the bids are opened -----------------------------------------------------

def opened(bidder: Bidder) -> bool:
    """A bidder's answers are read by markers only once its bids are opened."""
    states = {b.state for b in bidder.bids}
    return "opened" in states and "submitted" not in states  # a withdrawn bid is not sealed


# -- marking ------------------------------------------------------------------------------

def marks_of(answers: SqAnswerSet) -> dict[tuple[int, int | None], SqMark]:
    rows = db.session.execute(select(SqMark).where(SqMark.answer_set_id == answers.id)).scalars()
    return {(m.question_id, m.lot_id): m for m in rows}


def mark(p: Procurement, answers: SqAnswerSet, question: SqQuestion, lot: Lot | None,
         outcome: str, reason: str, marker: User) -> list[str]:
    refusals = rules.check_mark(as_rule(question), outcome, reason)
    if not opened(answers.bidder):
        refusals.insert(0, "The bids are not opened yet: the answers are sealed")
    if refusals:
        return refusals
    lot_id = lot.id if lot is not None and question.scope == rules.PER_LOT else None
    row = marks_of(answers).get((question.id, lot_id))
    before = {"outcome": row.outcome, "reason": row.reason} if row else None
    if row is None:
        row = SqMark(answer_set_id=answers.id, question_id=question.id, lot_id=lot_id)
        db.session.add(row)
    row.outcome, row.reason, row.marker_id, row.marked_at = outcome, reason.strip(), marker.id, utcnow()
    row.confirmed_by_id = row.confirmed_at = None  # a changed mark is confirmed afresh
    db.session.flush()
    record("sq_mark", row.id, "selection.marked", before=before,
           after={"bidder": answers.bidder.name, "party": answers.party_name,
                  "question": question.key, "lot": lot.code if lot_id else None,
                  "outcome": outcome, "reason": row.reason},
           procurement_ref=p.reference, actor=marker.email)
    apply_marks(p, answers.bidder)
    return []


def confirm(p: Procurement, row: SqMark, confirmer: User) -> list[str]:
    refusals = rules.check_confirmation(row.marker.email, confirmer.email, second_marker())
    if refusals:
        return refusals
    row.confirmed_by_id, row.confirmed_at = confirmer.id, utcnow()
    record("sq_mark", row.id, "selection.mark_confirmed",
           after={"outcome": row.outcome}, procurement_ref=p.reference, actor=confirmer.email)
    apply_marks(p, row.answer_set.bidder)
    return []


def apply_marks(p: Procurement, bidder: Bidder) -> None:
    """Feed the SQ outcome to each of the bidder's bids (`Bid.selection`, `selection_reason`)."""
    qs = [as_rule(q) for q in _rows(p)]
    plain, need_two = [], second_marker()
    for answers in answer_sets(bidder):
        for m in marks_of(answers).values():
            plain.append(rules.Mark(question_key=m.question.key, outcome=m.outcome,
                                    reason=m.reason, lot_code=m.lot.code if m.lot else None,
                                    party=answers.party_name,
                                    confirmed=m.confirmed_by_id is not None))
    bids = list(bidder.bids)
    outcome = rules.sq_outcome(qs, plain, [b.lot.code for b in bids], need_two)
    for bid in bids:
        result = outcome[bid.lot.code]
        bid.selection = rules.PASS if result.passed else rules.FAIL
        bid.selection_reason = None if result.passed else result.reason
    db.session.flush()


# -- financial standing -------------------------------------------------------------------

def bands() -> list[fr.Band]:
    try:
        return fr.parse_bands(get_setting("delphi_risk_bands"))
    except ValueError:
        return []


def turnover_multiple() -> Decimal:
    try:
        return Decimal(get_setting("turnover_multiple"))
    except InvalidOperation:
        return fr.DEFAULT_MULTIPLE


def annual_value(bidder: Bidder) -> Decimal:
    return sum((b.lot.annual_value for b in bidder.bids), Decimal("0"))


def assessment_of(bidder: Bidder) -> FinancialAssessment | None:
    return db.session.execute(select(FinancialAssessment).where(
        FinancialAssessment.bidder_id == bidder.id)).scalar_one_or_none()


def ratios_of(a: FinancialAssessment) -> list[fr.Ratios]:
    value = annual_value(a.bidder)
    return [fr.ratios(_plain(y), value, a.turnover_multiple) for y in a.accounts]


def _plain(y: AccountsYear) -> fr.Accounts:
    return fr.Accounts(y.year_end, y.turnover, y.profit_before_tax, y.net_assets,
                       y.current_assets, y.current_liabilities, y.audited)


def record_assessment(p: Procurement, bidder: Bidder, values: dict, years: list[dict],
                      files: dict, reviewer: User) -> list[tuple[str, str]]:
    """Record (or replace) the bidder's financial assessment; refusals (field, message)."""
    from procurement.bids.storage import store

    refusals = []
    multiple = values["turnover_multiple"]
    for msg in fr.check_multiple(multiple, values["multiple_justification"]):
        refusals.append(("turnover_multiple", msg))
    refusals += fr.check_outcome(values["outcome"], values["mitigation"],
                                 values["justification"], values["delphi_score"], p.min_delphi)
    plain = [fr.Accounts(**y) for y in years]
    refusals += [("accounts", m) for m in fr.check_accounts(plain)]
    if refusals:
        return refusals
    band = fr.band_for(values["delphi_score"], bands())  # read before the new row is added
    bands_source = get_setting("delphi_risk_bands_source")
    row = assessment_of(bidder)
    before = _summary(row) if row else None
    if row is None:
        row = FinancialAssessment(bidder_id=bidder.id)
        db.session.add(row)
    else:
        row.accounts.clear()
        db.session.flush()
    row.delphi_score, row.delphi_date = values["delphi_score"], values["delphi_date"]
    row.delphi_source = values["delphi_source"]
    row.band, row.bands_source = band, bands_source
    row.minimum, row.turnover_multiple = p.min_delphi, multiple
    row.multiple_justification = values["multiple_justification"].strip()
    row.outcome, row.mitigation = values["outcome"], values["mitigation"] \
        if values["outcome"] == fr.MITIGATED else ""
    row.justification = values["justification"].strip()
    row.reviewer_id, row.reviewed_at = reviewer.id, utcnow()
    report = files.get("report")
    if report is not None and report.filename:
        stored = store(report.stream, report.mimetype or "application/pdf")
        row.report_file_id, row.report_filename = stored.id, report.filename[:255]
    for i, y in enumerate(years):
        year = AccountsYear(**y)
        upload = files.get(f"accounts_file_{i}")
        if upload is not None and upload.filename:
            stored = store(upload.stream, upload.mimetype or "application/pdf")
            year.file_id, year.filename = stored.id, upload.filename[:255]
        row.accounts.append(year)
    db.session.flush()
    record("financial_assessment", row.id, "selection.financial_recorded", before=before,
           after=_summary(row), procurement_ref=p.reference, actor=reviewer.email)
    apply_financial(row)
    return []


def _summary(a: FinancialAssessment) -> dict:
    return {"bidder": a.bidder.name if a.bidder else None, "delphi_score": a.delphi_score,
            "delphi_date": a.delphi_date.isoformat() if a.delphi_date else None,
            "band": a.band, "minimum": a.minimum, "outcome": a.outcome,
            "mitigation": a.mitigation, "justification": a.justification,
            "turnover_multiple": str(a.turnover_multiple)}


def apply_financial(a: FinancialAssessment) -> None:
    """Feed the outcome to each of the bidder's bids (`delphi_score`, `financial`, reason)."""
    financial, reason = fr.bid_outcome(a.outcome, a.mitigation, a.justification)
    for bid in a.bidder.bids:
        bid.delphi_score, bid.financial, bid.financial_reason = a.delphi_score, financial, reason
    db.session.flush()


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def published_criteria(p: Procurement) -> list[dict]:
    """The selection criteria a tender notice publishes: the procurement's questionnaire, or
    the standard's where it has none yet (read only: nothing is written)."""
    qs = [as_rule(q) for q in questions(p)]
    if not qs:
        qs = [rules.Question(**{f: q[f] for f in FIELDS})
              for q in template_for(p.regime)["questions"]]
    return rules.published_criteria(qs)
