"""A step per criterion (issue 16, point 4), through HTTP: the officer sets it where the
criteria are edited; the scoring hint, the scoring and consensus validation and the score
upload all follow it; a workbook's criteria (no step) keep the contract's own rule."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from accounts.models import Organisation, User
from audit.models import AuditRecord
from evaluation.models import Consensus, Criterion, Score
from extensions import db
from procurement.data_version import counters
from tests.conftest import _password_hash
from tests.integration.test_evaluation_fixtures import (client_for, declare_none,  # noqa: F401
                                                        post, score_form, tender)
from tests.integration.test_evaluation_upload import _book, _declare_all, _full_scores, _upload


def _form(c: Criterion, **overrides) -> dict:
    return {"code": c.code, "section": c.section, "title": c.title, "weight": str(c.weight),
            "kind": c.kind, "max_score": "5", "min_score": "", "descriptors": "",
            "score_step": "", **overrides}


def _set_step(t, code: str, step: str) -> None:
    c = t.crit[f"A:{code}"]
    c.score_step = Decimal(step)
    db.session.commit()


def _step_of(t, code="Q1"):
    db.session.expire_all()
    return db.session.get(Criterion, t.crit[f"A:{code}"].id).score_step


def test_the_officer_sets_a_criterion_s_step_and_it_is_audited_and_bumps_the_figures(app, tender, users):  # noqa: F811
    t = tender
    q1 = t.crit["A:Q1"]
    officer = client_for(app, users["officer"])
    page = officer.get(t.url("A", f"/model/criteria/{q1.id}")).get_data(as_text=True)
    assert 'name="score_step"' in page and "whole or half points" in page  # the default said
    before = counters(t.procurement.id).figures
    resp = post(officer, t.url("A", f"/model/criteria/{q1.id}"), _form(q1, score_step="1"))
    assert resp.status_code == 303
    assert _step_of(t) == Decimal("1")
    assert counters(t.procurement.id).figures == before + 1
    audit = db.session.execute(select(AuditRecord).where(
        AuditRecord.entity == "criterion", AuditRecord.action == "update")).scalar_one()
    assert "score_step" in str(audit.after)
    assert "0–5, step 1" in officer.get(t.url("A", "/model")).get_data(as_text=True)
    page = officer.get(t.url("A", f"/model/criteria/{q1.id}")).get_data(as_text=True)
    assert 'name="score_step" type="text" value="1"' in page
    # emptied: back to the setting
    assert post(officer, t.url("A", f"/model/criteria/{q1.id}"), _form(q1)).status_code == 303
    assert _step_of(t) is None


def test_a_price_criterion_keeps_no_step(app, tender, users):  # noqa: F811
    t = tender
    p1 = t.crit["A:P1"]
    officer = client_for(app, users["officer"])
    resp = post(officer, t.url("A", f"/model/criteria/{p1.id}"),
                {**_form(p1, score_step="7"), "max_score": ""})
    assert resp.status_code == 303 and _step_of(t, "P1") is None


def test_each_bad_step_is_refused_with_its_reason(app, tender, users):  # noqa: F811
    t = tender
    q1 = t.crit["A:Q1"]
    officer = client_for(app, users["officer"])
    for step, words in (("0", "greater than 0"), ("-0.5", "greater than 0"),
                        ("one", "greater than 0"), ("0.125", "at most 2 decimals"),
                        ("2", "divide the maximum score of 5"), ("6", "divide the maximum score")):
        resp = post(officer, t.url("A", f"/model/criteria/{q1.id}"), _form(q1, score_step=step))
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and words in html and 'href="#score_step"' in html, step
    assert _step_of(t) is None


def test_the_step_is_refused_once_any_score_exists(app, tender, users):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    declare_none(c, t)
    bid = t.bids["A:Alpha Care"]
    post(c, t.url("A", f"/scoring/{bid.id}"), {**score_form(t, {"Q1": "3.5"}), "action": "draft"})
    assert db.session.query(Score).count() == 1
    officer = client_for(app, users["officer"])
    q1 = t.crit["A:Q1"]
    resp = post(officer, t.url("A", f"/model/criteria/{q1.id}"), _form(q1, score_step="1"))
    assert resp.status_code == 303
    assert "The change was not made." in officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert _step_of(t) is None  # the 3.5 already scored is never made invalid


def test_only_the_officer_of_the_procurement_sets_a_step(app, tender, users):  # noqa: F811
    t = tender
    q1 = t.crit["A:Q1"]
    url = t.url("A", f"/model/criteria/{q1.id}")
    for role in ("evaluator", "finance", "chief_executive", "monitoring_officer"):
        resp = post(client_for(app, users[role]), url, _form(q1, score_step="1"))
        assert resp.status_code == 403, role
    other = Organisation(name="Elsewhere Fire Authority", kind="buyer")
    stranger = User(email="officer@elsewhere.example.org", name="Other Officer", roles="officer",
                    organisation=other, password_hash=_password_hash())
    db.session.add_all([other, stranger])
    db.session.commit()
    stranger_client = client_for(app, stranger)
    assert stranger_client.get(url).status_code == 404
    assert post(stranger_client, url, _form(q1, score_step="1")).status_code == 404
    anonymous = app.test_client()
    resp = anonymous.post(url, data=_form(q1, score_step="1"))
    assert resp.status_code in (302, 400)  # signed out: to sign in (or no CSRF token)
    assert _step_of(t) is None


def test_whole_points_refuse_3_5_and_the_hint_says_whole_points(app, tender):  # noqa: F811
    t = tender
    _set_step(t, "Q1", "1")
    c = client_for(app, t.evaluators[0])
    assert declare_none(c, t).status_code == 303
    bid = t.bids["A:Alpha Care"]
    path = t.url("A", f"/scoring/{bid.id}")
    html = c.get(path).get_data(as_text=True)
    assert "Score for Q1, from 0 to 5, in whole points only, like 3" in html
    assert "Score for Q2, from 0 to 5, in whole or half points, like 3 or 3.5" in html
    assert "from 0 to its maximum in the steps its label says" in html  # two steps: no one rule
    resp = post(c, path, {**score_form(t, {"Q1": "3.5", "Q2": "3.5"}), "action": "draft"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Q1: Score must be a number from 0 to 5, in whole points only, like 3" in body
    assert "Q2: Score must" not in body
    assert db.session.query(Score).count() == 0
    resp = post(c, path, {**score_form(t, {"Q1": "3", "Q2": "3.5"}), "action": "draft"})
    assert resp.status_code == 303 and db.session.query(Score).count() == 2


def _all_submitted(app, t, users):
    _declare_all(t)
    resp = _upload(client_for(app, users["officer"]), _book(Scores=_full_scores(t)))
    assert resp.status_code == 303, resp.get_data(as_text=True)


def test_consensus_follows_the_criterion_s_step(app, tender, users):  # noqa: F811
    t = tender
    _all_submitted(app, t, users)
    _set_step(t, "Q1", "1")
    officer = client_for(app, users["officer"])
    q1, q2 = t.crit["A:Q1"].id, t.crit["A:Q2"].id
    path = t.url("A", f"/moderation/{t.bids['A:Alpha Care'].id}")
    assert "Consensus score for Q1, from 0 to 5, in whole points only" in \
        officer.get(path).get_data(as_text=True)
    resp = post(officer, path, {f"consensus-{q1}": "4.5", f"rationale-{q1}": "Agreed: Q1.",
                                f"consensus-{q2}": "4.5", f"rationale-{q2}": "Agreed: Q2."})
    assert resp.status_code == 200
    assert "Q1: Score must be a number from 0 to 5, in whole points only" in resp.get_data(as_text=True)
    # the consensus form saves what is good (issue 16, point 5): Q2's 4.5, never Q1's
    assert [c.criterion_id for c in db.session.query(Consensus)] in ([], [q2])
    assert db.session.query(Consensus).filter_by(criterion_id=q1).count() == 0


def test_the_upload_applies_a_step_only_where_the_model_set_one(app, tender, users):  # noqa: F811
    t = tender
    _declare_all(t)
    _set_step(t, "Q1", "1")
    officer = client_for(app, users["officer"])
    rows = _full_scores(t)
    rows[1][4] = 3.5  # row 2: Q1, step 1
    rows[2][4] = 3.25  # row 3: Q2 has no step of its own: the contract's rule (4 decimals)
    resp = _upload(officer, _book(Scores=rows))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert ("Scores, row 2, column score: Enter a score from 0 to 5, in whole points only, "
            "like 3: the step the evaluation model sets for Q1 (got 3.5)") in html
    assert "row 3" not in html
    assert db.session.execute(select(func.count(Score.id))).scalar_one() == 0
    rows[1][4] = 3
    resp = _upload(officer, _book(Scores=rows))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert db.session.execute(select(Score.value).where(
        Score.criterion_id == t.crit["A:Q2"].id, Score.value == Decimal("3.25"))).first()
