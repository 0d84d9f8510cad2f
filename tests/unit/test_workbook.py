"""Reading, validating and writing the tender workbook (../shared/spec/tender-workbook.md).

Each test builds a small workbook in tmp_path from a valid one with one thing wrong, and
checks the message names the sheet, row and column.
"""
from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from interchange.workbook import REGIMES, RELATES_TO, WorkbookError
from interchange.workbook_file import read_workbook, write_workbook

HEADERS = {
    "Criteria": ["lot", "code", "section", "title", "weight", "type", "max_score", "min_score"],
    "Bids": ["lot", "bidder", "price", "selection", "delphi_score", "financial"],
    "Scores": ["lot", "bidder", "criterion", "evaluator", "score", "comment"],
    "Consensus": ["lot", "bidder", "criterion", "score", "rationale"],
}
VALID = {
    "Procurement": [["field", "value"], ["reference", "T-1"], ["title", "Test tender"],
                    ["organisation", "Test Office"], ["regime", "PCR2015-LTR"],
                    ["relates_to", "Policing, Crime"], ["initial_term_years", 3],
                    ["extension_years", "1,1"], ["itt_published", "2023-02-01"],
                    ["tender_deadline", "2023-03-28 12:00"], ["contract_start", "2023-10-01"],
                    ["min_delphi", 40]],
    "Partners": [["name", "annual_contribution"], ["Office", 1859195.76], ["Council", 500]],
    "Lots": [["code", "title", "annual_value"], ["A", "Lot A", 1859000.76], ["B", "Lot B", 695]],
    "Criteria": [HEADERS["Criteria"],
                 ["A", "Q1", "Quality", "Delivery", 60, "scored", 5, 2],
                 ["A", "P1", "Price", "Price", 40, "price", None, None],
                 ["B", "Q1", "Quality", "Delivery", 100, "scored", 10, None]],
    "Bids": [HEADERS["Bids"],
             ["A", "Acme", 100, "pass", 70, "pass"],
             ["A", "Beta", 120.5, "pass", 60, None],
             ["B", "Acme", None, None, None, None]],
    "Scores": [HEADERS["Scores"],
               ["A", "Acme", "Q1", "Eve", 4, "Good"],
               ["A", "Acme", "Q1", "Sam", 5, None],
               ["A", "Beta", "Q1", "Eve", 3, "Fair"],
               ["B", "Acme", "Q1", "Eve", 8, None]],
    "Consensus": [HEADERS["Consensus"], ["A", "Acme", "Q1", 4.5, "Agreed"]],
}


def sheets() -> dict:
    return copy.deepcopy(VALID)


def put(book: dict, sheet: str, row: int, column: str, value) -> None:
    """Sets a cell by spreadsheet row number and header name."""
    book[sheet][row - 1][book[sheet][0].index(column)] = value


def save(tmp_path, book: dict, name: str = "tender.xlsx"):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in book.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def errors(tmp_path, book: dict) -> list[str]:
    tender, found = read_workbook(save(tmp_path, book))
    assert tender is None and found
    return [str(e) for e in found]


def only(tmp_path, book: dict, where: str, *words: str) -> str:
    """The single error; it starts with `where` ("Sheet, row N, column c") and has `words`."""
    found = errors(tmp_path, book)
    assert len(found) == 1, found
    assert found[0].startswith(where + ":"), found[0]
    for word in words:
        assert word in found[0], found[0]
    return found[0]


# --- a valid workbook ------------------------------------------------------------------
def test_valid_workbook_reads_every_sheet_exactly(tmp_path):
    tender, found = read_workbook(save(tmp_path, sheets()))
    assert found == []
    assert tender.reference == "T-1" and tender.regime == "PCR2015-LTR"
    assert tender.relates_to == ["Policing", "Crime"] and tender.extension_years == [1, 1]
    assert tender.itt_published == date(2023, 2, 1)
    assert tender.tender_deadline == datetime(2023, 3, 28, 12, 0)
    assert tender.min_delphi == 40 and tender.initial_term_years == 3
    assert tender.partners[0].annual_contribution == Decimal("1859195.76")  # a float cell
    assert tender.lots[0].annual_value == Decimal("1859000.76")
    assert tender.bids[1].price == Decimal("120.5")
    assert tender.bids[2].selection == "pass" and tender.bids[2].financial is None
    assert [c.kind for c in tender.criteria] == ["scored", "price", "scored"]
    assert tender.criteria[1].max_score is None
    assert len(tender.scores) == 4 and tender.scores[1].comment == ""
    assert tender.consensus[0].score == Decimal("4.5")
    assert len(tender.sha256) == 64


def test_optional_sheets_may_be_absent(tmp_path):
    book = sheets()
    for name in ("Partners", "Scores", "Consensus"):
        del book[name]
    tender, found = read_workbook(save(tmp_path, book))
    assert found == [] and tender.partners == [] and tender.scores == []


def test_names_case_spaces_extra_columns_sheets_and_empty_rows(tmp_path):
    book = sheets()
    book["  criteria "] = book.pop("Criteria")
    book["  criteria "][0] = [" LOT", "Code ", "SECTION", "Title", "Weight", "TYPE",
                              "Max_Score", "min_score"]
    book["Bids"] = [HEADERS["Bids"] + ["notes"], [None] * 7,
                    *[row + ["x"] for row in VALID["Bids"][1:]]]
    book["Read me"] = [["anything"]]
    book["Scores"].insert(2, [None, "  ", None, None, None, None])
    tender, found = read_workbook(save(tmp_path, book))
    assert found == []
    assert len(tender.bids) == 3 and len(tender.scores) == 4
    put(book, "Bids", 3, "price", "cheap")  # row numbers count the empty row
    assert errors(tmp_path, book)[0].startswith("Bids, row 3, column price:")


def test_excel_date_cells(tmp_path):
    book = sheets()
    put(book, "Procurement", 10, "value", datetime(2023, 3, 28, 9, 30))
    put(book, "Procurement", 9, "value", datetime(2023, 2, 1))
    tender, found = read_workbook(save(tmp_path, book))
    assert found == []
    assert tender.itt_published == date(2023, 2, 1)
    assert tender.tender_deadline == datetime(2023, 3, 28, 9, 30)


# --- the file and its shape --------------------------------------------------------------
def test_not_a_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a spreadsheet")
    tender, found = read_workbook(path)
    assert tender is None and len(found) == 1
    assert str(found[0]).startswith("notes.xlsx is not an Excel workbook (.xlsx)")


def test_missing_file(tmp_path):
    tender, found = read_workbook(tmp_path / "absent.xlsx")
    assert tender is None and "There is no file" in str(found[0])


def test_missing_required_sheet(tmp_path):
    book = sheets()
    del book["Bids"]
    only(tmp_path, book, "Bids", 'Add a sheet named "Bids"')


def test_missing_required_column(tmp_path):
    book = sheets()
    for row in book["Criteria"]:
        del row[4]
    only(tmp_path, book, "Criteria, column weight", 'Add the column "weight"')


def test_at_least_one_lot(tmp_path):
    book = sheets()
    book["Lots"] = book["Lots"][:1]
    found = errors(tmp_path, book)
    assert "Lots, column code: Add at least one lot" in found


# --- Procurement sheet ---------------------------------------------------------------------
def test_required_field_missing(tmp_path):
    book = sheets()
    del book["Procurement"][2]
    only(tmp_path, book, "Procurement, column field", 'Enter the title (field "title" is '
                                                      "required")


def test_required_field_blank(tmp_path):
    book = sheets()
    put(book, "Procurement", 3, "value", "  ")
    assert only(tmp_path, book, "Procurement, row 3, column value") == \
        'Procurement, row 3, column value: Enter the title (field "title" is required)'


def test_unknown_regime_lists_the_values_allowed(tmp_path):
    book = sheets()
    put(book, "Procurement", 5, "value", "OJEU")
    only(tmp_path, book, "Procurement, row 5, column value", "PCR2015-LTR", "PA2023-CFP",
         "'OJEU'")


def test_relates_to_outside_the_list(tmp_path):
    book = sheets()
    put(book, "Procurement", 6, "value", "Policing, Ambulance")
    only(tmp_path, book, "Procurement, row 6, column value", "Fire & Rescue", "'Ambulance'")


@pytest.mark.parametrize("row,value,words", [
    (7, 0, ("initial_term_years of at least 1",)),
    (7, 2.5, ("whole number", "initial_term_years")),
    (8, "1,1.5", ("extension_years as whole numbers",)),
    (12, 101, ("from 0 to 100 for min_delphi",)),
    (12, -1, ("from 0 to 100 for min_delphi",)),
])
def test_procurement_numbers(tmp_path, row, value, words):
    book = sheets()
    put(book, "Procurement", row, "value", value)
    only(tmp_path, book, f"Procurement, row {row}, column value", *words)


@pytest.mark.parametrize("row,value", [(9, "01/02/2023"), (9, "2023-02-30"),
                                       (11, "2023-10-01 09:00"), (10, "soon")])
def test_bad_dates(tmp_path, row, value):
    book = sheets()
    put(book, "Procurement", row, "value", value)
    only(tmp_path, book, f"Procurement, row {row}, column value", "YYYY-MM-DD")


# --- Partners and Lots ---------------------------------------------------------------------
def test_partners_not_adding_up_say_by_how_much(tmp_path):
    book = sheets()
    put(book, "Partners", 3, "annual_contribution", 499.99)
    only(tmp_path, book, "Partners, column annual_contribution", "£0.01 less",
         "£1,859,695.76")


def test_duplicate_lot_code(tmp_path):
    book = sheets()
    book["Lots"].append(["A", "Again", 0])
    only(tmp_path, book, "Lots, row 4, column code", 'Lot code "A" is also on row 2')


def test_lot_with_no_criteria(tmp_path):
    book = sheets()
    book["Lots"].append(["C", "Lot C", 0])
    only(tmp_path, book, "Lots, row 4, column code", "Lot C has no criteria")


def test_money_with_fractions_of_a_penny(tmp_path):
    book = sheets()
    put(book, "Lots", 3, "annual_value", 694.995)
    assert "Lots, row 3, column annual_value: Enter the annual value in pounds and pence" \
        in errors(tmp_path, book)[0]


# --- Criteria ------------------------------------------------------------------------------
def test_weight_must_be_a_number(tmp_path):
    book = sheets()
    put(book, "Criteria", 2, "weight", "sixty")
    only(tmp_path, book, "Criteria, row 2, column weight", "Enter a number", "'sixty'")


def test_weights_not_adding_to_100_name_lot_total_and_gap(tmp_path):
    book = sheets()
    put(book, "Criteria", 2, "weight", 59)
    assert only(tmp_path, book, "Criteria, column weight") == (
        "Criteria, column weight: The weights of lot A add up to 99, which is 1 short of "
        "100: make them add up to 100")


def test_weights_within_a_thousandth_are_accepted(tmp_path):
    book = sheets()
    put(book, "Criteria", 2, "weight", 60.0005)
    assert read_workbook(save(tmp_path, book))[1] == []


def test_unknown_type(tmp_path):
    book = sheets()
    put(book, "Criteria", 3, "type", "formula")
    only(tmp_path, book, "Criteria, row 3, column type", "scored or price", "'formula'")


def test_duplicate_criterion_code_within_a_lot(tmp_path):
    book = sheets()
    book["Criteria"].append(["A", "Q1", "Quality", "Again", 0, "scored", 5, None])
    only(tmp_path, book, "Criteria, row 5, column code", 'Lot A already has criterion "Q1"')


def test_criterion_for_unknown_lot(tmp_path):
    book = sheets()
    book["Criteria"].append(["Z", "Q9", "Quality", "Orphan", 0, "scored", 5, None])
    only(tmp_path, book, "Criteria, row 5, column lot", 'Lot "Z" is not on the Lots sheet')


def test_max_score_missing_for_scored(tmp_path):
    book = sheets()
    put(book, "Criteria", 4, "max_score", None)
    found = errors(tmp_path, book)
    assert found[0].startswith("Criteria, row 4, column max_score: Enter the max_score")


def test_min_score_above_max_score(tmp_path):
    book = sheets()
    put(book, "Criteria", 2, "min_score", 6)
    only(tmp_path, book, "Criteria, row 2, column min_score", "no higher than the max_score")


# --- Bids ------------------------------------------------------------------------------------
def test_bid_for_unknown_lot(tmp_path):
    book = sheets()
    book["Bids"].append(["Z", "Gamma", 100, "pass", None, None])
    only(tmp_path, book, "Bids, row 5, column lot", 'Lot "Z" is not on the Lots sheet')


def test_duplicate_bid(tmp_path):
    book = sheets()
    book["Bids"].append(["A", "Acme", 90, "pass", None, None])
    only(tmp_path, book, "Bids, row 5, column bidder", "Acme already has a bid for lot A")


def test_price_missing_where_the_lot_has_a_price_criterion(tmp_path):
    book = sheets()
    put(book, "Bids", 2, "price", None)
    only(tmp_path, book, "Bids, row 2, column price", "lot A has a price criterion")


@pytest.mark.parametrize("price", [0, -5])
def test_price_not_positive(tmp_path, price):
    book = sheets()
    put(book, "Bids", 2, "price", price)
    only(tmp_path, book, "Bids, row 2, column price", "above £0")


@pytest.mark.parametrize("column,value,words", [
    ("selection", "maybe", ("pass or fail",)),
    ("financial", "ok", ("pass, fail or mitigated",)),
    ("delphi_score", 101, ("from 0 to 100",)),
    ("delphi_score", 55.5, ("whole number",)),
])
def test_bid_values(tmp_path, column, value, words):
    book = sheets()
    put(book, "Bids", 3, column, value)
    only(tmp_path, book, f"Bids, row 3, column {column}", *words)


# --- Scores and Consensus --------------------------------------------------------------------
def test_duplicate_score(tmp_path):
    book = sheets()
    book["Scores"].append(["A", "Acme", "Q1", "Eve", 2, None])
    only(tmp_path, book, "Scores, row 6, column evaluator", "row 2 already has Eve's score")


def test_duplicate_consensus(tmp_path):
    book = sheets()
    book["Consensus"].append(["A", "Acme", "Q1", 4, None])
    only(tmp_path, book, "Consensus, row 3, column criterion", "row 2 already has")


@pytest.mark.parametrize("sheet,row", [("Scores", ["A", "Nobody", "Q1", "Eve", 3, None]),
                                       ("Consensus", ["A", "Nobody", "Q1", 3, None])])
def test_bidder_without_a_bid_for_the_lot(tmp_path, sheet, row):
    book = sheets()
    book[sheet].append(row)
    only(tmp_path, book, f"{sheet}, row {len(book[sheet])}, column bidder",
         "Nobody has no bid for lot A")


def test_unknown_criterion(tmp_path):
    book = sheets()
    book["Scores"].append(["B", "Acme", "P1", "Eve", 3, None])
    only(tmp_path, book, "Scores, row 6, column criterion", 'Lot B has no criterion "P1"')


def test_score_for_unknown_lot(tmp_path):
    book = sheets()
    book["Scores"].append(["Z", "Acme", "Q1", "Eve", 3, None])
    only(tmp_path, book, "Scores, row 6, column lot", 'Lot "Z" is not on the Lots sheet')


@pytest.mark.parametrize("sheet", ["Scores", "Consensus"])
def test_scores_for_a_price_criterion(tmp_path, sheet):
    book = sheets()
    book[sheet].append(["A", "Acme", "P1", "Eve", 3, None] if sheet == "Scores"
                       else ["A", "Acme", "P1", 3, None])
    only(tmp_path, book, f"{sheet}, row {len(book[sheet])}, column criterion",
         "price criterion")


@pytest.mark.parametrize("sheet,row,value", [("Scores", 2, 6), ("Scores", 3, -1),
                                             ("Consensus", 2, 5.5), ("Scores", 5, "ten")])
def test_scores_outside_0_to_max(tmp_path, sheet, row, value):
    book = sheets()
    put(book, sheet, row, "score", value)
    only(tmp_path, book, f"{sheet}, row {row}, column score")


def test_score_above_max_names_the_limit(tmp_path):
    book = sheets()
    put(book, "Consensus", 2, "score", 7)
    assert only(tmp_path, book, "Consensus, row 2, column score") == (
        "Consensus, row 2, column score: Enter a score from 0 to 5, the max_score of Q1 "
        "(got 7)")


# --- every error, one line each --------------------------------------------------------------
def test_reports_every_error(tmp_path):
    book = sheets()
    put(book, "Procurement", 5, "value", "OJEU")
    put(book, "Criteria", 2, "weight", 50)
    book["Bids"].append(["Z", "Gamma", 100, "pass", None, None])
    put(book, "Scores", 2, "score", 9)
    put(book, "Consensus", 2, "score", "high")
    found = errors(tmp_path, book)
    assert [e.split(":")[0] for e in found] == [
        "Procurement, row 5, column value", "Criteria, column weight",
        "Bids, row 5, column lot", "Scores, row 2, column score",
        "Consensus, row 2, column score"]


def test_error_is_one_line():
    error = WorkbookError("Criteria", 5, "weight", "Enter a number\nfor the weight")
    assert str(error) == "Criteria, row 5, column weight: Enter a number for the weight"
    assert str(WorkbookError("Bids", None, None, "Add it")) == "Bids: Add it"


def test_contract_values_match_the_models():
    from procurement import models

    assert REGIMES == tuple(models.REGIMES) and RELATES_TO == models.RELATES_TO


# --- writing -------------------------------------------------------------------------------
def test_write_reads_back_identical(tmp_path):
    tender, _ = read_workbook(save(tmp_path, sheets()))
    tender.partners[0].annual_contribution = Decimal("12345678901234.57")  # beyond a float
    tender.lots[0].annual_value = Decimal("12345678901039.57")  # partners still add up
    write_workbook(tender, tmp_path / "out.xlsx")
    again, found = read_workbook(tmp_path / "out.xlsx")
    assert found == []
    again.sha256 = tender.sha256
    assert again == tender
    assert again.tender_deadline == datetime(2023, 3, 28, 12, 0)
