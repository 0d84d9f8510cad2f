"""Reading and validating a tender workbook: every error found, one line each, never a traceback.

Sheets are read in the contract's order so that later sheets can be checked against earlier
ones with dict lookups (a 200,000-row Scores sheet must cost little beyond openpyxl's own
read). A key is registered even when other cells of its row are wrong, and references are
only checked against sheets that could be read, so one mistake does not cascade into
hundreds of "unknown lot" lines.
"""
from __future__ import annotations

import hashlib
import io
import os
from decimal import Decimal
from operator import itemgetter

import openpyxl

from interchange.workbook import (COLUMNS, CRITERION_TYPES, FINANCIALS, MAX_WEIGHT,
                                 REQUIRED_SHEETS, SELECTIONS, SHEETS, BidRow, CellError,
                                 ConsensusRow, CriterionRow, LotRow, ParsedTender, PartnerRow,
                                 ScoreRow, WorkbookError, choice, money, score_number, text,
                                 whole)
from interchange.workbook_checks import check_lots, check_partners, check_scores
from interchange.workbook_limits import MB, NOT_A_WORKBOOK, Limits, container_problem
from interchange.workbook_procurement import read_procurement

REQUIRED_COLUMNS = {
    "Procurement": ("field", "value"),
    "Partners": ("name", "annual_contribution"),
    "Lots": ("code", "title", "annual_value"),
    "Criteria": ("lot", "code", "section", "title", "weight", "type"),
    "Bids": ("lot", "bidder"),
    "Scores": ("lot", "bidder", "criterion", "evaluator", "score"),
    "Consensus": ("lot", "bidder", "criterion", "score"),
}
LENGTHS = {"reference": 60, "title": 300, "organisation": 200, "name": 200, "code": 20,
           "section": 100, "bidder": 200, "evaluator": 200, "criterion": 30}


class _Damaged(Exception):
    """openpyxl failed part-way through a sheet (read-only mode parses lazily)."""


def read(source, limits: Limits = Limits()) -> tuple[ParsedTender | None, list[WorkbookError]]:
    """The tender in `source` (a path or a binary file), bounded by `limits` before openpyxl
    reads it (workbook_limits): (tender, []) or (None, every error found)."""
    data, problem = _bytes(source, limits)
    if problem:
        return None, [WorkbookError("", None, None, problem)]
    name = os.path.basename(str(getattr(source, "name", source) or "The file"))
    not_a_workbook = [WorkbookError("", None, None, (
        f"{name} is not an Excel workbook (.xlsx): save it from Excel as "
        f"\"Excel Workbook (.xlsx)\" and import that file"))]
    problem = container_problem(io.BytesIO(data), limits)
    if problem == NOT_A_WORKBOOK:
        return None, not_a_workbook
    if problem:
        return None, [WorkbookError("", None, None, problem)]
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises a dozen kinds for "not a workbook"
        return None, not_a_workbook
    reader = Reader(book)
    try:
        tender = reader.read()
    except _Damaged as exc:
        reader.err(str(exc), None, None, "The sheet is damaged and cannot be read: save the "
                   "workbook again from Excel and import that file")
        tender = None
    finally:
        book.close()
    if reader.errors:
        order = {s: i for i, s in enumerate(SHEETS)}
        return None, sorted(reader.errors, key=lambda e: (order.get(e.sheet, -1), e.row or 0))
    tender.sha256 = hashlib.sha256(data).hexdigest()
    return tender, []


def too_large(size: int, limits: Limits) -> str | None:
    """The refusal of a file of `size` bytes, before a byte of it is read, or None."""
    if size > limits.max_mb * MB:
        return (f"The workbook was not read: the file is larger than the {limits.max_mb:,} "
                f"MB allowed")
    return None


def read_bounded(handle, limits: Limits) -> tuple[bytes | None, str | None]:
    """At most the allowed size from a binary file: (bytes, None) or (None, the refusal)."""
    data = handle.read(limits.max_mb * MB + 1)
    if len(data) > limits.max_mb * MB:
        return None, too_large(len(data), limits)
    return data, None


def _bytes(source, limits: Limits) -> tuple[bytes | None, str | None]:
    if hasattr(source, "read"):
        return read_bounded(source, limits)
    try:
        problem = too_large(os.path.getsize(source), limits)
        if problem:
            return None, problem
        with open(source, "rb") as handle:
            return read_bounded(handle, limits)
    except FileNotFoundError:
        return None, f"There is no file {source}"
    except OSError as exc:
        return None, f"Cannot read {source}: {exc.strerror or exc}"


def _blank(values) -> bool:
    return not any(v.strip() if type(v) is str else v is not None for v in values)


class _Sheet:
    """One sheet after its header row: yields (row number, values of the asked columns)."""

    def __init__(self, name: str, index: dict[str, int], rows):
        self.name, self.index, self.rows = name, index, rows

    def records(self, columns: tuple[str, ...]):
        spare = max(self.index.values()) + 1  # always None: stands in for absent columns
        pad = (None,) * (spare + 1)
        get = itemgetter(*[self.index.get(c, spare) for c in columns])
        for number, row in self.rows:
            if len(row) <= spare:
                row = row + pad[len(row):]
            values = get(row)
            if not _blank(values):
                yield number, values


def _rows(worksheet, name: str):
    rows = worksheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - damaged XML surfaces here, not at load
            raise _Damaged(name) from exc
        number += 1  # read-only mode yields empty tuples for gaps, so this is the row number
        yield number, row


class Reader:
    def __init__(self, book):
        self.book = book
        self.errors: list[WorkbookError] = []
        self.titles = {title.strip().lower(): title for title in book.sheetnames}

    def err(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(WorkbookError(sheet, row, column, message))

    def sheet(self, name: str) -> _Sheet | None:
        """The sheet after its header, or None (with the errors) when it cannot be used."""
        title = self.titles.get(name.lower())
        columns = ", ".join(COLUMNS[name])
        if title is None:
            if name in REQUIRED_SHEETS:
                found = ", ".join(self.book.sheetnames) or "none"
                self.err(name, None, None, f'Add a sheet named "{name}" with the columns '
                         f"{columns} (the workbook has no such sheet; its sheets: {found})")
            return None
        rows = _rows(self.book[title], name)
        for number, header in rows:  # the header is the first row that is not empty
            if not _blank(header):
                break
        else:
            if name in REQUIRED_SHEETS:
                self.err(name, None, None, f"The sheet is empty: add a header row with the "
                         f"columns {columns}, then a row for each {name.lower()} entry")
            return None
        index: dict[str, int] = {}
        for position, value in enumerate(header):
            index.setdefault(text(value).lower(), position)
        missing = [c for c in REQUIRED_COLUMNS[name] if c not in index]
        for column in missing:
            have = ", ".join(text(v) for v in header if text(v)) or "nothing"
            self.err(name, None, column, f'Add the column "{column}" to the header row '
                     f"(row {number} has: {have})")
        return None if missing else _Sheet(name, index, rows)

    def cell(self, sheet: str, row: int, column: str, convert, value, *args):
        """convert(value, *args), or None with the error recorded."""
        try:
            return convert(value, *args)
        except CellError as exc:
            self.err(sheet, row, column, str(exc))
            return None

    def name(self, sheet: str, row: int, column: str, value, what: str) -> str:
        """Required text, within the database's length."""
        result = text(value)
        if not result:
            self.err(sheet, row, column, f"Enter the {what}")
        elif len(result) > LENGTHS.get(column, 300):
            self.err(sheet, row, column, f"Shorten the {what} to at most "
                     f"{LENGTHS.get(column, 300)} characters (it has {len(result)})")
        return result

    def read(self) -> ParsedTender | None:
        tender = read_procurement(self, self.sheet("Procurement"))
        partners = self.partners(self.sheet("Partners"))
        lots = self.lots(self.sheet("Lots"))
        criteria = self.criteria(self.sheet("Criteria"), lots)
        bids = self.bids(self.sheet("Bids"), lots, criteria)
        scores = check_scores(self, self.sheet("Scores"), "Scores", lots, criteria, bids)
        consensus = check_scores(self, self.sheet("Consensus"), "Consensus", lots, criteria,
                                 bids)
        check_lots(self, lots, criteria)
        check_partners(self, partners, lots)
        if self.errors or tender is None:
            return None
        tender.partners = partners[0] if partners else []
        tender.lots = list(lots[0].values())
        tender.criteria = [c for by_code in criteria[0].values() for c in by_code.values()]
        tender.bids = list(bids[0].values())
        tender.scores = [ScoreRow(*r) for r in scores] if scores else []
        tender.consensus = [ConsensusRow(*r) for r in consensus] if consensus else []
        return tender

    # Each reader returns (rows keyed for lookups, row numbers, complete?) or None when the
    # sheet is absent or unusable; "complete" is False when some value failed, so totals
    # over the sheet are not checked (they would only repeat the error).
    def partners(self, sheet: _Sheet | None):
        if sheet is None:
            return None
        rows, complete, seen = [], True, {}
        for r, (name, amount) in sheet.records(("name", "annual_contribution")):
            name = self.name("Partners", r, "name", name, "partner's name")
            if name in seen:
                self.err("Partners", r, "name", f'Partner "{name}" is also on row '
                         f"{seen[name]}: list each partner once")
            seen.setdefault(name, r)
            value = self._amount("Partners", r, "annual_contribution", amount,
                                 "the annual contribution", positive=False)
            complete = complete and value is not None
            rows.append(PartnerRow(name, value))
        return rows, complete

    def lots(self, sheet: _Sheet | None):
        if sheet is None:
            return None
        lots: dict[str, LotRow] = {}
        where: dict[str, int] = {}
        complete = True
        for r, (code, title, value) in sheet.records(("code", "title", "annual_value")):
            code = self.name("Lots", r, "code", code, "lot code")
            title = self.name("Lots", r, "title", title, "lot title")
            value = self._amount("Lots", r, "annual_value", value, "the annual value",
                                 positive=False)
            complete = complete and value is not None
            if code in where:
                self.err("Lots", r, "code", f'Lot code "{code}" is also on row {where[code]}: '
                         "give each lot its own code")
                continue
            if code:
                where[code] = r
                lots[code] = LotRow(code, title, value)
        if not lots:
            self.err("Lots", None, "code", "Add at least one lot")
        return lots, where, complete

    def _amount(self, sheet, r, column, value, what, positive: bool):
        if value is None or text(value) == "":
            self.err(sheet, r, column, f"Enter {what}")
            return None
        amount = self.cell(sheet, r, column, money, value, what)
        if amount is not None and (amount <= 0 if positive else amount < 0):
            self.err(sheet, r, column, f"Enter {what} as an amount "
                     f"{'above' if positive else 'of at least'} £0 (got {amount})")
            return None
        return amount

    def criteria(self, sheet: _Sheet | None, lots):
        if sheet is None:
            return None
        by_lot: dict[str, dict[str, CriterionRow]] = {}
        where: dict[tuple[str, str], int] = {}
        complete: dict[str, bool] = {}
        columns = ("lot", "code", "section", "title", "weight", "type", "max_score",
                   "min_score")
        for r, values in sheet.records(columns):
            lot, code, section, title, weight, kind, max_score, min_score = values
            lot = self._lot("Criteria", r, lot, lots)
            code = self.name("Criteria", r, "code", code, "criterion code")
            section = self.name("Criteria", r, "section", section, "section")
            title = self.name("Criteria", r, "title", title, "criterion's title")
            weight = self._weight(r, weight)
            kind = self.cell("Criteria", r, "type", choice, kind, CRITERION_TYPES, "type")
            max_score, min_score = self._limits(r, kind, max_score, min_score)
            complete[lot] = complete.get(lot, True) and weight is not None
            if (lot, code) in where:
                self.err("Criteria", r, "code", f'Lot {lot} already has criterion "{code}" '
                         f"(row {where[lot, code]}): give each criterion of a lot its own code")
            elif lot and code:
                where[lot, code] = r
                by_lot.setdefault(lot, {})[code] = CriterionRow(
                    lot, code, section, title, weight, kind or "scored", max_score, min_score)
        return by_lot, where, complete

    def _lot(self, sheet: str, r: int, value, lots) -> str:
        """The lot code of a row, checked against the Lots sheet when it could be read."""
        code = text(value)
        if not code:
            self.err(sheet, r, "lot", "Enter the lot's code")
        elif lots is not None and code not in lots[0]:
            self.err(sheet, r, "lot", f'Lot "{code}" is not on the Lots sheet: use one of '
                     f"its codes ({', '.join(lots[0]) or 'none'})")
            return ""
        return code

    def _weight(self, r: int, value) -> Decimal | None:
        if value is None or text(value) == "":
            self.err("Criteria", r, "weight", "Enter the weight (the criterion's share of 100)")
            return None
        weight = self.cell("Criteria", r, "weight", score_number, value, "the weight",
                           MAX_WEIGHT)
        if weight is not None and weight < 0:
            self.err("Criteria", r, "weight", f"Enter a weight of 0 or more (got {weight})")
            return None
        return weight

    def _limits(self, r: int, kind: str | None, max_score, min_score):
        """max_score (required for scored) and min_score; both ignored for price."""
        if kind != "scored":
            return None, None
        top = low = None
        if max_score is None or text(max_score) == "":
            self.err("Criteria", r, "max_score", "Enter the max_score of this scored criterion")
        else:
            top = self.cell("Criteria", r, "max_score", score_number, max_score, "max_score")
            if top is not None and top <= 0:
                self.err("Criteria", r, "max_score", f"Enter a max_score above 0 (got {top})")
                top = None
        if min_score is not None and text(min_score) != "":
            low = self.cell("Criteria", r, "min_score", score_number, min_score, "min_score")
            if low is not None and low < 0:
                self.err("Criteria", r, "min_score", f"Enter a min_score of 0 or more "
                         f"(got {low})")
            elif low is not None and top is not None and low > top:
                self.err("Criteria", r, "min_score", f"Enter a min_score no higher than the "
                         f"max_score of {top} (got {low})")
        return top, low

    def bids(self, sheet: _Sheet | None, lots, criteria):
        if sheet is None:
            return None
        priced = {lot for lot, by_code in (criteria[0] if criteria else {}).items()
                  if any(c.kind == "price" for c in by_code.values())}
        bids: dict[tuple[str, str], BidRow] = {}
        where: dict[tuple[str, str], int] = {}
        columns = ("lot", "bidder", "price", "selection", "delphi_score", "financial")
        for r, (lot, bidder, price, selection, delphi, financial) in sheet.records(columns):
            lot = self._lot("Bids", r, lot, lots)
            bidder = self.name("Bids", r, "bidder", bidder, "bidder's name")
            price = self._price(r, lot, price, priced)
            selection = (self.cell("Bids", r, "selection", choice, selection, SELECTIONS,
                                   "selection") if text(selection) else "pass")
            delphi = self._percent("Bids", r, "delphi_score", delphi)
            financial = (self.cell("Bids", r, "financial", choice, financial, FINANCIALS,
                                   "financial") if text(financial) else None)
            if (lot, bidder) in where:
                self.err("Bids", r, "bidder", f'{bidder} already has a bid for lot {lot} '
                         f"(row {where[lot, bidder]}): one row per bid")
            elif lot and bidder:
                where[lot, bidder] = r
                bids[lot, bidder] = BidRow(lot, bidder, price, selection or "pass", delphi,
                                           financial)
        return bids, where

    def _price(self, r: int, lot: str, value, priced: set[str]) -> Decimal | None:
        if value is None or text(value) == "":
            if lot in priced:
                self.err("Bids", r, "price", f"Enter the price: lot {lot} has a price "
                         "criterion")
            return None
        return self._amount("Bids", r, "price", value, "the price", positive=True)

    def _percent(self, sheet: str, r: int, column: str, value) -> int | None:
        """An optional whole number from 0 to 100 (Delphi scores)."""
        if value is None or text(value) == "":
            return None
        result = self.cell(sheet, r, column, whole, value, column)
        if result is not None and not 0 <= result <= 100:
            self.err(sheet, r, column, f"Enter a whole number from 0 to 100 for {column} "
                     f"(got {result})")
            return None
        return result
