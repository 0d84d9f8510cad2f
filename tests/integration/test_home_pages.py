"""Each role's start page lists its work."""
from __future__ import annotations

from extensions import db
from tests.conftest import login
from tests.integration.signing_fixtures import SessionClient, client_for

REF = "SCO-DA-2023"


def _demo(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    from accounts.models import User
    from tests.conftest import _password_hash
    for u in db.session.scalars(db.select(User)):
        u.password_hash = _password_hash()
    db.session.commit()
    return runner


def _page(app, email: str) -> str:
    return client_for(app, email).get("/procurements", follow_redirects=True).get_data(as_text=True)


def test_the_officer_sees_each_procurement_with_its_stage_and_next_step(app):
    _demo(app)
    html = _page(app, "officer@demo.example.org")
    assert REF in html and "Results final" in html and "Draft the decision note" in html


def test_an_approver_sees_the_notes_awaiting_its_signature_in_turn(app):
    runner = _demo(app)
    assert runner.invoke(args=["decision-note", "send", REF]).exit_code == 0
    first = _page(app, "officer@demo.example.org")  # the originating officer signs first
    assert "awaiting your signature" in first
    later = _page(app, "s151@demo.example.org")  # not its turn yet
    assert "awaiting your signature" not in later and REF in later


def test_the_finance_reviewer_sees_bids_without_a_financial_assessment(app):
    _demo(app)
    from procurement.models import Bid
    for bid in db.session.scalars(db.select(Bid)):
        bid.financial = None
    db.session.commit()
    html = _page(app, "finance@demo.example.org")
    assert "Financial standing to record" in html and "97.00" not in html


def test_the_administrator_starts_on_users_and_organisations(app):
    _demo(app)
    c = SessionClient(app, app.response_class, use_cookies=True)
    resp = login(c, "admin@demo.example.org")
    assert resp.headers["Location"].endswith("/admin/users")
    html = c.get("/admin/users").get_data(as_text=True)
    assert "officer@demo.example.org" in html and "Staffordshire Commissioner" in html
