"""The workbook download, and the upload of a panel's filled-in Scores/Consensus sheets.

The upload follows `tender import`'s contract (spec/tender-workbook.md): sheet names and
headers case-insensitive, extra columns and sheets ignored, empty rows skipped, each bad
cell named by sheet, row and column, and nothing written unless every row is good.
It adds the app's own guards: rows must name a lot, bid, scored criterion and panel member
of this procurement; an evaluator who uses Tender must have declared no conflict with the
bidder; a submitted score is never changed; consensus only once every individual score of
the lot is submitted, never after the lot's results are final.
"""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from accounts.models import utcnow
from audit.services import record
from evaluation.model_editor import lock_model
from evaluation.models import ConflictDeclaration, Consensus, Criterion, PanelMember, Score
from evaluation.progress import lot_status
from evaluation.rules import rationale_error
from evaluation.workbook import CellError, WorkbookError, score_number, text
from extensions import db
from procurement.models import Bid, Bidder, Lot, Procurement

UploadError = WorkbookError
COLUMNS = {"scores": ("lot", "bidder", "criterion", "evaluator", "score", "comment"),
           "consensus": ("lot", "bidder", "criterion", "score", "rationale")}
REQUIRED = {"scores": ("lot", "bidder", "criterion", "evaluator", "score"),
            "consensus": ("lot", "bidder", "criterion", "score")}
SHEET_NAMES = {"scores": "Scores", "consensus": "Consensus"}
MAX_ERRORS = 200


def workbook_bytes(procurement: Procurement) -> bytes | None:
    """The whole procurement as the contract's workbook, or None while that code is missing."""
    try:
        from evaluation.importer import export_tender
        from evaluation.workbook import write_workbook
    except ImportError:
        return None
    out = io.BytesIO()
    write_workbook(export_tender(procurement), out)
    return out.getvalue()


def _sheets(stream) -> tuple[dict[str, list[tuple[int, dict]]], list[WorkbookError]]:
    """{"scores"/"consensus": [(row number, {column: cell})]} from the file's sheets."""
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return {}, [WorkbookError("", None, None, "The file is not an Excel workbook (.xlsx) "
                                  "that can be read")]
    found: dict[str, list[tuple[int, dict]]] = {}
    errors: list[WorkbookError] = []
    try:
        for ws in wb.worksheets:
            key = ws.title.strip().lower()
            if key not in COLUMNS:
                continue
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None) or ()
            names = [text(h).lower() for h in header]
            missing = [c for c in REQUIRED[key] if c not in names]
            if missing:
                errors.extend(WorkbookError(SHEET_NAMES[key], None, c, "Add this column")
                              for c in missing)
                continue
            index = {c: names.index(c) for c in COLUMNS[key] if c in names}
            found[key] = []
            for number, row in enumerate(rows, start=2):
                if row is None or all(v is None or text(v) == "" for v in row):
                    continue
                found[key].append((number, {c: row[i] if i < len(row) else None
                                            for c, i in index.items()}))
    finally:
        wb.close()
    if not found and not errors:
        errors.append(WorkbookError("", None, None, "The workbook has no Scores or Consensus sheet"))
    return found, errors


class _Lookup:
    """The procurement's lots, bids, scored criteria and panels, read once."""

    def __init__(self, procurement: Procurement):
        lots = list(procurement.lots)
        self.lots = {lot.code.casefold(): lot for lot in lots}
        ids = [lot.id for lot in lots]
        self.bids = {(lot_id, name.casefold()): (bid_id, bidder_id, name)
                     for bid_id, lot_id, bidder_id, name in db.session.execute(
                         select(Bid.id, Bid.lot_id, Bid.bidder_id, Bidder.name)
                         .join(Bidder, Bid.bidder_id == Bidder.id).where(Bid.lot_id.in_(ids)))}
        self.criteria = {(c.lot_id, c.code.casefold()): c for c in db.session.execute(
            select(Criterion).where(Criterion.lot_id.in_(ids))).scalars()}
        self.members = {(m.lot_id, m.name.casefold()): m for m in db.session.execute(
            select(PanelMember).where(PanelMember.lot_id.in_(ids))).scalars()}
        member_ids = [m.id for m in self.members.values()]
        self.declared = {(m, b): c for m, b, c in db.session.execute(
            select(ConflictDeclaration.member_id, ConflictDeclaration.bidder_id,
                   ConflictDeclaration.conflicted)
            .where(ConflictDeclaration.member_id.in_(member_ids)))} if member_ids else {}

    def place(self, sheet: str, number: int, cells: dict, errors: list):
        """(lot, (bid id, bidder id, name), criterion) for a row, or None with errors added."""
        code = text(cells.get("lot"))
        lot = self.lots.get(code.casefold())
        if lot is None:
            errors.append(WorkbookError(sheet, number, "lot",
                                        f"Enter a lot of this procurement (got {code!r})"))
            return None
        if lot.results_final_at is not None:
            errors.append(WorkbookError(sheet, number, "lot",
                                        f"Lot {lot.code}'s results are final: nothing can change"))
            return None
        name = text(cells.get("bidder"))
        bid = self.bids.get((lot.id, name.casefold()))
        if bid is None:
            errors.append(WorkbookError(sheet, number, "bidder",
                                        f"Enter a bidder with a bid for lot {lot.code} (got {name!r})"))
        crit_code = text(cells.get("criterion"))
        criterion = self.criteria.get((lot.id, crit_code.casefold()))
        if criterion is None or criterion.kind != "scored":
            errors.append(WorkbookError(sheet, number, "criterion",
                                        f"Enter a scored criterion of lot {lot.code} (got {crit_code!r})"))
            criterion = None
        if bid is None or criterion is None:
            return None
        return lot, bid, criterion


def _score(cells: dict, criterion: Criterion, sheet: str, number: int, errors: list):
    try:
        value = score_number(cells.get("score"), "the score")
    except CellError as e:
        errors.append(WorkbookError(sheet, number, "score", str(e)))
        return None
    if value < 0 or value > criterion.max_score:
        errors.append(WorkbookError(sheet, number, "score",
                                    f"Enter a score from 0 to {criterion.max_score.normalize():f} "
                                    f"for {criterion.code} (got {value})"))
        return None
    return value


def apply_upload(procurement: Procurement, stream, moderator_id: int | None = None
                 ) -> tuple[dict, list[WorkbookError]]:
    """Write every row or none: ({"scores": n, "consensus": n}, []) or ({}, errors).

    On errors the caller rolls back (rows may have been flushed while checking consensus)."""
    sheets, errors = _sheets(stream)
    if errors:
        return {}, errors
    look = _Lookup(procurement)
    ref = procurement.reference
    counts = {"scores": 0, "consensus": 0}
    touched: dict[int, Lot] = {}
    seen = set()
    planned_scores = []
    for number, cells in sheets.get("scores", []):
        placed = look.place("Scores", number, cells, errors)
        evaluator = text(cells.get("evaluator"))
        if placed is None:
            continue
        lot, (bid_id, bidder_id, bidder), criterion = placed
        member = look.members.get((lot.id, evaluator.casefold()))
        if member is None:
            errors.append(WorkbookError("Scores", number, "evaluator",
                                        f"Enter a member of lot {lot.code}'s panel (got {evaluator!r})"))
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
        value = _score(cells, criterion, "Scores", number, errors)
        if value is None:
            continue
        key = (member.id, bid_id, criterion.id)
        if key in seen:
            errors.append(WorkbookError("Scores", number, None, "Duplicate row: this evaluator, "
                                        "bid and criterion already have a score above"))
            continue
        seen.add(key)
        planned_scores.append((number, lot, member, bid_id, bidder, criterion, value,
                               text(cells.get("comment"))))
    planned_consensus = []
    seen_c = set()
    for number, cells in sheets.get("consensus", []):
        placed = look.place("Consensus", number, cells, errors)
        if placed is None:
            continue
        lot, (bid_id, _, bidder), criterion = placed
        value = _score(cells, criterion, "Consensus", number, errors)
        rationale = text(cells.get("rationale"))
        if value is None:
            continue
        if (bid_id, criterion.id) in seen_c:
            errors.append(WorkbookError("Consensus", number, None, "Duplicate row: this bid and "
                                        "criterion already have a consensus score above"))
            continue
        seen_c.add((bid_id, criterion.id))
        planned_consensus.append((number, lot, bid_id, bidder, criterion, value, rationale))
    if errors:
        return {}, errors[:MAX_ERRORS]

    existing = {(s.member_id, s.bid_id, s.criterion_id): s for s in db.session.execute(
        select(Score).join(Bid, Score.bid_id == Bid.id)
        .where(Bid.lot_id.in_([lot.id for lot in look.lots.values()]))).scalars()}
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
    if errors:
        return {}, errors[:MAX_ERRORS]
    db.session.flush()

    refusals: dict[int, str | None] = {}
    current = {(c.bid_id, c.criterion_id): c for c in db.session.execute(
        select(Consensus).join(Bid, Consensus.bid_id == Bid.id)
        .where(Bid.lot_id.in_([lot.id for lot in look.lots.values()]))).scalars()}
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
    return counts, []

