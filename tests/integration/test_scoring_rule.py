"""One scoring rule: the hint, the validation and the draft/submit justification check say
the same thing."""
from __future__ import annotations

import clock
from accounts.models import SettingValue
from evaluation.models import Score
from evaluation.rules import score_rule
from extensions import db
from tests.integration.test_evaluation_fixtures import (client_for, declare_none,  # noqa: F401
                                                        post, score_form, tender)


def _page(c, t, bid):
    return c.get(t.url("A", f"/scoring/{bid.id}")).get_data(as_text=True)


def test_the_hint_and_the_error_say_the_same_step_and_quarter_points_are_refused(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    assert declare_none(c, t).status_code == 303
    bid = t.bids["A:Alpha Care"]
    html = _page(c, t, bid)
    assert "whole or half points, like 3 or 3.5" in html and score_rule(5) in html
    resp = post(c, t.url("A", f"/scoring/{bid.id}"), {**score_form(t, {"Q1": "3.25"}),
                                                       "action": "draft"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Q1: Score must be a number " + score_rule(5) in body
    assert db.session.query(Score).count() == 0


def test_the_step_is_a_setting(app, tender, users):  # noqa: F811
    t = tender
    db.session.add(SettingValue(key="score_step", value="0.25", effective_from=clock.today(),
                                changed_by="admin@example.org"))
    db.session.commit()
    c = client_for(app, t.evaluators[0])
    assert declare_none(c, t).status_code == 303
    bid = t.bids["A:Alpha Care"]
    assert "quarter points" in _page(c, t, bid)
    resp = post(c, t.url("A", f"/scoring/{bid.id}"), {**score_form(t, {"Q1": "3.25"}),
                                                       "action": "draft"})
    assert resp.status_code == 303 and db.session.query(Score).count() == 1


def test_a_short_justification_is_warned_on_draft_and_refused_on_submit(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    assert declare_none(c, t).status_code == 303
    bid = t.bids["A:Alpha Care"]
    path = t.url("A", f"/scoring/{bid.id}")
    short = score_form(t, {"Q1": "4", "Q2": "3"}, why="too short")
    resp = post(c, path, {**short, "action": "draft"})
    assert resp.status_code == 303
    page = c.get(path).get_data(as_text=True)
    assert "Draft scores for Alpha Care saved. Before you submit: Q1: Justification must be " \
           "at least 20 characters to submit (it has 9)" in page
    resp = post(c, path, {**short, "action": "submit"})
    assert resp.status_code == 200
    assert "Justification must be at least 20 characters (it has 9)" in resp.get_data(as_text=True)
    assert {s.state for s in db.session.query(Score)} == {"draft"}
