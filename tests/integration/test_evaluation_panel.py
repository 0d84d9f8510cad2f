"""The panel: assigning evaluators, removing them, declarations the officer sees."""
from __future__ import annotations

from sqlalchemy import select

from accounts.models import User
from audit.models import AuditRecord
from procurement.models import PanelMember
from extensions import db
from tests.conftest import _password_hash
from tests.integration.test_evaluation_fixtures import (client_for, declare_none, post,
                                                        score_form, tender)  # noqa: F401


def test_officer_assigns_an_evaluator(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    html = officer.get(t.url("B", "/panel")).get_data(as_text=True)
    assert 'for="user_id">Add an evaluator' in html
    assert f'<option value="{t.evaluators[0].id}">' in html
    assert f'<option value="{t.evaluators[2].id}">' not in html  # already on lot B
    assert f'<option value="{users["officer"].id}">' not in html  # not an evaluator
    resp = post(officer, t.url("B", "/panel"), {"user_id": str(t.evaluators[0].id)})
    assert resp.status_code == 303
    member = db.session.execute(select(PanelMember).where(
        PanelMember.lot_id == t.lot_b.id, PanelMember.user_id == t.evaluators[0].id)).scalar_one()
    assert member.name == t.evaluators[0].name
    assert db.session.execute(select(AuditRecord).where(
        AuditRecord.entity == "panel_member", AuditRecord.action == "assign")).scalar_one()
    # the new member now reaches lot B
    c = client_for(app, t.evaluators[0])
    assert c.get(t.url("B", "/declarations")).status_code == 200


def test_assigning_twice_or_a_non_evaluator_is_refused(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    for user_id, text in ((t.evaluators[2].id, "already on the panel"),
                          (users["officer"].id, "Select an evaluator"), ("", "Select an evaluator")):
        resp = post(officer, t.url("B", "/panel"), {"user_id": str(user_id)})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and text in html and 'href="#user_id"' in html
    assert len(t.lot_b.panel) == 1


def test_remove_a_member_without_scores_only(app, tender, users):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    declare_none(c, t)
    post(c, t.url("A", f"/scoring/{t.bids['A:Alpha Care'].id}"),
         {**score_form(t, {"Q1": "3", "Q2": "3"}), "action": "draft"})
    officer = client_for(app, users["officer"])
    scored, idle = t.members[("A", 0)], t.members[("A", 1)]
    html = officer.get(t.url("A", "/panel")).get_data(as_text=True)
    assert f'id="remove-member-{idle.id}"' in html and f'id="remove-member-{scored.id}"' not in html
    resp = post(officer, t.url("A", f"/panel/{scored.id}/remove"))
    assert "has recorded scores" in officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert post(officer, t.url("A", f"/panel/{idle.id}/remove")).status_code == 303
    db.session.expire_all()
    assert {m.id for m in t.lot_a.panel} == {scored.id, t.members[("A", 2)].id}


def test_officer_sees_declarations_and_progress(app, tender, users):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[1])
    alpha, beta = t.bidders["Alpha Care"], t.bidders["Beta Support"]
    post(c, t.url("A", "/declarations"), {f"coi-{alpha.id}": "none", f"coi-{beta.id}": "conflict",
                                          f"details-{beta.id}": "Former employee of Beta."})
    officer = client_for(app, users["officer"])
    html = officer.get(t.url("A", "/panel")).get_data(as_text=True)
    assert "Former employee of Beta." in html and "Not declared" in html
    # a conflicted member is expected to score one bid only: 2 of the 12 expected go
    assert 'id="lot-progress-scores">0 of 10<' in html
    assert f'id="progress-member-{t.members[("A", 1)].id}">0 of 2<' in html


def test_declarations_page_lists_made_declarations(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    declare_none(c, t)
    html = c.get(t.url("A", "/declarations")).get_data(as_text=True)
    assert 'id="declarations-made"' in html and "No conflict of interest" in html
    assert 'id="save-declarations"' not in html


def test_inactive_evaluator_is_not_offered(app, tender, users):  # noqa: F811
    t = tender
    u = User(email="gone@example.org", name="Gone Evaluator", roles="evaluator",
             organisation=users["officer"].organisation, active=False)
    u.password_hash = _password_hash()
    db.session.add(u)
    db.session.commit()
    officer = client_for(app, users["officer"])
    assert "Gone Evaluator" not in officer.get(t.url("B", "/panel")).get_data(as_text=True)
    resp = post(officer, t.url("B", "/panel"), {"user_id": str(u.id)})
    assert resp.status_code == 200 and len(t.lot_b.panel) == 1
