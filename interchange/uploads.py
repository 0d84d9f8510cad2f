"""The workbook download, and the upload of a panel's filled-in Scores/Consensus sheets.

The upload reads the sheets with the workbook reader and checks their rows with its own
`check_scores`, against this procurement's lots, criteria and bids, so it follows
`tender import`'s contract (spec/tender-workbook.md) exactly: names and headers
case-insensitive, extra columns and sheets ignored, empty rows skipped, each bad cell named
by sheet, row and column, nothing written unless every row is good. It adds the app's
guards: rows must name a lot, bid, scored criterion and panel member
of this procurement; an evaluator who uses Tender must have declared no conflict with the
bidder; a submitted score is never changed; consensus only once every individual score of
the lot is submitted, never after the lot's results are final.
"""
from __future__ import annotations

import io
import os
import tempfile

import openpyxl
from flask import current_app
from sqlalchemy import select

from clock import utcnow
from audit.services import record
from evaluation.criteria.service import lock_model
from evaluation.models import ConflictDeclaration, Consensus, Criterion, Score
from procurement.models import PanelMember
from evaluation.progress import lot_status
from interchange.importer import export_tender
from evaluation.rules import off_step, rationale_error, score_rule
from interchange.workbook import WorkbookError
from interchange.workbook_file import write_workbook
from interchange.workbook_checks import check_scores
from interchange.workbook_limits import NOT_A_WORKBOOK, container_problem, limits_from_config
from interchange.workbook_read import Reader, read_bounded
from extensions import db
from procurement.models import Bid, Bidder, Lot, Procurement
from procurement.bids.sealed import OPEN_FOR_EVALUATION

UploadError = WorkbookError
MAX_ERRORS = 200


def workbook_bytes(procurement: Procurement) -> bytes:
    """The whole procurement as the contract's workbook (what `tender export` writes)."""
    with tempfile.TemporaryDirectory(prefix="tender-export-") as folder:
        path = os.path.join(folder, "export.xlsx")
        write_workbook(export_tender(procurement), path)
        with open(path, "rb") as handle:
            return handle.read()


class _Numbered:
    """A sheet whose records() also notes each record's row number, in order."""

    def __init__(self, sheet):
        self.sheet, self.numbers = sheet, []

    def records(self, columns):
        for number, values in self.sheet.records(columns):
            self.numbers.append(number)
            yield number, values


def bounds_refusal(stream) -> list[WorkbookError]:
    """The file's bounds checked at once (workbook_limits), before a job is queued: a hostile
    workbook is refused in the request. The stream is rewound for the job."""
    limits = limits_from_config(current_app.config)
    data, problem = read_bounded(stream, limits)
    stream.seek(0)
    if not problem:
        problem = container_problem(io.BytesIO(data), limits)
    if problem == NOT_A_WORKBOOK:
        return [WorkbookError("", None, None, "The file is not an Excel workbook (.xlsx)")]
    return [WorkbookError("", None, None, problem)] if problem else []


def _read(stream, look: "_Lookup"):
    """The Scores and Consensus rows, checked by the workbook reader's own rules against
    this procurement's lots, criteria and bids: ({"Scores": [(row, tuple)], …}, errors).

    The file is bounded first (workbook_limits): a hostile one is refused unparsed."""
    not_a_workbook = [WorkbookError("", None, None, "The file is not an Excel workbook (.xlsx): "
                                    "save it from Excel as \"Excel Workbook (.xlsx)\" and "
                                    "upload that file")]
    limits = limits_from_config(current_app.config)
    data, problem = read_bounded(stream, limits)
    if not problem:
        problem = container_problem(io.BytesIO(data), limits)
    if problem == NOT_A_WORKBOOK:
        return {}, not_a_workbook
    if problem:
        return {}, [WorkbookError("", None, None, problem)]
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises a dozen kinds for "not a workbook"
        return {}, not_a_workbook
    reader = Reader(book)
    found: dict[str, list] = {}
    try:
        for name in ("Scores", "Consensus"):
            sheet = reader.sheet(name)
            if sheet is None:
                continue
            numbered = _Numbered(sheet)
            rows = check_scores(reader, numbered, name, (look.lots,), (look.by_lot,),
                                (look.bid_keys,))
            found[name] = list(zip(numbered.numbers, rows))
    except Exception:  # noqa: BLE001 - a damaged sheet surfaces while iterating
        reader.err("", None, None, "A sheet is damaged and cannot be read: save the workbook "
                   "again from Excel and upload that file")
    finally:
        book.close()
    if not reader.errors and not found:
        reader.err("", None, None, 'Add a sheet named "Scores" (lot, bidder, criterion, '
                   'evaluator, score, comment) or "Consensus" (lot, bidder, criterion, score, '
                   "rationale): the workbook has neither")
    return found, reader.errors


class _Lookup:
    """The procurement's lots, bids, criteria and panels, read once, keyed as the sheets
    name them (exact codes and names, as `tender import` matches them)."""

    def __init__(self, procurement: Procurement):
        lots = list(procurement.lots)
        self.lots = {lot.code: lot for lot in lots}
        code = {lot.id: lot.code for lot in lots}
        ids = list(code)
        self.bids = {(code[lot_id], name): (bid_id, bidder_id)
                     for bid_id, lot_id, bidder_id, name in db.session.execute(
                         select(Bid.id, Bid.lot_id, Bid.bidder_id, Bidder.name)
                         .join(Bidder, Bid.bidder_id == Bidder.id)
                         .where(Bid.lot_id.in_(ids), OPEN_FOR_EVALUATION))}
        self.bid_keys = dict.fromkeys(self.bids)
        self.by_lot: dict[str, dict[str, Criterion]] = {}
        for c in db.session.execute(select(Criterion).where(Criterion.lot_id.in_(ids))).scalars():
            self.by_lot.setdefault(code[c.lot_id], {})[c.code] = c
        self.members = {(code[m.lot_id], m.name): m for m in db.session.execute(
            select(PanelMember).where(PanelMember.lot_id.in_(ids))).scalars()}
        member_ids = [m.id for m in self.members.values()]
        self.declared = {(m, b): c for m, b, c in db.session.execute(
            select(ConflictDeclaration.member_id, ConflictDeclaration.bidder_id,
                   ConflictDeclaration.conflicted)
            .where(ConflictDeclaration.member_id.in_(member_ids)))} if member_ids else {}


def _off_step(sheet: str, number: int, criterion: Criterion, value, errors: list) -> bool:
    """A score between the steps of its criterion's scale, where the evaluation model set a
    step for that criterion; otherwise the contract's own rule (0 to max_score, 4 decimals)
    stands, as `tender import` reads it."""
    if criterion.score_step is None or not off_step(value, criterion.score_step):
        return False
    errors.append(WorkbookError(sheet, number, "score", (
        f"Enter a score {score_rule(criterion.max_score, criterion.score_step)}: the step the "
        f"evaluation model sets for {criterion.code} (got {value.normalize():f})")))
    return True


def apply_upload(procurement: Procurement, stream, moderator_id: int | None = None,
                 progress=None) -> tuple[dict, list[WorkbookError]]:
    """Write every row or none: ({"scores": n, "consensus": n}, []) or ({}, errors).

    On errors the caller rolls back (rows may have been flushed while checking consensus).
    `progress(read=, checked=, written=)`, when given, hears the rows as they go (a job's
    progress page)."""
    progress = progress or (lambda **_: None)
    look = _Lookup(procurement)
    sheets, errors = _read(stream, look)
    if errors:
        return {}, errors[:MAX_ERRORS]
    progress(read=sum(len(rows) for rows in sheets.values()))
    ref = procurement.reference
    counts = {"scores": 0, "consensus": 0}
    touched: dict[int, Lot] = {}
    planned_scores = []
    for number, (lot_code, bidder, code, evaluator, value, comment) in sheets.get("Scores", []):
        lot = look.lots[lot_code]
        if lot.results_final_at is not None:
            errors.append(WorkbookError("Scores", number, "lot", f"Lot {lot.code}'s results "
                                        "are final: its scores cannot change"))
            continue
        bid_id, bidder_id = look.bids[lot_code, bidder]
        member = look.members.get((lot_code, evaluator))
        if member is None:
            errors.append(WorkbookError("Scores", number, "evaluator", f"{evaluator} is not on "
                                        f"the panel of lot {lot.code}: add them in Tender first "
                                        "or use the name the panel shows"))
            continue
        declared = look.declared.get((member.id, bidder_id))
        if declared:
            errors.append(WorkbookError("Scores", number, "evaluator",
                                        f"{member.name} declared a conflict of interest with "
                                        f"{bidder}, so cannot score its bid"))
            continue
        if member.user_id is not None and declared is None:
            errors.append(WorkbookError("Scores", number, "evaluator",
                                        f"{member.name} has not declared on conflicts of interest "
                                        f"with {bidder} in Tender, so cannot score its bid yet"))
            continue
        criterion = look.by_lot[lot_code][code]
        if _off_step("Scores", number, criterion, value, errors):
            continue
        planned_scores.append((number, lot, member, bid_id, bidder, criterion, value, comment))
    planned_consensus = []
    for number, (lot_code, bidder, code, value, rationale) in sheets.get("Consensus", []):
        lot = look.lots[lot_code]
        if lot.results_final_at is not None:
            errors.append(WorkbookError("Consensus", number, "lot", f"Lot {lot.code}'s results "
                                        "are final: its consensus scores cannot change"))
            continue
        criterion = look.by_lot[lot_code][code]
        if _off_step("Consensus", number, criterion, value, errors):
            continue
        planned_consensus.append((number, lot, look.bids[lot_code, bidder][0], bidder,
                                  criterion, value, rationale))
    if errors:
        return {}, errors[:MAX_ERRORS]
    progress(checked=len(planned_scores) + len(planned_consensus))

    lot_ids = [lot.id for lot in look.lots.values()]
    existing = {(s.member_id, s.bid_id, s.criterion_id): s for s in db.session.execute(
        select(Score).join(Bid, Score.bid_id == Bid.id).where(Bid.lot_id.in_(lot_ids))).scalars()}
    now = utcnow()
    for number, lot, member, bid_id, bidder, criterion, value, comment in planned_scores:
        where = {"lot": lot.code, "bidder": bidder, "criterion": criterion.code,
                 "member": member.name}
        score = existing.get((member.id, bid_id, criterion.id))
        if score is not None and score.state == "submitted":
            if score.value != value or (comment and score.justification != comment):
                errors.append(WorkbookError("Scores", number, "score",
                                            f"{member.name}'s score is already submitted in "
                                            "Tender and locked: it cannot change"))
            continue
        before = None
        if score is None:
            score = Score(bid_id=bid_id, criterion_id=criterion.id, member_id=member.id,
                          value=value, justification=comment)
            db.session.add(score)
        else:
            before = {**where, "value": score.value, "justification": score.justification,
                      "state": score.state}
            score.value, score.justification = value, comment
        score.state, score.submitted_at = "submitted", now
        db.session.flush()
        record("score", score.id, "upload", before,
               {**where, "value": value, "justification": comment, "state": "submitted"},
               procurement_ref=ref)
        touched[lot.id] = lot
        counts["scores"] += 1
        if counts["scores"] % 1000 == 0:
            progress(written=counts["scores"])
    if errors:
        return {}, errors[:MAX_ERRORS]
    db.session.flush()

    refusals: dict[int, str | None] = {}
    current = {(c.bid_id, c.criterion_id): c for c in db.session.execute(
        select(Consensus).join(Bid, Consensus.bid_id == Bid.id)
        .where(Bid.lot_id.in_(lot_ids))).scalars()}
    for number, lot, bid_id, bidder, criterion, value, rationale in planned_consensus:
        row = current.get((bid_id, criterion.id))
        if row is not None and row.value == value and (not rationale or row.rationale == rationale):
            continue  # unchanged
        if lot.id not in refusals:
            refusals[lot.id] = lot_status(lot).moderation_refusal
        if refusals[lot.id]:
            errors.append(WorkbookError("Consensus", number, None,
                                        f"Lot {lot.code}: {refusals[lot.id]}"))
            continue
        r_error = rationale_error(rationale)
        if r_error:
            errors.append(WorkbookError("Consensus", number, "rationale", r_error))
            continue
        where = {"lot": lot.code, "bidder": bidder, "criterion": criterion.code}
        before = {**where, "value": row.value, "rationale": row.rationale} if row else None
        if row is None:
            row = Consensus(bid_id=bid_id, criterion_id=criterion.id, value=value,
                            rationale=rationale, moderator_id=moderator_id)
            db.session.add(row)
            db.session.flush()
        else:
            row.value, row.rationale, row.moderator_id = value, rationale, moderator_id
        record("consensus", row.id, "upload", before,
               {**where, "value": value, "rationale": rationale}, procurement_ref=ref)
        touched[lot.id] = lot
        counts["consensus"] += 1
    if errors:
        return {}, errors[:MAX_ERRORS]
    for lot in touched.values():
        lock_model(lot, "scores uploaded")
    progress(written=counts["scores"] + counts["consensus"])
    return counts, []
