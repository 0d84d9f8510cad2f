"""A conflict declared after scoring: the officer is warned, the scores set aside are named,
and the declaration's audit record lists them. The demo's panel declared before scoring."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from audit.models import AuditRecord
from evaluation.models import Score
from extensions import db
from tests.integration.test_evaluation_fixtures import (client_for, post,  # noqa: F401
                                                        tender)


def test_a_conflict_declared_after_scoring_is_warned_named_and_audited(app, tender, users):  # noqa: F811
    t = tender
    member = t.members[("A", 0)]
    alpha, beta = t.bids["A:Alpha Care"], t.bids["A:Beta Support"]
    for code in ("Q1", "Q2"):  # scores brought in (a workbook) before any declaration
        db.session.add(Score(bid_id=alpha.id, criterion_id=t.crit[f"A:{code}"].id,
                             member_id=member.id, value=Decimal("4"), justification="x" * 25,
                             state="submitted"))
    db.session.commit()
    c = client_for(app, t.evaluators[0])
    resp = post(c, t.url("A", "/declarations"), {
        f"coi-{alpha.bidder_id}": "conflict", f"details-{alpha.bidder_id}": "My sister works there",
        f"coi-{beta.bidder_id}": "none"})
    assert resp.status_code == 303
    officer = client_for(app, users["officer"])
    html = officer.get(t.url("A", "/panel")).get_data(as_text=True)
    assert (f"{member.name} declared a conflict of interest with Alpha Care after scoring: "
            "their scores for Alpha Care (Q1, Q2) are set aside and do not count.") in html
    rec = db.session.scalars(select(AuditRecord).where(
        AuditRecord.entity == "conflict_declaration").order_by(AuditRecord.seq)).all()
    conflicted = [r for r in rec if r.after["conflicted"]]
    assert conflicted and conflicted[0].after["scores_set_aside"] == ["Q1", "Q2"]


def test_a_conflict_declared_before_scoring_warns_nothing(app, tender, users):  # noqa: F811
    t = tender
    alpha, beta = t.bids["A:Alpha Care"], t.bids["A:Beta Support"]
    c = client_for(app, t.evaluators[0])
    assert post(c, t.url("A", "/declarations"), {
        f"coi-{alpha.bidder_id}": "conflict", f"details-{alpha.bidder_id}": "A former employer",
        f"coi-{beta.bidder_id}": "none"}).status_code == 303
    html = client_for(app, users["officer"]).get(t.url("A", "/panel")).get_data(as_text=True)
    assert "after scoring" not in html


def test_the_demo_panel_declared_before_scoring(app):
    from accounts.models import User
    from tests.conftest import _password_hash
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    for u in db.session.scalars(select(User)):
        u.password_hash = _password_hash()
    db.session.commit()
    officer = client_for(app, db.session.scalar(select(User).where(
        User.email == "officer@demo.example.org")))
    for code in ("A", "B"):
        html = officer.get(f"/evaluation/SCO-DA-2023/lots/{code}/panel").get_data(as_text=True)
        assert "Not declared" not in html and "No conflict" in html
