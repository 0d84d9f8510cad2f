"""Faults survived (issue 10): a PostgreSQL backend killed (pg_terminate_backend, from a second
connection) in the middle of an import, an upload of scores and a sign-off leaves nothing
half-written, answers with a clear message instead of a traceback, and the next attempt
succeeds on a fresh connection. The audit chain still verifies afterwards.

PostgreSQL only: SQLite has no server process to kill."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from audit.models import AuditRecord
from audit.services import record, verify
from evaluation.models import Score
from extensions import CONNECTION_LOST, db
from procurement.models import Bid, Lot, Procurement
from tests.integration.test_evaluation_fixtures import tender  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (TEST_DATABASE_URL): pg_terminate_backend kills the backend "
           "serving the request; SQLite has none")

WORKBOOK = Path(__file__).resolve().parents[1] / "data" / "staffordshire-da-2023.xlsx"


def kill_my_backend() -> int:
    """Terminate the server process behind the session's connection, from another one,
    and wait (up to 5 s) until it is gone."""
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    with db.engine.connect() as other:
        assert other.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        assert other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"),
                             {"pid": pid}).scalar() is True
    return pid


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def killing(monkeypatch, module, name, on_call=1):
    """Replace module.name with a wrapper that kills the backend at its `on_call`th call,
    then carries on into the real function (whose next statement fails)."""
    real, calls = getattr(module, name), []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == on_call:
            kill_my_backend()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


# ---- (a) tender import ---------------------------------------------------------------------

def test_an_import_killed_during_its_inserts_writes_nothing_and_says_so(app, monkeypatch):
    import interchange.importer as importer

    calls = killing(monkeypatch, importer, "_scores")  # after the lots, bids and criteria
    result = app.test_cli_runner().invoke(args=["tender", "import", str(WORKBOOK)])
    assert calls, "the importer never reached its score inserts"
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == CONNECTION_LOST
    assert count(Procurement) == count(Lot) == count(Bid) == count(Score) == 0
    assert count(AuditRecord) == 0

    monkeypatch.undo()
    again = app.test_cli_runner().invoke(args=["tender", "import", str(WORKBOOK)])
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == "SCO-DA-2023"
    assert count(Procurement) == 1 and count(Score) > 0
    assert verify() == (1, None)


# ---- (b) an upload of scores ---------------------------------------------------------------

def test_an_upload_killed_midway_writes_nothing_and_says_so(app, tender, users,  # noqa: F811
                                                           monkeypatch):
    import interchange.uploads as uploads
    from tests.integration.test_evaluation_fixtures import client_for
    from tests.integration.test_evaluation_upload import (_book, _consensus, _declare_all,
                                                          _full_scores, _upload)

    _declare_all(tender)
    officer = client_for(app, users["officer"])  # signing in is audited: count after it
    before = count(AuditRecord)
    calls = killing(monkeypatch, uploads, "record", on_call=5)  # the fifth score's record
    resp = _upload(officer, _book(Scores=_full_scores(tender), Consensus=_consensus()))
    assert len(calls) == 5
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503 and CONNECTION_LOST in html and "Traceback" not in html
    assert count(Score) == 0 and count(AuditRecord) == before

    monkeypatch.undo()
    resp = _upload(officer, _book(Scores=_full_scores(tender), Consensus=_consensus()))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert count(Score, Score.state == "submitted") == 12
    assert verify() == (count(AuditRecord), None)


# ---- (c) a sign-off ------------------------------------------------------------------------

def test_a_signature_killed_midway_is_not_recorded_and_says_so(app, users, monkeypatch):
    import decisions.signoff.service as service
    from decisions.models import SignOff
    from tests.integration.signing_fixtures import small_tender
    from tests.integration.test_signoff_http import post, sign

    p = small_tender(users["officer"].organisation)
    clients = {}

    def as_role(role):
        if role not in clients:
            from tests.integration.signing_fixtures import client_for
            clients[role] = client_for(app, users[role].email)
        return clients[role]

    assert post(as_role("officer"), f"/procurements/{p.reference}/decision-note/send"
                ).status_code == 302
    as_role("originating_officer")  # signing in is audited: count after it
    before = count(AuditRecord)

    killing(monkeypatch, service, "record")
    resp = sign(as_role, "originating_officer", p.reference, 1, "Approved.")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503 and CONNECTION_LOST in html
    assert count(SignOff, SignOff.signed_at.is_not(None)) == 0
    assert count(AuditRecord) == before

    monkeypatch.undo()
    resp = sign(as_role, "originating_officer", p.reference, 1, "Approved.")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert count(SignOff, SignOff.signed_at.is_not(None)) == 1
    assert verify() == (before + 1, None)


# ---- the anchor: a commit killed after its "P" line ----------------------------------------

def test_a_commit_killed_after_its_anchor_line_is_no_false_alarm(app):
    record("score", 1, "update", None, {"value": "1"})
    db.session.commit()

    def kill(session):
        kill_my_backend()

    event.listen(Session, "before_commit", kill)  # after the anchor's "P" line
    try:
        record("score", 2, "update", None, {"value": "lost"})
        with pytest.raises(Exception) as failure:
            db.session.commit()
    finally:
        event.remove(Session, "before_commit", kill)
    assert "terminat" in str(failure.value) or "closed" in str(failure.value)
    db.session.rollback()
    assert verify() == (1, None)
    record("score", 2, "update", None, {"value": "kept"})
    db.session.commit()
    assert verify() == (2, None)
