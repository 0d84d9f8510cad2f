"""Hostile workbooks through HTTP and `tender import`: refused before they are parsed, with a
message naming the limit, nothing written, and at a bounded cost (issue 10, item 4).

The bombs are generated (bench.hostile_workbook): one cell that unpacks to 200 MB from about
200 KB, and a million rows in about 5 MB. Before the bounds, `tender import` of the first took
the process about 300 MB (150 MB cell) to 400 MB above idle, and of the second 2 GB and
almost a minute.
"""
from __future__ import annotations

import io
import re
import tracemalloc

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from audit.models import AuditRecord
from bench import hostile_workbook, time_refusal
from evaluation.models import Consensus, Score
from extensions import db
from procurement.models import Procurement
from tests.integration.test_evaluation_fixtures import client_for, tender  # noqa: F401

MB = 1024 * 1024
BOMBS = {"cell": 200, "rows": 100}  # MB in one cell; x 10,000 rows
MESSAGES = {
    "cell": "The workbook was not read: its shared strings part has a value longer than a "
            "cell can hold (32,767 characters)",
    "rows": 'The workbook was not read: sheet "Scores" has more than 400,000 rows (the most a '
            "sheet may have)",
}


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    made = {}
    for kind, size in BOMBS.items():
        made[kind] = folder / f"{kind}.xlsx"
        hostile_workbook(str(made[kind]), kind, size)
    assert made["cell"].stat().st_size < 400 * 1024  # packs 200 MB into a few hundred KB
    return made


def _upload(client, content: bytes):
    """The upload form posted with `content`, encoded in memory (the test client spools a
    large form to a temporary file it never closes)."""
    html = client.get("/evaluation/EV-TEST-1/upload").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    boundary, body = encode_multipart({"csrf_token": token,
                                       "workbook": FileStorage(io.BytesIO(content), "panel.xlsx")})
    return client.post("/evaluation/EV-TEST-1/upload", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _counts():
    db.session.rollback()
    return tuple(db.session.execute(select(func.count()).select_from(m)).scalar()
                 for m in (Procurement, Score, Consensus, AuditRecord))


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_tender_import_refuses_a_bomb_naming_the_limit_and_writes_nothing(app, bombs, kind):
    before = _counts()
    result = app.test_cli_runner().invoke(args=["tender", "import", str(bombs[kind])])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == MESSAGES[kind]
    assert _counts() == before


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_a_refused_bomb_costs_under_300_mb_above_idle(app, bombs, kind):
    """In a fresh process (bench.py --refuse), as `make bench` measures it: the peak resident
    memory during the import, less the memory before it (app loaded, openpyxl imported)."""
    got = time_refusal(str(bombs[kind]))
    assert got["exit_code"] == 1 and got["output"] == MESSAGES[kind]
    assert got["above_idle_mib"] < 300, got
    assert got["seconds"] < 30, got  # a million rows took 54 s before


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_the_upload_refuses_a_bomb_through_http_and_writes_nothing(app, tender, users,  # noqa: F811
                                                                   bombs, kind):
    officer = client_for(app, users["officer"])
    before = _counts()
    content = bombs[kind].read_bytes()
    if kind == "cell":  # what the request allocates, in Python and in zlib and expat
        tracemalloc.start()
        try:
            resp = _upload(officer, content)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 100 * MB, f"the refusal allocated {peak / MB:.0f} MB"
    else:
        resp = _upload(officer, content)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert MESSAGES[kind].replace('"', "&#34;") in html
    assert _counts() == before


def test_the_limits_are_settings(app, tender, users, tmp_path):  # noqa: F811
    """A tighter WORKBOOK_MAX_ROWS refuses a workbook the default lets through."""
    path = tmp_path / "rows.xlsx"
    hostile_workbook(str(path), "rows", 1)  # 10,001 rows
    app.config["WORKBOOK_MAX_ROWS"] = 5000
    try:
        result = app.test_cli_runner().invoke(args=["tender", "import", str(path)])
        officer = client_for(app, users["officer"])
        resp = _upload(officer, path.read_bytes())
    finally:
        app.config["WORKBOOK_MAX_ROWS"] = 400_000
    assert "has more than 5,000 rows" in result.stderr
    assert resp.status_code == 400 and "has more than 5,000 rows" in resp.get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["tender", "import", str(path)])
    assert "rows" not in result.stderr and "Procurement" in result.stderr  # read, then checked


def test_a_file_over_the_size_setting_is_refused_before_it_is_read(app, tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK" + b"\0" * (2 * MB))
    app.config["WORKBOOK_MAX_MB"] = 1
    try:
        result = app.test_cli_runner().invoke(args=["tender", "import", str(path)])
    finally:
        app.config["WORKBOOK_MAX_MB"] = 50
    assert result.exit_code == 1
    assert result.stderr.strip() == ("The workbook was not read: the file is larger than the "
                                     "1 MB allowed")
