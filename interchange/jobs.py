"""The workbook's long work as background jobs (procurement.jobs): a large upload of scores,
and the export of a large procurement. Each runs in one transaction with its outcome."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from evaluation.models import Score
from extensions import db
from interchange import uploads
from procurement.jobs import JobFailed, handler
from procurement.models import Bid, Lot, Procurement

UPLOAD, EXPORT = "workbook_upload", "workbook_export"


@handler(UPLOAD)
def upload(job, progress) -> dict:
    procurement = db.session.get(Procurement, job.procurement_id)
    counts, errors = uploads.apply_upload(procurement, io.BytesIO(job.payload or b""),
                                          job.params.get("moderator_id"), progress=progress)
    if errors:
        raise JobFailed([{"sheet": e.sheet, "row": e.row, "column": e.column,
                          "message": e.message} for e in errors])
    return counts


@handler(EXPORT)
def export(job, progress) -> dict:
    procurement = db.session.get(Procurement, job.procurement_id)
    rows = score_rows(procurement)
    progress(read=rows, checked=rows)
    data = uploads.workbook_bytes(procurement)
    job.output = data
    progress(written=rows)
    return {"bytes": len(data), "scores": rows}


def score_rows(procurement: Procurement) -> int:
    return db.session.scalar(select(func.count(Score.id)).join(Bid, Score.bid_id == Bid.id)
                             .join(Lot, Bid.lot_id == Lot.id)
                             .where(Lot.procurement_id == procurement.id)) or 0
