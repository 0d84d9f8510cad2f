"""`decision-note letters REF DIR`: one PDF per bid and letters.zip, recorded as issued;
refused (exit 1, nothing written) before the decision, for an unknown reference or a bad DIR."""
from __future__ import annotations

import zipfile
from datetime import date

import pytest
from sqlalchemy import select

import clock
from decisions.models import Letter
from decisions.note.service import get_or_create_note
from extensions import db
from tests.integration.test_decision_note_fixtures import (LOSER, REF, WINNER, add_letter_lots,
                                                           fill_note, make_tender, pdf_text)


@pytest.fixture()
def procurement(app, users, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2023, 9, 4))
    p = make_tender(users["officer"].organisation)
    add_letter_lots(p)
    fill_note(p)
    db.session.commit()
    return p


def run(app, *args):
    return app.test_cli_runner().invoke(args=["decision-note", *args])


def sign(p):
    get_or_create_note(p).state = "completed"
    db.session.commit()


def test_letters_writes_one_pdf_per_bid_and_a_zip(app, procurement, tmp_path):
    sign(procurement)
    out = tmp_path / "letters"
    result = run(app, "letters", REF, str(out))
    assert result.exit_code == 0, result.output
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert len(pdfs) == 9 and f"{REF} Lot B - {LOSER}.pdf" in pdfs
    assert (out / "letters.zip").exists()
    assert sorted(zipfile.ZipFile(out / "letters.zip").namelist()) == pdfs
    text = pdf_text((out / f"{REF} Lot B - {LOSER}.pdf").read_bytes())
    assert "64.00" in text and "95.50" in text and WINNER in text
    assert "14 September 2023" in text  # PCR 2015: 10 days after 4 September 2023
    db.session.expire_all()
    assert db.session.query(Letter).count() == 9
    assert procurement.date_of("decision_letters").at.date() == date(2023, 9, 4)
    assert result.output.strip().splitlines()[-1].endswith("letters.zip")


def test_letters_use_the_recorded_decision_letters_date(app, procurement, tmp_path):
    from datetime import datetime
    from procurement.models import TimelineDate
    procurement.dates.append(TimelineDate(kind="decision_letters", at=datetime(2023, 12, 15)))
    sign(procurement)
    assert run(app, "letters", REF, str(tmp_path)).exit_code == 0
    ends = {x.standstill_end for x in db.session.execute(select(Letter)).scalars()}
    assert ends == {date(2023, 12, 27), None}


def test_letters_refused_before_the_decision(app, procurement, tmp_path):
    out = tmp_path / "letters"
    result = run(app, "letters", REF, str(out))
    assert result.exit_code == 1
    assert "not signed yet" in result.stderr
    assert not out.exists()
    assert db.session.query(Letter).count() == 0


def test_letters_unknown_reference(app, procurement, tmp_path):
    result = run(app, "letters", "NOPE", str(tmp_path))
    assert result.exit_code == 1 and "No procurement with reference NOPE" in result.stderr


def test_letters_directory_is_a_file(app, procurement, tmp_path):
    sign(procurement)
    target = tmp_path / "a-file"
    target.write_text("x")
    result = run(app, "letters", REF, str(target))
    assert result.exit_code == 1 and "not a folder" in result.stderr
    db.session.expire_all()
    assert db.session.query(Letter).count() == 0
