"""`tender timeline REF --format json` through the CLI, on workbooks of each regime
(publication-and-bids.md, "Timeline"); the optional date fields imported, kept in UTC and
exported back; the "Key dates" on the procurement page. Runs on SQLite, and on PostgreSQL with
TEST_DATABASE_URL (tests/conftest.py)."""
from __future__ import annotations

import json
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from extensions import db
from procurement.models import Procurement, TimelineDate
from tests.integration.test_tender_cli import REFERENCE_XLSX, tender
from tests.unit.test_workbook import save, sheets

ORGANISATION = "Test Commissioner's Office"  # the `users` fixture's buyer


def workbook(tmp_path, reference: str, regime: str, **fields):
    book = sheets()
    rows = [["field", "value"], ["reference", reference], ["title", f"{regime} tender"],
            ["organisation", ORGANISATION], ["regime", regime], ["initial_term_years", 3]]
    rows += [[k, v] for k, v in fields.items()]
    book["Procurement"] = rows
    return save(tmp_path, book, f"{reference}.xlsx")


def imported(app, tmp_path, reference, regime, **fields):
    result = tender(app, "import", workbook(tmp_path, reference, regime, **fields))
    assert result.exit_code == 0, result.output
    return reference


def timeline(app, reference):
    result = tender(app, "timeline", reference, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_pcr_open_deadline_standstill_and_contract_start(app, tmp_path):
    ref = imported(app, tmp_path, "OPEN-1", "PCR2015-OPEN", itt_published="2023-02-01",
                   tender_deadline="2023-03-03 12:00", award_notice_published="2023-12-14",
                   contract_start="2023-12-28")
    got = timeline(app, ref)
    assert got["reference"] == ref and got["regime"] == "PCR2015-OPEN"
    deadline, stand, start = got["dates"]
    # 30 days from 1 Feb (electronic by default) end with Fri 3 Mar: noon is half a day short
    assert deadline == {"kind": "tender_deadline", "date": "2023-03-03T12:00:00+00:00",
                        "earliest": "2023-03-04T00:00:00+00:00", "holds": False,
                        "basis": deadline["basis"]}
    assert deadline["basis"].startswith("PCR 2015 reg. 27(2) and (6)")
    # sent Thu 14 Dec 2023: day 10 is Sunday 24 Dec; Christmas, Boxing Day: Wed 27 Dec
    assert (stand["kind"], stand["date"], stand["earliest"], stand["holds"]) == (
        "standstill_end", "2023-12-27", "2023-12-27", True)
    assert stand["basis"].startswith("PCR 2015 reg. 87(2)")
    assert (start["kind"], start["date"], start["earliest"], start["holds"]) == (
        "contract_start", "2023-12-28", "2023-12-28", True)


def test_pcr_open_without_electronic_submission_35_days(app, tmp_path):
    ref = imported(app, tmp_path, "OPEN-2", "PCR2015-OPEN", itt_published="2023-02-01",
                   tender_deadline="2023-03-07", electronic_submission="no")
    (deadline,) = timeline(app, ref)["dates"]
    assert (deadline["earliest"], deadline["holds"]) == ("2023-03-08", False)
    assert deadline["basis"].startswith("PCR 2015 reg. 27(2):")


def test_pcr_restricted_over_christmas(app, tmp_path):
    ref = imported(app, tmp_path, "RES-1", "PCR2015-RESTRICTED", itt_published="2023-11-30",
                   tender_deadline="2023-12-27")
    (deadline,) = timeline(app, ref)["dates"]
    assert (deadline["date"], deadline["earliest"], deadline["holds"]) == (
        "2023-12-27", "2023-12-27", True)
    assert deadline["basis"].startswith("PCR 2015 reg. 28(5) and (9)")


def test_light_touch_reference_tender_has_no_numeric_minimum(app):
    assert tender(app, "import", REFERENCE_XLSX).exit_code == 0
    got = timeline(app, "SCO-DA-2023")
    assert got["regime"] == "PCR2015-LTR"
    deadline, start = got["dates"]
    assert (deadline["kind"], deadline["date"], deadline["earliest"], deadline["holds"]) == (
        "tender_deadline", "2023-03-28", None, None)
    assert "reasonable" in deadline["basis"] and "regs. 74 to 76" in deadline["basis"]
    assert (start["kind"], start["date"], start["earliest"], start["holds"]) == (
        "contract_start", "2023-10-01", None, None)  # no award notice date to count from


def test_act_open_with_and_without_electronic_submission(app, tmp_path):
    ref = imported(app, tmp_path, "PA-1", "PA2023-OPEN", itt_published="2025-03-03",
                   tender_deadline="2025-03-28 12:00")
    (deadline,) = timeline(app, ref)["dates"]
    assert deadline == {"kind": "tender_deadline", "date": "2025-03-28T12:00:00+00:00",
                        "earliest": "2025-03-28T00:00:00+00:00", "holds": True,
                        "basis": deadline["basis"]}
    assert deadline["basis"].startswith("PA 2023 s.54(4): 25 days")
    ref = imported(app, tmp_path, "PA-2", "PA2023-OPEN", itt_published="2025-03-03",
                   tender_deadline="2025-03-28 12:00", electronic_submission="no")
    (deadline,) = timeline(app, ref)["dates"]
    assert (deadline["earliest"], deadline["holds"]) == ("2025-04-02T00:00:00+01:00", False)


def test_act_competitive_flexible_after_a_planned_procurement_notice(app, tmp_path):
    ref = imported(app, tmp_path, "CFP-1", "PA2023-CFP", pin_published="2025-04-23",
                   itt_published="2025-06-02", tender_deadline="2025-06-12",
                   award_notice_published="2025-07-17", contract_start="2025-07-29")
    deadline, stand, start = timeline(app, ref)["dates"]
    assert (deadline["earliest"], deadline["holds"]) == ("2025-06-12", True)
    assert "qualifying planned procurement notice" in deadline["basis"]
    # 8 working days beginning Thu 17 Jul 2025: 17, 18, 21, 22, 23, 24, 25, 28 July
    assert (stand["date"], stand["earliest"], stand["holds"]) == ("2025-07-28", "2025-07-28",
                                                                  True)
    assert stand["basis"].startswith("PA 2023 s.51(2)")
    assert (start["earliest"], start["holds"]) == ("2025-07-29", True)


def audit_count() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(AuditRecord)).scalar()


@pytest.mark.parametrize("args, words", [
    (["timeline", "NOPE", "--format", "json"], ("No procurement", "NOPE")),
    (["timeline", "SCO-DA-2023", "--format", "csv"], ("Unknown format", "'csv'", "json")),
])
def test_errors_are_one_line_on_stderr_and_change_nothing(app, args, words):
    assert tender(app, "import", REFERENCE_XLSX).exit_code == 0
    before = audit_count()
    result = tender(app, *args)
    assert result.exit_code != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and all(w in lines[0] for w in words), result.stderr
    assert audit_count() == before


# --- the workbook fields, stored in UTC, exported back ----------------------------------
def test_date_times_are_stored_in_utc_and_exported_as_uk_time(app, tmp_path):
    ref = imported(app, tmp_path, "UTC-1", "PA2023-OPEN", itt_published="2025-06-02",
                   tender_deadline="2025-07-01 12:00", clarification_deadline="2025-06-20",
                   pin_published="2025-04-23", electronic_submission="no",
                   award_notice_published="2025-07-17")
    db.session.rollback()
    p = db.session.execute(select(Procurement).where(Procurement.reference == ref)).scalar_one()
    rows = {d.kind: (d.at, d.with_time) for d in p.dates}
    assert rows["tender_deadline"] == (datetime(2025, 7, 1, 11, 0), True)  # 12:00 BST
    assert rows["clarification_deadline"] == (datetime(2025, 6, 20, 0, 0), False)
    assert rows["pin"][0].date().isoformat() == "2025-04-23"
    assert rows["award_notice"][0].date().isoformat() == "2025-07-17"
    assert p.electronic_submission is False

    out = tmp_path / "out.xlsx"
    assert tender(app, "export", ref, out).exit_code == 0
    cells = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Procurement"].iter_rows(
        min_row=2, values_only=True)}
    assert cells["tender_deadline"] == "2025-07-01 12:00"
    assert cells["electronic_submission"] == "no" and cells["pin_published"] == "2025-04-23"
    assert cells["clarification_deadline"] == "2025-06-20"
    assert cells["award_notice_published"] == "2025-07-17"

    before = timeline(app, ref)
    assert tender(app, "import", out, "--replace").exit_code == 0
    db.session.rollback()
    again = db.session.execute(select(Procurement).where(Procurement.reference == ref)
                               ).scalar_one()
    assert {d.kind: (d.at, d.with_time) for d in again.dates} == rows
    assert again.electronic_submission is False
    assert timeline(app, ref) == before


def test_a_bad_date_cell_is_refused_naming_sheet_row_and_column(app, tmp_path):
    path = workbook(tmp_path, "BAD-1", "PCR2015-OPEN", electronic_submission="maybe")
    result = tender(app, "import", path)
    assert result.exit_code == 1
    assert "Procurement, row 7, column value" in result.stderr
    assert "electronic_submission" in result.stderr
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Procurement)).scalar() == 0


def test_a_skipped_uk_time_is_refused(app, tmp_path):
    path = workbook(tmp_path, "BAD-2", "PA2023-OPEN", tender_deadline="2025-03-30 01:30")
    result = tender(app, "import", path)
    assert result.exit_code == 1 and "clocks go forward" in result.stderr
    assert "Procurement, row 7, column value" in result.stderr


# --- the procurement page ----------------------------------------------------------------
def test_the_page_shows_each_key_date_with_its_earliest_date_basis_and_tag(
        app, tmp_path, client, login_as):
    ref = imported(app, tmp_path, "PAGE-1", "PCR2015-OPEN", itt_published="2023-02-01",
                   tender_deadline="2023-03-03 12:00", award_notice_published="2023-12-14",
                   contract_start="2023-12-28")
    login_as("officer")
    html = client.get(f"/procurements/{ref}").get_data(as_text=True)
    assert "Key dates" in html
    row = html[html.index('id="key-date-tender_deadline"'):]
    row = row[:row.index("</div>")]
    assert "3 March 2023 at 12:00" in row and "Too early" in row
    assert "Earliest lawful: 4 March 2023 at 00:00" in row
    assert "PCR 2015 reg. 27(2) and (6)" in row
    # the standstill's end is computed from the award notice, though not recorded itself
    stand = html[html.index('id="key-date-standstill_end"'):]
    assert "27 December 2023" in stand[:stand.index("</div>")]
    assert "Meets the minimum" in stand[:stand.index("</div>")]


def test_the_page_says_light_touch_has_no_minimum(app, client, login_as):
    db.session.rollback()
    assert tender(app, "import", REFERENCE_XLSX).exit_code == 0
    p = db.session.execute(select(Procurement)).scalar_one()
    login_as("officer").organisation = p.organisation  # an officer of its organisation
    db.session.commit()
    html = client.get("/procurements/SCO-DA-2023").get_data(as_text=True)
    row = html[html.index('id="key-date-tender_deadline"'):]
    row = row[:row.index("</div>")]
    assert "No minimum period" in row and "reasonable" in row and "Earliest" not in row


def test_timeline_dates_rows_are_unique_per_kind(app, tmp_path):
    imported(app, tmp_path, "UNIQ-1", "PCR2015-OPEN", itt_published="2023-02-01")
    db.session.rollback()
    kinds = db.session.execute(select(TimelineDate.kind)).scalars().all()
    assert kinds == ["itt_published"]
