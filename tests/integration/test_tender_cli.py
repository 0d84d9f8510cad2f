"""`tender import|export|results` through the CLI, as ../shared/spec/tender-workbook.md says.

Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL (tests/conftest.py).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from interchange import importer
from evaluation.models import Consensus, Score
from extensions import db
from procurement.models import Procurement

DATA = Path(__file__).resolve().parent.parent / "data"
REFERENCE_XLSX = DATA / "staffordshire-da-2023.xlsx"
REF = "SCO-DA-2023"
MUST_NAME = json.loads((DATA / "bad" / "must-name.json").read_text())


def tender(app, *args):
    result = app.test_cli_runner().invoke(args=["tender", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def results(app, fmt="json"):
    result = tender(app, "results", REF, "--format", fmt)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if fmt == "json" else result.stdout


def count(model) -> int:
    db.session.rollback()  # see what the command committed
    return db.session.execute(select(func.count()).select_from(model)).scalar()


@pytest.fixture()
def imported(app):
    result = tender(app, "import", REFERENCE_XLSX)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == REF
    return result


def assert_expected(got: dict) -> None:
    """The published figures: every expected field, weighted scores within 1e-6."""
    expected = json.loads((DATA / "staffordshire-da-2023.expected.json").read_text())
    assert got["reference"] == expected["reference"]
    lots = {lot["code"]: lot for lot in got["lots"]}
    assert list(lots) == [lot["code"] for lot in expected["lots"]]
    for lot in expected["lots"]:
        bids = lots[lot["code"]]["bids"]
        assert [b["bidder"] for b in bids] == [b["bidder"] for b in lot["bids"]]
        for want, have in zip(lot["bids"], bids):
            for key in ("status", "reason", "rank", "tied", "moderated"):
                assert have[key] == want[key], (lot["code"], want["bidder"], key)
            assert have["total"] == pytest.approx(want["total"], abs=1e-6)
            for group in ("sections", "criteria"):
                assert have[group] == pytest.approx(want[group], abs=1e-6)


def test_import_then_results_match_the_published_figures(app, imported):
    got = results(app)
    assert_expected(got)
    assert got["lots"][0]["title"] == "DA Victim Services"
    bid = got["lots"][1]["bids"][1]
    assert bid["price"] == 497500.0 and isinstance(bid["price"], float)
    assert count(Score) == 36 and count(Consensus) == 12


def test_import_records_one_audit_record(app, imported):
    records = db.session.execute(select(AuditRecord)).scalars().all()
    assert [(r.entity, r.action, r.procurement_ref) for r in records] == \
        [("procurement", "import", REF)]
    after = records[0].after
    assert after["scores"] == 36 and after["bids"] == 3 and len(after["sha256"]) == 64


def test_import_keeps_money_exact(app, imported):
    procurement = db.session.execute(select(Procurement)).scalar_one()
    assert [str(p.annual_contribution) for p in procurement.partners] == \
        ["1859195.76", "895000.00", "621025.24"]
    assert procurement.annual_total == sum(p.annual_contribution for p in procurement.partners)
    assert procurement.relates_to_list == ["Policing", "Crime"]
    assert procurement.extensions == [1, 1] and procurement.min_delphi == 40


def test_export_then_replace_gives_identical_results(app, imported, tmp_path):
    before = results(app)
    path = tmp_path / "export.xlsx"
    result = tender(app, "export", REF, path)
    assert result.exit_code == 0, result.output
    result = tender(app, "import", path, "--replace")
    assert result.exit_code == 0, result.output
    assert results(app) == before
    assert count(Procurement) == 1 and count(Score) == 36
    actions = db.session.execute(select(AuditRecord.action).order_by(AuditRecord.seq)
                                 ).scalars().all()
    assert actions == ["import", "replace"]


@pytest.mark.parametrize("name", sorted(MUST_NAME))
def test_bad_workbook_refused_with_nothing_written(app, name):
    result = tender(app, "import", DATA / "bad" / name)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for word in MUST_NAME[name]:
        assert word.lower() in result.stderr.lower()
    assert count(Procurement) == 0
    assert tender(app, "results", REF).exit_code == 1


def test_not_a_workbook_refused(app, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a spreadsheet")
    result = tender(app, "import", path)
    assert result.exit_code == 1
    assert result.stderr.strip().endswith('import that file')
    assert len(result.stderr.strip().splitlines()) == 1


def test_existing_reference_refused(app, imported):
    result = tender(app, "import", REFERENCE_XLSX)
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Procurement SCO-DA-2023 already exists: use --replace "
                                     "to replace it")
    assert count(Procurement) == 1 and count(AuditRecord) == 1


def test_replace_with_a_bad_workbook_leaves_the_old_one(app, imported):
    before = results(app)
    result = tender(app, "import", DATA / "bad" / "weights-99.xlsx", "--replace")
    assert result.exit_code == 1
    assert results(app) == before


def test_replace_failing_half_way_rolls_back(app, imported, monkeypatch):
    before = results(app)

    def fail(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_scores", fail)
    with pytest.raises(RuntimeError):
        importer.import_tender(importer.export_tender(
            db.session.execute(select(Procurement)).scalar_one()), replace=True)
    assert results(app) == before
    assert count(Score) == 36 and count(AuditRecord) == 1


def test_results_csv(app, imported):
    rows = list(csv.DictReader(io.StringIO(results(app, "csv"))))
    assert list(rows[0]) == ["lot", "bidder", "status", "reason", "rank", "tied", "moderated",
                             "price", "Value for Money", "Presentation", "total"]
    assert [(r["lot"], r["bidder"], r["rank"]) for r in rows] == [
        ("A", "Victim Support", "1"), ("B", "Victim Support", "1"),
        ("B", "Northfield Change Partnership CIC", "2")]
    assert float(rows[1]["total"]) == pytest.approx(95.5)
    assert rows[2]["price"] == "497500.00"


def test_results_table(app, imported):
    table = results(app, "table")
    assert "Lot A: DA Victim Services" in table and "Lot B: DA Perpetrator Services" in table
    line = next(row for row in table.splitlines() if row.startswith("2 "))
    assert "Northfield Change Partnership CIC" in line and line.split()[-2] == "64.00"
    assert "Winner: Victim Support, by 31.50 points over the runner-up" in table
    assert table.count("Robustness:") == 2


@pytest.mark.parametrize("command", [["results", "NOPE"], ["export", "NOPE", "out.xlsx"]])
def test_unknown_reference(app, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = tender(app, *command)
    assert result.exit_code == 1
    assert result.stderr.strip() == "No procurement with reference NOPE"
    assert not (tmp_path / "out.xlsx").exists()


def test_export_to_an_unwritable_place(app, imported, tmp_path):
    result = tender(app, "export", REF, tmp_path / "missing" / "out.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("Cannot write")
