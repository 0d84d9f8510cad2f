"""Hostile workbooks are refused before openpyxl reads them (interchange/workbook_limits.py).

Each test builds a small .xlsx by hand (the parts Excel writes: one sheet, shared strings)
with one thing hostile, and checks the refusal names the limit; the valid workbooks of the
project, and edge cases just inside each limit, pass.
"""
from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

import pytest

from bench import HOSTILE_PARTS, hostile_workbook
from interchange.workbook_file import read_workbook, write_workbook
from interchange.workbook_limits import (CHUNK, NOT_A_WORKBOOK, Limits, container_problem,
                                         limits_from_config)

DATA = Path(__file__).resolve().parents[1] / "data"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>lot</t></is></c></row>'


def _sheet(rows: str = HEADER, head: str = "", prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}worksheet {ns}>{head}<{p}sheetData>'
            f"{rows}</{p}sheetData></{p}worksheet>").encode()


def _xlsx(sheet: bytes | None = None, strings: bytes | None = None, **extra: bytes) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in HOSTILE_PARTS.items():
            z.writestr(name, content)
        z.writestr("xl/worksheets/sheet1.xml", sheet if sheet is not None else _sheet())
        z.writestr("xl/sharedStrings.xml", strings if strings is not None else
                   f'<sst xmlns="{MAIN}"><si><t>lot</t></si></sst>'.encode())
        for name, content in extra.items():
            z.writestr(name.replace("__", "/"), content)
    out.seek(0)
    return out


def _refusal(handle, limits: Limits = Limits()) -> str:
    problem = container_problem(handle, limits)
    assert problem and problem != NOT_A_WORKBOOK, problem
    assert problem.startswith("The workbook was not read: ") and "\n" not in problem
    return problem


def _rows(n: int, start: int = 2) -> str:
    return "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                   for r in range(start, start + n))


# --- what passes ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["staffordshire-da-2023.xlsx", "bad/weights-99.xlsx"])
def test_the_projects_workbooks_pass(name):
    with open(DATA / name, "rb") as handle:
        assert container_problem(handle) is None


def test_a_workbook_tender_export_writes_passes(tmp_path):
    tender, errors = read_workbook(DATA / "staffordshire-da-2023.xlsx")
    assert errors == []
    write_workbook(tender, tmp_path / "out.xlsx")
    with open(tmp_path / "out.xlsx", "rb") as handle:
        assert container_problem(handle) is None


def test_the_minimal_hand_built_workbook_passes_and_openpyxl_reads_it():
    import openpyxl

    handle = _xlsx(_sheet(HEADER + _rows(3)))
    assert container_problem(handle) is None
    assert handle.tell() == 0  # left where it was, for openpyxl
    book = openpyxl.load_workbook(handle, read_only=True)
    assert [r[0] for r in book["Scores"].iter_rows(values_only=True)] == ["lot", 2, 3, 4]


def test_a_full_cell_of_32767_characters_passes_even_as_entities_and_multibyte():
    for char in ("&amp;", "€", "a"):
        sheet = _sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{char * 32767}'
                       f"</t></is></c></row>")
        assert container_problem(_xlsx(sheet)) is None, char


def test_not_a_zip_is_left_to_the_callers_message():
    assert container_problem(io.BytesIO(b"lot,bidder\n")) == NOT_A_WORKBOOK
    assert container_problem(io.BytesIO(b"")) == NOT_A_WORKBOOK


# --- the container -------------------------------------------------------------------------
def test_a_file_larger_than_allowed():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("xl/media/image1.png", os.urandom(CHUNK + 100))
    assert "larger than the 1 MB allowed" in _refusal(out, Limits(max_mb=1))


def test_too_many_parts_counted_from_the_end_record_before_zipfile_reads_them():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in range(1001):
            z.writestr(f"xl/media/p{n}.bin", b"")
    assert "it has 1,001 parts inside; a workbook may have at most 1,000" in _refusal(out)


def test_too_many_parts_in_zip64():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in range(70_000):  # more than a classic end record can count
            z.writestr(f"p{n}", b"")
    assert "it has 70,000 parts inside" in _refusal(out, Limits(max_parts=65_000))


def test_declared_unpacked_size_over_the_limit_is_refused_unread():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/image1.png", b"\0" * (2 * CHUNK))
    assert "unpacks to more than 1 MB" in _refusal(out, Limits(max_unpacked_mb=1))


def test_the_total_of_the_parts_counts_too():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n in range(3):
            z.writestr(f"xl/media/image{n}.png", b"\0" * (CHUNK // 2))
    assert "unpacks to more than 1 MB" in _refusal(out, Limits(max_unpacked_mb=1))


def test_a_part_that_understates_its_size_is_cut_short_and_fails_as_damaged(tmp_path):
    """zipfile never unpacks more than a part declares: the lie fails the CRC."""
    path = tmp_path / "lie.xlsx"
    hostile_workbook(str(path), "cell", 5)
    data = bytearray(path.read_bytes())
    at = 0
    while (at := data.find(b"PK\x01\x02", at + 1)) > 0:
        length = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + length] == b"xl/sharedStrings.xml":
            data[at + 24:at + 28] = struct.pack("<I", 1000)
    assert container_problem(io.BytesIO(bytes(data))) == NOT_A_WORKBOOK


# --- values and XML ------------------------------------------------------------------------
def test_one_cell_too_long_in_the_shared_strings(tmp_path):
    path = tmp_path / "bomb.xlsx"
    hostile_workbook(str(path), "cell", 3)
    with open(path, "rb") as handle:
        problem = _refusal(handle)
    assert "its shared strings part has a value longer than a cell can hold" in problem
    assert "32,767 characters" in problem


def test_one_inline_cell_too_long_names_the_sheet():
    sheet = _sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"x" * 300_000}</t></is></c>'
                   "</row>")
    assert 'sheet "Scores" has a value longer than a cell can hold' in _refusal(_xlsx(sheet))


def test_a_long_value_across_many_chunks():
    sheet = _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "y" * (3 * CHUNK + 7)
                   + "</t></is></c></row>")
    assert "longer than a cell can hold" in _refusal(_xlsx(sheet))


def test_a_long_attribute_or_comment_is_a_long_value_too():
    sheet = _sheet(f'<row r="1" x="{"z" * 300_000}"/>')
    assert "longer than a cell can hold" in _refusal(_xlsx(sheet))
    sheet = _sheet(f"<!-- {'z' * 300_000} -->" + HEADER)
    assert "longer than a cell can hold" in _refusal(_xlsx(sheet))


def test_a_dtd_is_refused():
    sheet = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + _sheet()[40:])
    assert "declares a DTD" in _refusal(_xlsx(sheet))


def test_utf16_parts_are_refused():
    assert "is not in UTF-8" in _refusal(_xlsx(_sheet().decode().encode("utf-16")))
    assert "is not in UTF-8" in _refusal(_xlsx(_sheet().decode().encode("utf-16-le")))


def test_too_many_elements_in_a_part_parsed_whole():
    assert "has more than 500,000 elements" in _refusal(_xlsx(**{
        "xl__styles.xml": b'<styleSheet xmlns="' + MAIN.encode() + b'">' + b"<x/>" * 500_001
        + b"</styleSheet>"}))


def test_nested_elements_in_one_row():
    sheet = _sheet('<row r="1"><c r="A1">' + "<x>" * 5000 + "</x>" * 5000 + "</c></row>")
    assert 'sheet "Scores" has more than 3,264 elements in row 1' in _refusal(_xlsx(sheet))


def test_elements_before_the_first_row_or_at_the_end():
    assert "before its first row" in _refusal(_xlsx(_sheet(head="<x/>" * 500_001)))
    sheet = _sheet(HEADER).replace(b"</worksheet>", b"<x/>" * 500_001 + b"</worksheet>")
    assert "elements after its rows" in _refusal(_xlsx(sheet))


def test_elements_in_one_shared_string():
    strings = f'<sst xmlns="{MAIN}"><si>' + "<r><t>a</t></r>" * 20_000 + "</si></sst>"
    assert "its shared strings part has more than 65,536 elements in string 1" in \
        _refusal(_xlsx(strings=strings.encode()))


def test_more_shared_strings_than_cells_allowed():
    strings = f'<sst xmlns="{MAIN}">' + "<si><t>a</t></si>" * 101 + "</sst>"
    assert "holds more than 100 strings" in _refusal(_xlsx(strings=strings.encode()),
                                                     Limits(max_cells=100))


# --- rows, columns, cells ------------------------------------------------------------------
def test_rows_exactly_at_the_limit_pass_and_one_more_is_refused_across_chunks():
    n = 60_000  # about 2.5 MB of XML: the rows cross chunk boundaries
    assert container_problem(_xlsx(_sheet(HEADER + _rows(n - 1))),
                             Limits(max_rows=n)) is None
    problem = _refusal(_xlsx(_sheet(HEADER + _rows(n))), Limits(max_rows=n))
    assert 'sheet "Scores" has more than 60,000 rows (the most a sheet may have)' in problem


def test_a_row_number_past_the_limit():
    """openpyxl yields an empty row for every number skipped."""
    sheet = _sheet(HEADER + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    assert "has more than 400,000 rows" in _refusal(_xlsx(sheet))


def test_rows_without_numbers_are_counted_as_openpyxl_counts_them():
    sheet = _sheet(HEADER + '<row r="99"/>' + "<row/>" * 2)
    assert container_problem(_xlsx(sheet), Limits(max_rows=101)) is None
    assert "more than 100 rows" in _refusal(_xlsx(sheet), Limits(max_rows=100))


def test_row_breaks_are_not_rows():
    sheet = _sheet(HEADER, head="<rowBreaks count='1'><brk id='3'/></rowBreaks>")
    assert container_problem(_xlsx(sheet), Limits(max_rows=1)) is None


@pytest.mark.parametrize("ref", ["A1:F1048576", "A1:XFD1", "A:XFD", "$A$1:$XFD$1048576"])
def test_a_dimension_openpyxl_would_pad_every_row_to(ref):
    problem = _refusal(_xlsx(_sheet(head=f'<dimension ref="{ref}"/>')))
    assert f"(its dimension {ref})" in problem
    assert "a sheet may have at most" in problem


def test_a_dimension_within_the_limits_passes():
    assert container_problem(_xlsx(_sheet(head='<dimension ref="A1:GR400000"/>'))) is None


@pytest.mark.parametrize("attribute", ['r="XFD2"', "r='XFD2'", 'r = "xfd2"', 'r="$GS$2"',
                                       'r="GS2"'])
def test_a_cell_in_a_column_too_far(attribute):
    sheet = _sheet(HEADER + f'<row r="2"><c {attribute}><v>1</v></c></row>')
    assert "a sheet may have at most 200 columns" in _refusal(_xlsx(sheet))


def test_the_last_column_allowed_passes():
    sheet = _sheet(HEADER + '<row r="2"><c r="GR2"><v>1</v></c></row>')
    assert container_problem(_xlsx(sheet)) is None


def test_more_cells_in_a_row_than_columns_even_without_references():
    sheet = _sheet('<row r="1">' + "<c><v>1</v></c>" * 201 + "</row>")
    assert "more than 200 cells in row 1" in _refusal(_xlsx(sheet))
    sheet = _sheet('<row r="1">' + "<c><v>1</v></c>" * 200 + "</row>")
    assert container_problem(_xlsx(sheet)) is None


def test_cells_in_the_whole_workbook():
    sheet = _sheet(HEADER + _rows(50))
    assert container_problem(_xlsx(sheet), Limits(max_cells=51)) is None
    assert "more than 50 cells (the most a workbook may have)" in \
        _refusal(_xlsx(sheet), Limits(max_cells=50))


def test_a_namespace_prefix_does_not_hide_the_rows():
    rows = "".join(f'<x:row r="{r}"><x:c r="A{r}"><x:v>1</x:v></x:c></x:row>'
                   for r in range(1, 12))
    assert "more than 10 rows" in _refusal(_xlsx(_sheet(rows, prefix="x")),
                                           Limits(max_rows=10))


# --- the settings and the reader -----------------------------------------------------------
def test_limits_from_the_configuration():
    assert limits_from_config({}) == Limits()
    assert limits_from_config({"WORKBOOK_MAX_ROWS": "10", "WORKBOOK_MAX_MB": 2}) == \
        Limits(max_rows=10, max_mb=2)


def test_defaults_fit_the_benchmark_tender():
    import bench

    rows = bench.LOTS * bench.BIDS * (bench.CRITERIA - 1) * bench.EVALUATORS
    assert rows == 203_000 and Limits().max_rows > rows + 1
    assert Limits().max_cells > 6 * (rows + 1) + 7 * bench.LOTS * bench.BIDS * bench.CRITERIA


def test_read_workbook_refuses_with_one_line_and_reads_no_further(tmp_path):
    path = tmp_path / "rows.xlsx"
    hostile_workbook(str(path), "rows", 1)
    tender, errors = read_workbook(path, Limits(max_rows=1000))
    assert tender is None and len(errors) == 1
    assert str(errors[0]) == ('The workbook was not read: sheet "Scores" has more than 1,000 '
                              "rows (the most a sheet may have)")


def test_read_workbook_refuses_a_file_too_large_before_reading_it(tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"\0" * (CHUNK + 1))
    _, errors = read_workbook(path, Limits(max_mb=1))
    assert [str(e) for e in errors] == ["The workbook was not read: the file is larger than "
                                        "the 1 MB allowed"]
    _, errors = read_workbook(io.BytesIO(b"\0" * (CHUNK + 1)), Limits(max_mb=1))
    assert "larger than the 1 MB allowed" in str(errors[0])
