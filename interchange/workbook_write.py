"""Writing a tender as the contract's workbook, so that it imports back to identical results.

Write-only mode streams rows (hundreds of thousands of scores in little memory). Dates are
written as YYYY-MM-DD text, and a deadline with a time as YYYY-MM-DD HH:MM[:SS], so that no
spreadsheet's date handling can shift them; a time is UK wall-clock time, written with its
offset only in the hour that repeats when the clocks go back (so it reads back as the same
instant). Amounts are written as numbers when a float holds
them exactly, otherwise as text, which the reader accepts too.

Text that a spreadsheet would take for a formula (it begins with =, +, -, @, a tab or a
carriage return: OWASP "CSV injection") is written as a text cell that is never evaluated:
data type "s" (openpyxl would otherwise write "=…" as a formula) with the quotePrefix style
(Excel's leading apostrophe, so it stays text when the cell is edited). No character is
added to the value, so the reader reads back exactly what was written; numbers, negative
ones too, stay numbers.
"""
from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
from openpyxl.cell import WriteOnlyCell

from interchange.workbook import COLUMNS, ParsedTender
from procurement.timeline import UK, is_ambiguous

FORMULA_START = "=+-@\t\r"  # what makes a spreadsheet read text as a formula


def write(tender: ParsedTender, path) -> None:
    """Writes to a temporary file beside `path`, then renames: never a half-written file."""
    # The temporary file first: an unwritable folder fails before any sheet is streamed.
    handle, temporary = tempfile.mkstemp(suffix=".xlsx",
                                         dir=os.path.dirname(os.path.abspath(path)))
    os.close(handle)
    try:
        book = openpyxl.Workbook(write_only=True)
        extras = [(name, header, rows) for name, header, rows in tender.extra_sheets]
        for name, header, rows in [(n, COLUMNS[n], r) for n, r in _sheets(tender)] + extras:
            sheet = book.create_sheet(name)
            sheet.append(list(header))
            for row in rows:
                sheet.append([_text_cell(sheet, v) if type(v) is str and v and
                              v[0] in FORMULA_START else v for v in row])
        book.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _sheets(t: ParsedTender):
    yield "Procurement", [
        ["reference", t.reference], ["title", t.title], ["organisation", t.organisation],
        ["regime", t.regime], ["relates_to", ", ".join(t.relates_to)],
        ["initial_term_years", t.initial_term_years],
        ["extension_years", ",".join(str(y) for y in t.extension_years)],
        ["itt_published", _day(t.itt_published)],
        ["tender_deadline", _day(t.tender_deadline)],
        ["contract_start", _day(t.contract_start)],
        ["min_delphi", t.min_delphi],
        ["pin_published", _day(t.pin_published)],
        ["clarification_deadline", _day(t.clarification_deadline)],
        ["electronic_submission", "yes" if t.electronic_submission else "no"],
        ["award_notice_published", _day(t.award_notice_published)]]
    yield "Partners", ([p.name, _number(p.annual_contribution)] for p in t.partners)
    yield "Lots", ([lot.code, lot.title, _number(lot.annual_value)] for lot in t.lots)
    yield "Criteria", ([c.lot, c.code, c.section, c.title, _number(c.weight), c.kind,
                        _number(c.max_score), _number(c.min_score)] for c in t.criteria)
    yield "Bids", ([b.lot, b.bidder, _number(b.price), b.selection, b.delphi_score,
                    b.financial] for b in t.bids)
    yield "Scores", ([s.lot, s.bidder, s.criterion, s.evaluator, _number(s.score), s.comment]
                     for s in t.scores)
    yield "Consensus", ([c.lot, c.bidder, c.criterion, _number(c.score), c.rationale]
                        for c in t.consensus)


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """`value` as a text cell no spreadsheet evaluates."""
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # openpyxl made "=…" a formula
    cell.quotePrefix = True
    return cell


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        written = value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
        if is_ambiguous(value):  # 01:30 happens twice that night: say which
            written += value.replace(tzinfo=UK).strftime("%z")[:3] + ":00"
        return written
    return value.isoformat()


def _number(value: Decimal | int | None):
    """An int, a float that reads back as exactly `value`, or else exact text."""
    if value is None or isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(str(as_float)) == value else format(value, "f")
