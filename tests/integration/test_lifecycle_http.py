"""The lifecycle through the app: acts move the state (audited), the clock passes the
deadline on the next request (audited once), an act out of its state is refused, and the
procurement page says where it stands and what comes next."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

import clock
from audit.models import AuditRecord
from extensions import db
from procurement.access import find_procurement
from procurement.models import TimelineDate
from tests.integration.test_evaluation_fixtures import (client_for, post,  # noqa: F401
                                                         tender)


def _moves(reference: str) -> list[tuple]:
    return [(r.before["state"], r.after["state"], r.after["by"]) for r in db.session.scalars(
        select(AuditRecord).where(AuditRecord.entity == "procurement",
                                  AuditRecord.action == "state",
                                  AuditRecord.procurement_ref == reference)
        .order_by(AuditRecord.seq))]


def test_the_demo_stands_at_results_final_and_moves_with_the_note(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    p = find_procurement("SCO-DA-2023")
    assert p.state == "results_final"
    assert _moves(p.reference) == [("evaluation", "results_final", "finalise_results")]
    sent = runner.invoke(args=["decision-note", "send", p.reference])
    assert sent.exit_code == 0, sent.output
    db.session.expire_all()
    assert find_procurement(p.reference).state == "sign_off"
    assert _moves(p.reference)[-1] == ("results_final", "sign_off", "send_note")


def test_the_procurement_page_shows_the_stage_and_next_step(app, tender, users):  # noqa: F811
    html = client_for(app, users["officer"]).get(f"/procurements/{tender.procurement.reference}"
                                                 ).get_data(as_text=True)
    assert "Evaluation" in html and "Next: The panel scores the bids" in html


def test_finalising_results_before_the_bids_are_opened_is_refused(app, tender, users):  # noqa: F811
    p = tender.procurement
    p.state = "tender_published"
    db.session.commit()
    c = client_for(app, users["officer"])
    before = db.session.scalar(select(func.count(AuditRecord.id)))
    resp = post(c, f"/evaluation/{p.reference}/lots/A/moderation/final", follow_redirects=True)
    assert "You cannot mark the results final yet" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert tender.lot_a.results_final_at is None and find_procurement(p.reference).state == \
        "tender_published"
    assert db.session.scalar(select(func.count(AuditRecord.id))) == before


def test_the_deadline_passes_on_the_next_request_and_is_recorded_once(app, tender, users,  # noqa: F811
                                                                      monkeypatch):
    p = tender.procurement
    p.state = "tender_published"
    p.dates.append(TimelineDate(kind="tender_deadline", at=datetime(2031, 6, 10, 11, 0),
                                with_time=True))  # stored in UTC: noon UK summer time
    db.session.commit()
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2031, 6, 10, 11, 0))
    c = client_for(app, users["officer"])  # signed in at that time: sessions expire by it too
    assert c.get(f"/procurements/{p.reference}").status_code == 200
    db.session.expire_all()
    assert find_procurement(p.reference).state == "deadline_passed"
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2031, 6, 10, 11, 0) + timedelta(minutes=10))
    assert c.get(f"/procurements/{p.reference}").status_code == 200
    assert _moves(p.reference) == [("tender_published", "deadline_passed", "the clock")]


def test_the_clock_waits_for_the_deadline(app, tender, users, monkeypatch):  # noqa: F811
    p = tender.procurement
    p.state = "clarifications"
    p.dates.append(TimelineDate(kind="tender_deadline", at=datetime(2031, 6, 10, 11, 0),
                                with_time=True))
    db.session.commit()
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2031, 6, 10, 10, 59))  # 11:59 BST
    assert client_for(app, users["officer"]).get(f"/procurements/{p.reference}").status_code == 200
    db.session.expire_all()
    assert find_procurement(p.reference).state == "clarifications" and _moves(p.reference) == []


def test_tender_finalise_marks_every_lot_or_says_why_not(app, tender):  # noqa: F811
    runner = app.test_cli_runner()
    out = runner.invoke(args=["tender", "finalise", tender.procurement.reference])
    assert out.exit_code == 1 and out.output.startswith("Lot A:")
    db.session.expire_all()
    assert all(lot.results_final_at is None for lot in tender.procurement.lots)
    bad = runner.invoke(args=["tender", "finalise", tender.procurement.reference, "--lot", "Z"])
    assert bad.exit_code == 1 and "no lot Z" in bad.output
    assert runner.invoke(args=["tender", "finalise", "NOPE"]).exit_code == 1
