"""`decision-note render REF PATH [--public]`: the decision pack as it stands, the public
version redacted, errors on standard error with exit status 1 and nothing written."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from decisions.models import DecisionNote
from extensions import db
from tests.integration.test_decision_note_fixtures import (REF, SECRET, WINNER, make_tender,
                                                           pdf_text, tender)  # noqa: F401

WORKBOOK = Path(__file__).resolve().parents[1] / "data" / "staffordshire-da-2023.xlsx"


def run(app, *args):
    return app.test_cli_runner().invoke(args=["decision-note", *args])


def test_render_writes_the_pack_with_the_published_figures(app, tender, tmp_path):
    out = tmp_path / "note.pdf"
    result = run(app, "render", REF, str(out))
    assert result.exit_code == 0, result.output
    content = out.read_bytes()
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    for figure in ("97.00", "95.50", "64.00", "£3,375,221", "£1,859,195.76", "3 + 1 + 1 years"):
        assert figure in text, figure
    assert SECRET in text  # the draft keeps the sensitive text
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_render_public_redacts_the_sensitive_text(app, tender, tmp_path):
    out = tmp_path / "public.pdf"
    result = run(app, "render", REF, str(out), "--public")
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert SECRET not in text and "[REDACTED]" in text and WINNER in text
    assert "97.00" in text and "£3,375,221" in text


def test_render_unknown_reference(app, tender, tmp_path):
    out = tmp_path / "x.pdf"
    result = run(app, "render", "NOPE", str(out))
    assert result.exit_code == 1
    assert "No procurement with reference NOPE" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("where", ["missing-folder/note.pdf", "."])
def test_render_unwritable_path(app, tender, tmp_path, where):
    target = tmp_path / where
    result = run(app, "render", REF, str(target))
    assert result.exit_code == 1
    assert "Cannot write" in result.stderr
    assert not (tmp_path / "missing-folder").exists()


def test_render_changes_nothing_in_the_database(app, users, tmp_path):
    make_tender(users["officer"].organisation)
    db.session.commit()
    assert run(app, "render", REF, str(tmp_path / "n.pdf")).exit_code == 0
    db.session.expire_all()
    assert db.session.execute(select(DecisionNote)).scalar_one_or_none() is None


@pytest.mark.skipif(not WORKBOOK.exists(), reason="reference workbook not in tests/data")
def test_render_an_imported_reference_workbook(app, users, tmp_path):
    from interchange.importer import import_tender
    from interchange.workbook_file import read_workbook

    parsed, errors = read_workbook(WORKBOOK)
    assert not errors
    p = import_tender(parsed)
    out = tmp_path / "note.pdf"
    result = run(app, "render", p.reference, str(out))
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert "97.00" in text and "95.50" in text and "£3,375,221" in text


def test_the_demo_note_renders_with_both_annexes_into_one_pack():
    """The demo note's data with both structured annexes, rendered to the decision pack (its
    speed is measured by `make bench`, not here: timings in tests fail on a loaded machine)."""
    from demo.note_sample import demo_note_data
    from decisions.note.pdf import render_pack

    text = _pdf_text(render_pack(demo_note_data()))
    assert "Equality Impact Assessment" in text and "Data Protection Impact Assessment" in text


def test_the_decision_pack_from_the_database_carries_both_annexes(app, tender):
    from audit.services import plain
    from decisions.models import Annex
    from decisions.note.builder import decision_pack
    from demo.note_sample import DPIA, EIA
    from decisions.note.service import get_or_create_note

    note = get_or_create_note(tender)
    note.annexes += [Annex(kind="EIA", form=plain(EIA)), Annex(kind="DPIA", form=plain(DPIA))]
    db.session.commit()
    text = _pdf_text(decision_pack(tender))
    assert "Equality Impact Assessment" in text and "Data Protection Impact Assessment" in text


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
