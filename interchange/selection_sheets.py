"""The export's extra sheets: the SQ marks and the financial assessments behind the `Bids`
sheet's `selection`, `delphi_score` and `financial` columns (README "Tender workbook").

The contract's importer ignores sheets it does not know, so these are read by people (and
other tools), never imported back: the columns remain what an import sets."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from procurement.models import Bidder, Procurement
from procurement.selection.models import FinancialAssessment, SqAnswerSet, SqMark

SQ_MARKS = ("bidder", "party", "lot", "question", "outcome", "reason", "marker", "marked_at",
            "confirmed_by", "confirmed_at")
FINANCIAL = ("bidder", "delphi_score", "delphi_date", "delphi_source", "band", "minimum",
             "turnover_multiple", "outcome", "mitigation", "justification", "reviewer",
             "reviewed_at", "year_end", "turnover", "profit_before_tax", "net_assets",
             "current_assets", "current_liabilities", "audited")


def _iso(value):
    return value.isoformat(sep=" ", timespec="seconds") if hasattr(value, "hour") else \
        (value.isoformat() if value is not None else None)


def _amount(value):
    return None if value is None else str(value)


def selection_sheets(p: Procurement) -> list[tuple[str, tuple, list[list]]]:
    marks = db.session.execute(
        select(SqMark).join(SqAnswerSet, SqMark.answer_set_id == SqAnswerSet.id)
        .join(Bidder, SqAnswerSet.bidder_id == Bidder.id)
        .where(Bidder.procurement_id == p.id).order_by(Bidder.name, SqMark.id)).scalars()
    mark_rows = [[m.answer_set.bidder.name, m.answer_set.party_name or None,
                  m.lot.code if m.lot else None, m.question.key, m.outcome, m.reason,
                  m.marker.name, _iso(m.marked_at),
                  m.confirmed_by.name if m.confirmed_by else None, _iso(m.confirmed_at)]
                 for m in marks]
    assessments = db.session.execute(
        select(FinancialAssessment).join(Bidder, FinancialAssessment.bidder_id == Bidder.id)
        .where(Bidder.procurement_id == p.id).order_by(Bidder.name)).scalars()
    fin_rows = []
    for a in assessments:
        head = [a.bidder.name, a.delphi_score, _iso(a.delphi_date), a.delphi_source, a.band,
                a.minimum, _amount(a.turnover_multiple), a.outcome, a.mitigation or None,
                a.justification, a.reviewer.name, _iso(a.reviewed_at)]
        for y in a.accounts or [None]:
            fin_rows.append(head + ([None] * 7 if y is None else [
                _iso(y.year_end), _amount(y.turnover), _amount(y.profit_before_tax),
                _amount(y.net_assets), _amount(y.current_assets),
                _amount(y.current_liabilities), "yes" if y.audited else "no"]))
    sheets = []
    if mark_rows:
        sheets.append(("SQ marks", SQ_MARKS, mark_rows))
    if fin_rows:
        sheets.append(("Financial assessments", FINANCIAL, fin_rows))
    return sheets
