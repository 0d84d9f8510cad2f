"""The Procurement sheet's optional date fields (tender-workbook.md): pin_published,
clarification_deadline, electronic_submission, award_notice_published, and tender_deadline as
a date or a date-time in UK time; each bad cell named by sheet, row and column; a round trip
through the writer reads back the same."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from interchange.workbook_file import read_workbook, write_workbook
from tests.unit.test_workbook import errors, only, save, sheets

OPTIONAL_ROWS = [["pin_published", "2022-11-01"], ["clarification_deadline", "2023-03-20 17:00"],
                 ["electronic_submission", "no"], ["award_notice_published", "2023-08-01"]]


def book_with(*rows):
    book = sheets()
    book["Procurement"].extend([list(r) for r in rows])
    return book


def row_of(book, field: str) -> int:
    return next(i for i, r in enumerate(book["Procurement"], start=1) if r[0] == field)


def test_the_optional_fields_are_read(tmp_path):
    tender, found = read_workbook(save(tmp_path, book_with(*OPTIONAL_ROWS)))
    assert found == []
    assert tender.pin_published == date(2022, 11, 1)
    assert tender.clarification_deadline == datetime(2023, 3, 20, 17, 0)
    assert tender.electronic_submission is False
    assert tender.award_notice_published == date(2023, 8, 1)


def test_absent_they_default_and_electronic_submission_is_yes(tmp_path):
    tender, found = read_workbook(save(tmp_path, sheets()))
    assert found == []
    assert tender.pin_published is None and tender.clarification_deadline is None
    assert tender.award_notice_published is None and tender.electronic_submission is True


@pytest.mark.parametrize("value, expected", [("YES", True), (" No ", False), (True, True),
                                             (False, False)])
def test_electronic_submission_yes_no_any_case_or_a_boolean_cell(tmp_path, value, expected):
    tender, found = read_workbook(save(tmp_path, book_with(["electronic_submission", value])))
    assert found == [] and tender.electronic_submission is expected


@pytest.mark.parametrize("field, value, words", [
    ("electronic_submission", "maybe", ("yes or no", "electronic_submission", "'maybe'")),
    ("pin_published", "2022-13-01", ("pin_published", "YYYY-MM-DD")),
    ("pin_published", "2022-11-01 09:00", ("pin_published", "YYYY-MM-DD")),
    ("award_notice_published", "soon", ("award_notice_published", "YYYY-MM-DD")),
    ("clarification_deadline", "2023-02-30 12:00", ("clarification_deadline",
                                                    "YYYY-MM-DD HH:MM")),
])
def test_a_bad_cell_is_named_by_sheet_row_and_column(tmp_path, field, value, words):
    book = book_with([field, value])
    only(tmp_path, book, f"Procurement, row {row_of(book, field)}, column value", *words)


def test_a_time_the_clocks_skip_is_refused(tmp_path):
    book = sheets()
    row = row_of(book, "tender_deadline")
    book["Procurement"][row - 1][1] = "2025-03-30 01:30"
    message = only(tmp_path, book, f"Procurement, row {row}, column value", "tender_deadline",
                   "UK time", "01:30")
    assert "clocks go forward" in message
    book["Procurement"][row - 1][1] = datetime(2025, 3, 30, 1, 15)  # an Excel cell too
    assert "clocks go forward" in errors(tmp_path, book)[0]


def test_a_time_with_a_zone_becomes_uk_time(tmp_path):
    book = sheets()
    row = row_of(book, "tender_deadline")
    book["Procurement"][row - 1][1] = "2025-07-01T11:00:00+00:00"  # noon BST
    tender, found = read_workbook(save(tmp_path, book))
    assert found == [] and tender.tender_deadline == datetime(2025, 7, 1, 12, 0)
    book["Procurement"][row - 1][1] = "2025-10-26T01:30:00Z"  # the second 01:30 (GMT)
    tender, found = read_workbook(save(tmp_path, book))
    assert tender.tender_deadline == datetime(2025, 10, 26, 1, 30)
    assert tender.tender_deadline.fold == 1


def test_the_round_trip_keeps_every_date_field(tmp_path):
    tender, found = read_workbook(save(tmp_path, book_with(*OPTIONAL_ROWS)))
    assert found == []
    write_workbook(tender, tmp_path / "out.xlsx")
    again, found = read_workbook(tmp_path / "out.xlsx")
    assert found == []
    again.sha256 = tender.sha256
    assert again == tender


def test_the_round_trip_keeps_the_second_of_a_repeated_hour(tmp_path):
    tender, _ = read_workbook(save(tmp_path, sheets()))
    tender.tender_deadline = datetime(2025, 10, 26, 1, 30, fold=1)
    tender.clarification_deadline = datetime(2025, 10, 26, 1, 45)  # the first (BST)
    write_workbook(tender, tmp_path / "out.xlsx")
    again, found = read_workbook(tmp_path / "out.xlsx")
    assert found == []
    assert again.tender_deadline == tender.tender_deadline and again.tender_deadline.fold == 1
    assert again.clarification_deadline.fold == 0
