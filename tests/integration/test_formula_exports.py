"""Exports neutralise formulas (issue 10, item 5; OWASP "CSV injection").

An evaluator's justification `=HYPERLINK("http://example.org","click")` used to come out of
the officer's workbook as a live formula (and, read back, as nothing: a formula without a
cached value). Now every text cell beginning with =, +, -, @, a tab or a carriage return is
a text cell with Excel's quote prefix; the CSV exports prefix such text with an apostrophe.
Export then import keeps the characters exactly; numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from evaluation.models import Score
from extensions import db
from interchange.workbook import (BidRow, ConsensusRow, CriterionRow, LotRow, ParsedTender,
                                  PartnerRow, ScoreRow)
from interchange.workbook_file import read_workbook, write_workbook
from tests.integration.test_evaluation_fixtures import (client_for, declare_none, post,  # noqa: F401
                                                        score_form, tender)

LINK = '=HYPERLINK("http://example.org","click")'
HOSTILE = [LINK, "+44 1785 000000 call us", "-1+1 reviewed twice", "@SUM(A1:A9) of the marks",
           "=1+1", "+", "-", "@"]


def _sheet_xml(data: bytes, title: str) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    index = book.sheetnames.index(title) + 1
    book.close()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode()


def _comment_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))  # full mode: data types and styles
    sheet = book["Scores"]
    column = [c.value for c in sheet[1]].index("comment") + 1
    return [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)]


def test_an_evaluators_formula_is_text_in_the_officers_workbook(app, tender, users, tmp_path):  # noqa: F811
    """Through HTTP: typed on the scoring page, downloaded as the workbook, imported back."""
    evaluator = client_for(app, users["evaluator"])
    assert declare_none(evaluator, tender).status_code == 303
    bid = tender.bids["A:Alpha Care"]
    resp = post(evaluator, tender.url("A", f"/scoring/{bid.id}"),
                {**score_form(tender, {"Q1": "4", "Q2": "3"}, why=LINK), "action": "submit"})
    assert resp.status_code == 303
    assert set(db.session.execute(select(Score.justification)).scalars()) == {LINK}

    officer = client_for(app, users["officer"])
    data = officer.get("/evaluation/EV-TEST-1/workbook.xlsx").data
    xml = _sheet_xml(data, "Scores")
    assert "<f>" not in xml and "HYPERLINK(" in xml  # there, as text, never a formula
    cells = _comment_cells(data)
    assert [c.value for c in cells] == [LINK, LINK]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)

    path = tmp_path / "export.xlsx"  # and back: the justification exactly as typed
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["tender", "import", str(path), "--replace"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert set(db.session.execute(select(Score.justification)).scalars()) == {LINK}


def _tender(texts: list[str]) -> ParsedTender:
    t = ParsedTender(reference="FX-1", title=texts[0], organisation="Office", regime="PA2023-OPEN",
                     initial_term_years=3)
    t.partners = [PartnerRow("Office", Decimal("1000"))]
    t.lots = [LotRow("A", texts[1], Decimal("1000"))]
    t.criteria = [CriterionRow("A", "Q1", "Quality", texts[2], Decimal(60), "scored", Decimal(5)),
                  CriterionRow("A", "P1", "Price", "Price", Decimal(40), "price")]
    t.bids = [BidRow("A", name, Decimal("100.5")) for name in (LINK, "@Acme", "Plain Ltd")]
    t.scores = [ScoreRow("A", b.bidder, "Q1", f"Eve {i}", Decimal(i % 5), text)
                for b in t.bids for i, text in enumerate(texts)]
    t.consensus = [ConsensusRow("A", b.bidder, "Q1", Decimal(3), texts[-1]) for b in t.bids]
    return t


def test_every_text_cell_of_the_workbook_is_neutralised_and_reads_back_exactly(tmp_path):
    texts = HOSTILE + ["\tindented", "\rreturn", "plain text"]
    tender = _tender(texts)
    path = tmp_path / "fx.xlsx"
    write_workbook(tender, path)
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in xml for xml in sheets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                # "\r" reads back as "\n": XML parsers normalise line ends
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r\n":
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell)
                elif isinstance(cell.value, str):
                    assert not cell.quotePrefix, (sheet.title, cell)  # the rest untouched
    again, errors = read_workbook(path)
    assert errors == []
    # the reader strips surrounding white space from every cell, as it always has
    assert again.title == LINK and again.lots[0].title == HOSTILE[1]
    assert again.criteria[0].title == HOSTILE[2]
    assert [b.bidder for b in again.bids] == [LINK, "@Acme", "Plain Ltd"]
    assert [s.comment for s in again.scores] == [t.strip() for t in texts] * 3
    assert {c.rationale for c in again.consensus} == {"plain text"}


def test_numbers_stay_numbers_negative_ones_too(tmp_path):
    tender = _tender(["Title", "Lot", "Criterion"])
    tender.scores = [ScoreRow("A", "Plain Ltd", "Q1", "Eve", Decimal("-1.5"), "-1.5"),
                     ScoreRow("A", "Plain Ltd", "Q1", "Sam", Decimal("2.25"), "")]
    path = tmp_path / "n.xlsx"
    write_workbook(tender, path)
    sheet = openpyxl.load_workbook(path)["Scores"]
    assert (sheet["E2"].value, sheet["E2"].data_type, sheet["E2"].quotePrefix) == (-1.5, "n", False)
    assert (sheet["F2"].value, sheet["F2"].data_type, sheet["F2"].quotePrefix) == ("-1.5", "s", True)
    assert sheet["E3"].value == 2.25 and sheet["E3"].data_type == "n"
    assert sheet["D2"].value == "Eve" and not sheet["D2"].quotePrefix


def _imported(app, tmp_path, bidders):
    tender = _tender(["Title", "Lot", "Criterion"])
    tender.bids = [BidRow("A", name, Decimal("100")) for name in bidders]
    tender.scores, tender.consensus = [], []
    path = tmp_path / "csv.xlsx"
    write_workbook(tender, path)
    result = app.test_cli_runner().invoke(args=["tender", "import", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", HOSTILE)
def test_the_results_csv_of_the_command_line_neutralises_formulas(app, tmp_path, name):
    _imported(app, tmp_path, [name, "Plain Ltd"])
    result = app.test_cli_runner().invoke(args=["tender", "results", "FX-1", "--format", "csv"])
    assert result.exit_code == 0, result.output
    bidders = [row[1] for row in csv.reader(io.StringIO(result.stdout))][1:]
    assert sorted(bidders) == sorted(["'" + name, "Plain Ltd"])


@pytest.mark.parametrize("name", [LINK, "@Acme", "+Plus", "-Minus"])
def test_the_lot_results_csv_over_http_neutralises_formulas(app, users, tmp_path, name):
    from accounts.models import Organisation

    _imported(app, tmp_path, [name, "Plain Ltd"])
    officer = users["officer"]
    office = db.session.scalar(select(Organisation).where(Organisation.name == "Office"))
    officer.organisation = office  # the importer's organisation: the officer's procurement
    db.session.commit()
    client = client_for(app, officer)
    resp = client.get("/evaluation/FX-1/lots/A/results.csv")
    assert resp.status_code == 200, resp.status_code
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert sorted(r[2] for r in rows[1:]) == sorted(["'" + name, "Plain Ltd"])
    assert not any(re.match(r"[=+\-@\t\r]", cell) for row in rows for cell in row
                   if not re.fullmatch(r"-?\d+(\.\d+)?", cell))
