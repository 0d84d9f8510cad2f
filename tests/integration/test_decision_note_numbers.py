"""Decision numbers through the "Assign decision number" button: format, financial-year
boundaries, sequence, once only, never reused even when a note is deleted."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from audit.models import AuditRecord
import clock
from decisions.models import DecisionNote, DecisionNumber
from extensions import db
from procurement.models import Procurement
from tests.conftest import csrf_token
from tests.integration.test_decision_note_fixtures import make_tender


@pytest.fixture()
def officer(client, login_as, users):
    login_as("officer")
    return users["officer"]


def on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


def assign(client, reference: str):
    page = f"/procurements/{reference}/decision-note"
    return client.post(f"{page}/number", data={"csrf_token": csrf_token(client, page)},
                       follow_redirects=True)


def number_of(reference: str) -> str | None:
    db.session.expire_all()
    return db.session.execute(
        select(DecisionNote.decision_number).join(Procurement)
        .where(Procurement.reference == reference)).scalar_one_or_none()


def tenders(users, *refs):
    for ref in refs:
        make_tender(users["officer"].organisation, reference=ref)
    db.session.commit()


def test_number_format_and_financial_year_boundary(client, officer, users, monkeypatch):
    tenders(users, "T-1", "T-2", "T-3", "T-4")
    on(monkeypatch, date(2024, 3, 31))  # last day of 2023/24
    resp = assign(client, "T-1")
    assert "Decision number TST/D/202324/001 assigned" in resp.get_data(as_text=True)
    on(monkeypatch, date(2024, 4, 1))  # first day of 2024/25: the sequence restarts
    assign(client, "T-2")
    assign(client, "T-3")
    on(monkeypatch, date(2024, 3, 1))
    assign(client, "T-4")
    assert [number_of(r) for r in ("T-1", "T-2", "T-3", "T-4")] == [
        "TST/D/202324/001", "TST/D/202425/001", "TST/D/202425/002", "TST/D/202324/002"]
    note = db.session.execute(select(DecisionNote).join(Procurement)
                              .where(Procurement.reference == "T-1")).scalar_one()
    assert note.date_received == date(2024, 3, 31)  # set when blank
    page = client.get("/procurements/T-1/decision-note").get_data(as_text=True)
    assert "TST/D/202324/001" in page and "Assign decision number" not in page


def test_assigning_twice_keeps_the_number(client, officer, users, monkeypatch):
    tenders(users, "T-1")
    on(monkeypatch, date(2023, 8, 16))
    assign(client, "T-1")
    on(monkeypatch, date(2024, 5, 1))
    resp = assign(client, "T-1")
    assert "already TST/D/202324/001" in resp.get_data(as_text=True)
    assert number_of("T-1") == "TST/D/202324/001"
    assert db.session.query(DecisionNumber).count() == 1
    assert db.session.query(AuditRecord).filter_by(action="assign_number").count() == 1


def test_numbers_are_never_reused_after_a_note_is_deleted(client, officer, users, monkeypatch):
    tenders(users, "T-1", "T-2")
    on(monkeypatch, date(2023, 9, 1))
    assign(client, "T-1")
    assign(client, "T-2")
    # the second note is deleted; its number stays taken, so its procurement's new note and
    # the next procurement get fresh numbers
    db.session.delete(db.session.execute(select(DecisionNote).join(Procurement)
                                         .where(Procurement.reference == "T-2")).scalar_one())
    db.session.commit()
    tenders(users, "T-3")
    assign(client, "T-3")
    assign(client, "T-2")
    assert number_of("T-3") == "TST/D/202324/003"
    assert number_of("T-2") == "TST/D/202324/004"
    numbers = db.session.execute(select(DecisionNumber.number).order_by(DecisionNumber.id)).scalars().all()
    assert numbers == [f"TST/D/202324/00{i}" for i in (1, 2, 3, 4)]


def test_prefix_falls_back_to_the_setting(client, officer, users, monkeypatch):
    users["officer"].organisation.decision_prefix = None
    tenders(users, "T-1")
    on(monkeypatch, date(2023, 8, 16))
    assign(client, "T-1")
    assert number_of("T-1") == "SCP/D/202324/001"


def test_assign_without_csrf_is_refused(client, officer, users):
    tenders(users, "T-1")
    assert client.post("/procurements/T-1/decision-note/number").status_code == 400
    assert number_of("T-1") is None
