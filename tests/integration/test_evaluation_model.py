"""The evaluation model editor: criteria, weights' total, section minimums, the lock."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from audit.models import AuditRecord
from evaluation.models import Criterion, SectionMinimum
from extensions import db
from tests.integration.test_evaluation_fixtures import (client_for, declare_none, post,
                                                        score_form, tender)  # noqa: F401


def _criterion(**overrides) -> dict:
    return {"code": "Q3", "section": "Quality", "title": "Safeguarding", "weight": "10",
            "kind": "scored", "max_score": "5", "min_score": "", "descriptors": "", **overrides}


def test_model_page_lists_criteria_and_says_the_weights_total(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    html = officer.get(t.url("A", "/model")).get_data(as_text=True)
    assert 'id="criterion-Q1"' in html and 'id="criterion-P1"' in html
    assert "The weights total 100.00." in html and "Weights total 100" in html


def test_add_a_criterion_then_the_weights_are_over(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    form = _criterion(descriptors="0: No response\n1: Poor\n5: Excellent", min_score="2")
    resp = post(officer, t.url("A", "/model/criteria/new"), form)
    assert resp.status_code == 303
    html = officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Criterion Q3 added" in html
    assert "The weights total 110.00: 10.00 over 100." in html
    c = db.session.execute(select(Criterion).where(Criterion.code == "Q3")).scalar_one()
    assert c.min_score == 2 and c.max_score == 5 and c.position == 4
    assert c.descriptors == {"0": "No response", "1": "Poor", "5": "Excellent"}
    assert db.session.execute(select(AuditRecord).where(
        AuditRecord.entity == "criterion", AuditRecord.action == "create")).scalar_one()


def test_change_and_delete_a_criterion(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    q2 = t.crit["A:Q2"]
    page = officer.get(t.url("A", f"/model/criteria/{q2.id}")).get_data(as_text=True)
    assert 'value="Q2"' in page and "0: No response" in page
    resp = post(officer, t.url("A", f"/model/criteria/{q2.id}"),
                _criterion(code="Q2", weight="25", title="Partnership working"))
    assert resp.status_code == 303
    html = officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert "The weights total 95.00: 5.00 short of 100." in html
    db.session.refresh(q2)
    assert q2.weight == Decimal("25") and q2.title == "Partnership working"
    resp = post(officer, t.url("A", f"/model/criteria/{q2.id}/delete"))
    assert resp.status_code == 303 and db.session.get(Criterion, q2.id) is None
    actions = set(db.session.execute(select(AuditRecord.action).where(
        AuditRecord.entity == "criterion")).scalars())
    assert {"update", "delete"} <= actions


def test_bad_criterion_gets_an_error_summary_linked_to_fields(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    resp = post(officer, t.url("A", "/model/criteria/new"),
                _criterion(code="Q1", section="", weight="0", max_score="x", min_score="7",
                           descriptors="9: Too high"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<title>Error:" in html
    for field, text in (("code", "already has the code Q1"), ("section", "Enter the section"),
                        ("weight", "Weight must be a number"),
                        ("max_score", "Maximum score must be a whole number")):
        assert f'href="#{field}">' in html and text in html
        assert f'id="{field}"' in html and f'id="{field}-error"' in html
    assert len(t.lot_a.criteria) == 3


def test_section_minimums(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    html = officer.get(t.url("A", "/model")).get_data(as_text=True)
    assert 'for="minimum-0">Minimum percentage for Quality' in html
    resp = post(officer, t.url("A", "/model/sections"), {"minimum-0": "101", "minimum-1": ""})
    assert resp.status_code == 200 and 'href="#minimum-0">Quality: Minimum percentage' in \
        resp.get_data(as_text=True)
    assert post(officer, t.url("A", "/model/sections"),
                {"minimum-0": "60", "minimum-1": ""}).status_code == 303
    row = db.session.execute(select(SectionMinimum)).scalar_one()
    assert (row.section, row.min_percent) == ("Quality", Decimal("60"))
    assert post(officer, t.url("A", "/model/sections"),
                {"minimum-0": "", "minimum-1": ""}).status_code == 303
    assert db.session.execute(select(SectionMinimum)).first() is None


def test_model_is_locked_once_scoring_starts(app, tender, users):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    declare_none(c, t)
    bid = t.bids["A:Alpha Care"]
    post(c, t.url("A", f"/scoring/{bid.id}"),
         {**score_form(t, {"Q1": "3", "Q2": "3"}), "action": "draft"})
    db.session.refresh(t.lot_a)
    assert t.lot_a.model_locked
    officer = client_for(app, users["officer"])
    html = officer.get(t.url("A", "/model")).get_data(as_text=True)
    assert "Scoring has started (2 scores recorded), so the evaluation model is locked." in html
    assert 'id="add-criterion"' not in html
    q1 = t.crit["A:Q1"]
    for url, data in ((t.url("A", "/model/criteria/new"), _criterion()),
                      (t.url("A", f"/model/criteria/{q1.id}"), _criterion(code="Q1", weight="1")),
                      (t.url("A", f"/model/criteria/{q1.id}/delete"), {}),
                      (t.url("A", "/model/sections"), {"minimum-0": "50", "minimum-1": ""})):
        resp = post(officer, url, data)
        assert resp.status_code == 303, url
        msg = officer.get(resp.headers["Location"]).get_data(as_text=True)
        assert "the evaluation model is locked. The change was not made." in msg
    db.session.expire_all()
    assert len(t.lot_a.criteria) == 3 and db.session.get(Criterion, q1.id).weight == 40
    assert db.session.execute(select(SectionMinimum)).first() is None


def test_scoring_refused_while_the_weights_are_off(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    q2 = t.crit["A:Q2"]
    post(officer, t.url("A", f"/model/criteria/{q2.id}"), _criterion(code="Q2", weight="29"))
    c = client_for(app, t.evaluators[0])
    declare_none(c, t)
    assert "99.00: 1.00 short of 100" in c.get(t.url("A", "/scoring")).get_data(as_text=True)
    bid = t.bids["A:Alpha Care"]
    resp = post(c, t.url("A", f"/scoring/{bid.id}"),
                {**score_form(t, {"Q1": "3", "Q2": "3"}), "action": "draft"})
    assert resp.status_code == 303
    assert db.session.execute(select(Criterion)).scalars().all()  # model untouched
    from evaluation.models import Score
    assert db.session.execute(select(Score)).first() is None


def test_an_empty_lot_renders_every_officer_page(app, tender, users):  # noqa: F811
    from decimal import Decimal as D

    from procurement.models import Lot
    t = tender
    t.procurement.lots.append(Lot(code="C", title="Empty lot", annual_value=D(1), position=3))
    db.session.commit()
    officer = client_for(app, users["officer"])
    for tail in ("/model", "/model/criteria/new", "/panel", "/moderation", "/results",
                 "/results.csv"):
        assert officer.get(t.url("C", tail)).status_code == 200, tail
    assert "The lot has no panel yet." in officer.get(t.url("C", "/moderation")).get_data(as_text=True)
    assert "The weights total 0.00: 100.00 short of 100." in \
        officer.get(t.url("C", "/model")).get_data(as_text=True)
    assert officer.get("/evaluation/EV-TEST-1").status_code == 200
