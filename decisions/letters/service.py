"""Letters to bidders after the decision: built from the results, issued once the decision
note is signed, each recorded (bid, outcome, standstill end, PDF hash) with an audit record.

- outcome: ranked 1 and the lot's winner -> "successful"; ranked otherwise -> "unsuccessful";
  ranked but tied with another bid -> "tied"; excluded -> "excluded". Incomplete bids (a score
  missing) get no letter, and letters are not issued while any bid is incomplete.
- reasons: the consensus rationales for that bid, per criterion, plus the exclusion reason.
- standstill end: `procurement.standstill.standstill_end(regime, sent)` where `sent` is the
  procurement's "decision_letters" date, or today (then recorded as that date) when unset.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select

from audit.services import record
import clock
from decisions.letters.document import LetterData, letter_filename, render_letter, zip_letters
from decisions.models import DecisionNote, Letter
from evaluation.models import Consensus, Criterion
from evaluation.results.inputs import procurement_results
from extensions import db
from procurement.models import Bid, Procurement, TimelineDate
from procurement.bids.sealed import opened
from procurement.standstill import standstill_end

LETTERS_DATE = "decision_letters"


@dataclass
class PlannedLetter:
    bid: Bid
    data: LetterData | None  # None: no letter (incomplete bid)
    status: str  # the results engine's status
    reason: str | None

    @property
    def filename(self) -> str:
        return letter_filename(self.data) if self.data else ""


def sent_date(procurement: Procurement) -> date:
    """When the letters are (or were) sent: the recorded date, else today."""
    d = procurement.date_of(LETTERS_DATE)
    return d.at.date() if d else clock.today()


def outcome_of(result, winner: str | None) -> str | None:
    if result.status == "excluded":
        return "excluded"
    if result.status != "ranked":
        return None
    if result.tied:
        return "tied"
    if result.rank == 1 and result.bidder == winner:
        return "successful"
    return "unsuccessful"


def _reasons(bid_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {i: [] for i in bid_ids}
    if not bid_ids:
        return out
    rows = db.session.execute(
        select(Consensus.bid_id, Criterion.code, Criterion.title, Consensus.rationale)
        .join(Criterion, Consensus.criterion_id == Criterion.id)
        .where(Consensus.bid_id.in_(bid_ids))
        .order_by(Consensus.bid_id, Criterion.position, Criterion.id))
    for bid_id, code, title, rationale in rows:
        if rationale and rationale.strip():
            label = f"{code} {title}".strip() if title else code
            out[bid_id].append((label, rationale.strip()))
    return out


def plan_letters(procurement: Procurement, sent: date | None = None) -> list[PlannedLetter]:
    """One entry per bid, lot by lot in the results' order, with the letter it would get."""
    sent = sent or sent_date(procurement)
    results = procurement_results(procurement)
    bids = {(b.lot_id, b.bidder.name): b for lot in procurement.lots
            for b in opened(lot.bids)}
    reasons = _reasons([b.id for b in bids.values()])
    planned = []
    for lot, res in zip(procurement.lots, results):
        by_name = {r.bidder: r for r in res.bids}
        win = by_name.get(res.winner) if res.winner else None
        ranked_count = sum(1 for r in res.bids if r.status == "ranked")
        end = standstill_end(procurement.regime, sent) if res.winner else None
        for r in res.bids:
            bid = bids[(lot.id, r.bidder)]
            outcome = outcome_of(r, res.winner)
            data = None
            if outcome:
                data = LetterData(
                    procurement_reference=procurement.reference,
                    procurement_title=procurement.title,
                    organisation=procurement.organisation.name,
                    bidder=r.bidder, lot_code=lot.code, lot_title=lot.title, outcome=outcome,
                    sections=dict(r.sections), total=r.total, winner=res.winner,
                    winner_sections=dict(win.sections) if win else None,
                    winner_total=win.total if win else None,
                    rank=r.rank if r.status == "ranked" else None, ranked_count=ranked_count,
                    reasons=list(reasons.get(bid.id, [])),
                    exclusion_reason=r.reason if r.status == "excluded" else None,
                    standstill_end=end, regime=procurement.regime, letter_date=sent)
            planned.append(PlannedLetter(bid=bid, data=data, status=r.status, reason=r.reason))
    return planned


def note_of(procurement: Procurement) -> DecisionNote | None:
    return db.session.execute(select(DecisionNote).where(
        DecisionNote.procurement_id == procurement.id)).scalar_one_or_none()


def issue_refusal(procurement: Procurement, planned: list[PlannedLetter]) -> str | None:
    """Why letters cannot be issued now, or None. They follow the decision: a signed note."""
    note = note_of(procurement)
    if note is None or note.state != "completed":
        state = note.state if note else "not started"
        return (f"Letters go out after the decision: the decision note for {procurement.reference} "
                f"is not signed yet (it is {state})")
    if not planned:
        return f"{procurement.reference} has no bids to write to"
    incomplete = [p for p in planned if p.data is None]
    if incomplete:
        names = ", ".join(f"Lot {p.bid.lot.code} {p.bid.bidder.name}" for p in incomplete)
        return f"Finish the evaluation first: these bids are missing a score: {names}"
    return None


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def issue_letters(procurement: Procurement, actor: str | None = None
                  ) -> tuple[list[tuple[Letter, str, bytes]], str | None]:
    """Render and record every letter; ([(letter, filename, pdf)], None) or ([], refusal).

    The caller commits: the Letter rows, the "decision_letters" date and the audit records
    go in one transaction.
    """
    sent = sent_date(procurement)
    planned = plan_letters(procurement, sent)
    refusal = issue_refusal(procurement, planned)
    if refusal:
        return [], refusal
    if procurement.date_of(LETTERS_DATE) is None:
        procurement.dates.append(TimelineDate(kind=LETTERS_DATE,
                                              at=datetime.combine(sent, datetime.min.time())))
        record("procurement", procurement.reference, "set_date", None,
               {"kind": LETTERS_DATE, "date": sent}, procurement_ref=procurement.reference,
               actor=actor)
    issued = []
    for p in planned:
        pdf = render_letter(p.data)
        letter = Letter(bid=p.bid, outcome=p.data.outcome, standstill_end=p.data.standstill_end,
                        pdf_sha256=sha256(pdf), pdf=pdf, filename=p.filename)
        db.session.add(letter)
        issued.append((letter, p.filename, pdf))
    db.session.flush()
    for letter, filename, _pdf in issued:
        record("letter", letter.id, "issue", None,
               {"bid_id": letter.bid_id, "bidder": letter.bid.bidder.name,
                "lot": letter.bid.lot.code, "outcome": letter.outcome,
                "standstill_end": letter.standstill_end, "pdf_sha256": letter.pdf_sha256,
                "filename": filename}, procurement_ref=procurement.reference, actor=actor)
    return issued, None


def latest_letters(procurement: Procurement) -> dict[int, Letter]:
    """The last letter issued for each bid of the procurement, by bid id."""
    rows = db.session.execute(
        select(Letter).join(Bid, Letter.bid_id == Bid.id)
        .where(Bid.lot_id.in_([lot.id for lot in procurement.lots]))
        .order_by(Letter.created_at, Letter.id)).scalars()
    return {letter.bid_id: letter for letter in rows}


def issued_letter_pdf(letter: Letter, planned: list[PlannedLetter] | None = None
                      ) -> tuple[bytes, str, bool]:
    """(pdf, filename, matches) for an issued letter: the bytes kept at issue, and whether the
    records still draw the same letter (False when a score or figure changed since)."""
    procurement = letter.bid.lot.procurement
    planned = planned if planned is not None else plan_letters(procurement)
    mine = next((p for p in planned if p.bid.id == letter.bid_id), None)
    if mine is None or mine.data is None:
        return letter.pdf or b"", letter.filename or "", False
    recorded = procurement.date_of(LETTERS_DATE)
    data = replace(mine.data, standstill_end=letter.standstill_end,
                   letter_date=recorded.at.date() if recorded else letter.created_at.date())
    pdf = render_letter(data)
    matches = sha256(pdf) == letter.pdf_sha256
    if letter.pdf:
        return letter.pdf, letter.filename or letter_filename(data), matches
    return pdf, letter_filename(data), matches


def letters_zip(items: list[tuple[str, bytes]]) -> bytes:
    return zip_letters(items)
