"""Letters to bidders after the decision: built from the results, issued once the decision
note is signed, each recorded (bid, outcome, standstill end, PDF hash, data digest) with an
audit record.

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
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from audit.services import record
import clock
from decisions.letters import rules
from decisions.letters.document import LetterData, letter_filename, render_letter, zip_letters
from decisions.letters.rules import data_digest
from decisions.models import DecisionNote, Letter
from evaluation.models import Consensus, Criterion
from evaluation.results.inputs import procurement_results
from extensions import db
from procurement.models import Bid, Lot, Procurement, TimelineDate
from procurement.bids.sealed import OPEN_FOR_EVALUATION
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
    # the criteria's labels once, not on each of 29,000 rationales (a large tender)
    labels = {}
    for cid, code, title in db.session.execute(
            select(Criterion.id, Criterion.code, Criterion.title).join(
                Consensus, Consensus.criterion_id == Criterion.id)
            .where(Consensus.bid_id.in_(bid_ids)).distinct()):
        labels[cid] = f"{code} {title}".strip() if title else code
    rows = db.session.execute(
        select(Consensus.bid_id, Consensus.criterion_id, Consensus.rationale)
        .join(Criterion, Consensus.criterion_id == Criterion.id)
        .where(Consensus.bid_id.in_(bid_ids))
        .order_by(Consensus.bid_id, Criterion.position, Criterion.id))
    for bid_id, criterion_id, rationale in rows:
        if rationale and rationale.strip():
            out[bid_id].append((labels[criterion_id], rationale.strip()))
    return out


def _open_bids(procurement: Procurement) -> dict[tuple[int, str], Bid]:
    """The procurement's open bids by (lot, bidder), with their bidders, in one query (not
    one a lot and one a bidder)."""
    rows = db.session.execute(
        select(Bid).join(Lot, Bid.lot_id == Lot.id)
        .where(Lot.procurement_id == procurement.id, OPEN_FOR_EVALUATION)
        .options(joinedload(Bid.bidder))).scalars()
    return {(b.lot_id, b.bidder.name): b for b in rows}


def plan_letters(procurement: Procurement, sent: date | None = None) -> list[PlannedLetter]:
    """One entry per bid, lot by lot in the results' order, with the letter it would get."""
    sent = sent or sent_date(procurement)
    results = procurement_results(procurement)
    bids = _open_bids(procurement)
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


Progress = Callable[..., None]  # procurement.jobs: progress(read=…, checked=…, written=…)


def _quiet(**_counts) -> None:
    return None


def issue_letters(procurement: Procurement, actor: str | None = None, *,
                  progress: Progress = _quiet, once: bool = False
                  ) -> tuple[list[tuple[Letter, str, bytes]], str | None]:
    """Render and record every letter; ([(letter, filename, pdf)], None) or ([], refusal).

    The caller commits: the Letter rows, the "decision_letters" date and the audit records
    go in one transaction. `once` (the background job): when every bid's latest letter was
    drawn from the data it would be drawn from now, nothing is issued and ([], None) comes
    back — a second click or a second job issues nothing twice. That is checked again under
    the procurement's lock after the letters are drawn (the long part), so two jobs at once
    issue one set.
    """
    sent = sent_date(procurement)
    planned = plan_letters(procurement, sent)
    progress(read=len(planned))
    refusal = issue_refusal(procurement, planned)
    if refusal:
        return [], refusal
    digests = {p.bid.id: data_digest(p.data) for p in planned}
    progress(checked=len(planned))
    if once and rules.nothing_new(digests, issued_digests(procurement)):
        return [], None
    pdfs = []
    for done, p in enumerate(planned, 1):
        pdfs.append(render_letter(p.data))
        if done % 10 == 0 or done == len(planned):
            progress(written=done)
    if once:
        lock_procurement(procurement)
        if rules.nothing_new(digests, issued_digests(procurement)):
            return [], None
    return _record(procurement, sent, planned, pdfs, digests, actor), None


def _record(procurement: Procurement, sent: date, planned: list[PlannedLetter],
            pdfs: list[bytes], digests: dict[int, str], actor: str | None
            ) -> list[tuple[Letter, str, bytes]]:
    if procurement.date_of(LETTERS_DATE) is None:
        procurement.dates.append(TimelineDate(kind=LETTERS_DATE,
                                              at=datetime.combine(sent, datetime.min.time())))
        record("procurement", procurement.reference, "set_date", None,
               {"kind": LETTERS_DATE, "date": sent}, procurement_ref=procurement.reference,
               actor=actor)
    issued = []
    for p, pdf in zip(planned, pdfs):
        letter = Letter(bid=p.bid, outcome=p.data.outcome, standstill_end=p.data.standstill_end,
                        pdf_sha256=sha256(pdf), data_sha256=digests[p.bid.id], pdf=pdf,
                        filename=p.filename)
        db.session.add(letter)
        issued.append((letter, p.filename, pdf))
    db.session.flush()
    for letter, filename, _pdf in issued:
        record("letter", letter.id, "issue", None,
               {"bid_id": letter.bid_id, "bidder": letter.bid.bidder.name,
                "lot": letter.bid.lot.code, "outcome": letter.outcome,
                "standstill_end": letter.standstill_end, "pdf_sha256": letter.pdf_sha256,
                "filename": filename}, procurement_ref=procurement.reference, actor=actor)
    return issued


def lock_procurement(procurement: Procurement) -> None:
    """One issue of a procurement's letters at a time, until the caller commits."""
    if db.session.get_bind().dialect.name == "sqlite":
        # no SELECT … FOR UPDATE: SQLite's write lock, taken by a write that changes nothing
        db.session.execute(update(Procurement).where(Procurement.id == procurement.id)
                           .values(reference=Procurement.reference))
    else:
        db.session.execute(select(Procurement.id).where(Procurement.id == procurement.id)
                           .with_for_update())


def _latest_rows(procurement: Procurement, *columns):
    return db.session.execute(
        select(Letter.bid_id, *columns).join(Bid, Letter.bid_id == Bid.id)
        .join(Lot, Bid.lot_id == Lot.id).where(Lot.procurement_id == procurement.id)
        .order_by(Letter.created_at, Letter.id))


def issued_digests(procurement: Procurement) -> dict[int, str | None]:
    """The data digest of the last letter issued for each bid, by bid id (one query)."""
    return {bid_id: digest for bid_id, digest in _latest_rows(procurement, Letter.data_sha256)}


def latest_letters(procurement: Procurement) -> dict[int, Letter]:
    """The last letter issued for each bid of the procurement, by bid id."""
    rows = db.session.execute(
        select(Letter).join(Bid, Letter.bid_id == Bid.id)
        .where(Bid.lot_id.in_([lot.id for lot in procurement.lots]))
        .order_by(Letter.created_at, Letter.id)).scalars()
    return {letter.bid_id: letter for letter in rows}


def _as_issued(letter: Letter, mine: PlannedLetter, procurement: Procurement) -> LetterData:
    """The letter's data as the records draw it now, on the date and standstill it was
    issued with (those do not change after the letter went out)."""
    recorded = procurement.date_of(LETTERS_DATE)
    return replace(mine.data, standstill_end=letter.standstill_end,
                   letter_date=recorded.at.date() if recorded else letter.created_at.date())


def letter_matches(letter: Letter, mine: PlannedLetter | None,
                   procurement: Procurement) -> bool:
    """Whether the records still draw the letter that was issued (`mine`: its bid's entry of
    plan_letters): its data's digest, or for a letter issued before digests were kept, its
    PDF drawn again."""
    if mine is None or mine.data is None:
        return False
    data = _as_issued(letter, mine, procurement)
    if letter.data_sha256:
        return data_digest(data) == letter.data_sha256
    return sha256(render_letter(data)) == letter.pdf_sha256


def issued_letter_pdf(letter: Letter) -> tuple[bytes, str]:
    """(pdf, filename) of an issued letter: the bytes kept at issue (a letter issued before
    they were kept is drawn again from the records, on its own date and standstill)."""
    if letter.pdf:
        return letter.pdf, letter.filename or ""
    procurement = letter.bid.lot.procurement
    mine = next((p for p in plan_letters(procurement) if p.bid.id == letter.bid_id), None)
    if mine is None or mine.data is None:
        return b"", letter.filename or ""
    data = _as_issued(letter, mine, procurement)
    return render_letter(data), letter_filename(data)


def letters_zip(items: list[tuple[str, bytes]]) -> bytes:
    return zip_letters(items)
