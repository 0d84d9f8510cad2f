"""Every evaluation guard, each tried and refused through HTTP (SPEC §6, DOMAIN guards)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounts.models import Organisation, User
from evaluation.models import ConflictDeclaration, Consensus, Criterion, Score
from extensions import db
from tests.conftest import _password_hash
from tests.integration.test_evaluation_fixtures import (client_for, declare_none, post,
                                                        score_form, tender)  # noqa: F401

SECRET = "Evaluator one's private reasoning about Alpha, 7f3a."


def _scores() -> int:
    return db.session.execute(select(func.count(Score.id))).scalar_one()


def _consensus() -> int:
    return db.session.execute(select(func.count(Consensus.id))).scalar_one()


def _submit_everything(app, t):
    """All three lot A evaluators declare no conflict and submit every score."""
    for user in t.evaluators:
        c = client_for(app, user)
        declare_none(c, t)
        for bidder in ("Alpha Care", "Beta Support"):
            bid = t.bids[f"A:{bidder}"]
            resp = post(c, t.url("A", f"/scoring/{bid.id}"),
                        {**score_form(t, {"Q1": "4", "Q2": "3"}), "action": "submit"})
            assert resp.status_code == 303


# --- no score before a conflict-of-interest declaration --------------------------------------

def test_no_score_before_declaration(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    bid = t.bids["A:Alpha Care"]
    path = t.url("A", f"/scoring/{bid.id}")
    resp = c.get(path)  # not even a look at the bid
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/declarations")
    resp = post(c, path, {**score_form(t, {"Q1": "4", "Q2": "4"}), "action": "draft"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/declarations")
    assert _scores() == 0
    resp = post(c, t.url("A", "/scoring/submit"))
    assert resp.headers["Location"].endswith("/declarations") and _scores() == 0
    assert "Declare any conflicts" in c.get(resp.headers["Location"]).get_data(as_text=True)


def test_declaring_a_conflict_needs_details(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    alpha, beta = t.bidders["Alpha Care"], t.bidders["Beta Support"]
    resp = post(c, t.url("A", "/declarations"), {f"coi-{alpha.id}": "conflict",
                                                 f"details-{alpha.id}": "  "})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<title>Error:" in html
    assert f'href="#details-{alpha.id}">Describe your conflict of interest with Alpha Care' in html
    assert f'href="#coi-{beta.id}">Select whether you have a conflict of interest with Beta' in html
    assert f'id="details-{alpha.id}"' in html and f'id="coi-{beta.id}"' in html
    assert db.session.execute(select(func.count(ConflictDeclaration.id))).scalar_one() == 0


# --- no score for a conflicted bidder --------------------------------------------------------

def test_conflicted_bidder_is_barred(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    alpha, beta = t.bidders["Alpha Care"], t.bidders["Beta Support"]
    resp = post(c, t.url("A", "/declarations"), {
        f"coi-{alpha.id}": "none", f"coi-{beta.id}": "conflict",
        f"details-{beta.id}": "My sister is Beta Support's chair."})
    assert resp.status_code == 303
    overview = c.get(t.url("A", "/scoring")).get_data(as_text=True)
    assert "Alpha Care" in overview and "Beta Support" not in overview
    beta_bid = t.bids["A:Beta Support"]
    path = t.url("A", f"/scoring/{beta_bid.id}")
    assert c.get(path).status_code == 403
    resp = post(c, path, {**score_form(t, {"Q1": "5", "Q2": "5"}), "action": "draft"})
    assert resp.status_code == 403 and _scores() == 0
    # and the declaration cannot be undone by posting again
    post(c, t.url("A", "/declarations"), {f"coi-{beta.id}": "none"})
    assert db.session.execute(select(ConflictDeclaration.conflicted).where(
        ConflictDeclaration.bidder_id == beta.id)).scalar_one() is True
    # the officer sees the declaration
    officer = client_for(app, User.query.filter_by(email="officer@example.org").one())
    assert "My sister is Beta Support" in officer.get(t.url("A", "/panel")).get_data(as_text=True)


# --- nobody reads another evaluator's scores before moderation -------------------------------

def test_no_reading_another_evaluators_scores(app, tender, users):  # noqa: F811
    t = tender
    one, two = client_for(app, t.evaluators[0]), client_for(app, t.evaluators[1])
    declare_none(one, t)
    declare_none(two, t)
    bid = t.bids["A:Alpha Care"]
    path = t.url("A", f"/scoring/{bid.id}")
    post(one, path, {**score_form(t, {"Q1": "1.5", "Q2": "0.5"}, why=SECRET), "action": "submit"})
    assert _scores() == 2
    # by URL: the same bid page shows evaluator two only their own (empty) form
    html = two.get(path).get_data(as_text=True)
    assert SECRET not in html and 'value="1.5"' not in html
    # by JSON: only their own scores
    assert two.get(t.url("A", "/scoring/my-scores.json")).get_json()["scores"] == []
    # by the moderation, results, CSV and workbook pages: evaluators are refused outright
    for url in (t.url("A", "/moderation"), t.url("A", f"/moderation/{bid.id}"),
                t.url("A", "/results"), t.url("A", "/results.csv"),
                "/evaluation/EV-TEST-1/workbook.xlsx", "/evaluation/EV-TEST-1/upload",
                "/evaluation/EV-TEST-1", t.url("A", "/panel")):
        resp = two.get(url)
        assert resp.status_code == 403, url
        assert SECRET not in resp.get_data(as_text=True)
    # the officer neither sees individual scores before every one is submitted
    officer = client_for(app, users["officer"])
    for url in (t.url("A", "/moderation"), t.url("A", f"/moderation/{bid.id}")):
        html = officer.get(url).get_data(as_text=True)
        assert SECRET not in html and "still to submit" in html


# --- submitted scores are locked -------------------------------------------------------------

def test_no_change_to_a_submitted_score(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    declare_none(c, t)
    bid = t.bids["A:Alpha Care"]
    path = t.url("A", f"/scoring/{bid.id}")
    assert post(c, path, {**score_form(t, {"Q1": "3", "Q2": "3"}), "action": "submit"}
                ).status_code == 303
    for action in ("draft", "submit"):
        resp = post(c, path, {**score_form(t, {"Q1": "5", "Q2": "5"}), "action": action})
        assert resp.status_code == 303
        assert "submitted and locked" in c.get(resp.headers["Location"]).get_data(as_text=True)
    values = db.session.execute(select(Score.value)).scalars().all()
    assert sorted(values) == [Decimal(3), Decimal(3)]
    # submit-all does not resubmit or change them either
    post(c, t.url("A", "/scoring/submit"))
    assert sorted(db.session.execute(select(Score.value)).scalars().all()) == [3, 3]


def test_submission_needs_every_criterion_and_a_long_enough_justification(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    declare_none(c, t)
    bid = t.bids["A:Alpha Care"]
    q1, q2 = t.crit["A:Q1"], t.crit["A:Q2"]
    resp = post(c, t.url("A", f"/scoring/{bid.id}"), {
        f"score-{q1.id}": "6", f"justification-{q1.id}": "Too short",
        f"score-{q2.id}": "", f"justification-{q2.id}": "", "action": "submit"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<title>Error:" in html
    assert f'href="#score-{q1.id}">Q1: Score must be a number from 0 to 5' in html
    assert f'href="#justification-{q1.id}">Q1: Justification must be at least 20 characters' in html
    assert f'href="#score-{q2.id}">Q2: Enter a score' in html
    assert _scores() == 0
    # a draft may be partial, but submit-all refuses while anything is missing
    post(c, t.url("A", f"/scoring/{bid.id}"), {f"score-{q1.id}": "4",
                                               f"justification-{q1.id}": "short",
                                               "action": "draft"})
    resp = post(c, t.url("A", "/scoring/submit"))
    assert "Nothing was submitted" in c.get(resp.headers["Location"]).get_data(as_text=True)
    assert db.session.execute(select(Score.state)).scalars().all() == ["draft"]


# --- moderation and final results ------------------------------------------------------------

def test_no_consensus_before_all_are_submitted(app, tender, users):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    declare_none(c, t)
    bid = t.bids["A:Alpha Care"]
    post(c, t.url("A", f"/scoring/{bid.id}"),
         {**score_form(t, {"Q1": "4", "Q2": "4"}), "action": "submit"})
    officer = client_for(app, users["officer"])
    q1 = t.crit["A:Q1"]
    resp = post(officer, t.url("A", f"/moderation/{bid.id}"),
                {f"consensus-{q1.id}": "4", f"rationale-{q1.id}": "Agreed."})
    assert resp.status_code == 303 and _consensus() == 0
    assert "still to submit" in officer.get(resp.headers["Location"]).get_data(as_text=True)


def test_no_final_results_while_unmoderated(app, tender, users):  # noqa: F811
    t = tender
    _submit_everything(app, t)
    officer = client_for(app, users["officer"])
    bid = t.bids["A:Alpha Care"]
    q1, q2 = t.crit["A:Q1"], t.crit["A:Q2"]
    resp = post(officer, t.url("A", f"/moderation/{bid.id}"),
                {f"consensus-{q1.id}": "4", f"rationale-{q1.id}": "Agreed.",
                 f"consensus-{q2.id}": "3", f"rationale-{q2.id}": "Agreed."})
    assert resp.status_code == 303 and _consensus() == 2
    resp = post(officer, t.url("A", "/moderation/final"))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/moderation")
    assert "without a consensus score" in officer.get(resp.headers["Location"]).get_data(as_text=True)
    db.session.refresh(t.lot_a)
    assert t.lot_a.results_final_at is None


def test_consensus_needs_a_rationale_and_a_score_in_range(app, tender, users):  # noqa: F811
    t = tender
    _submit_everything(app, t)
    officer = client_for(app, users["officer"])
    bid = t.bids["A:Alpha Care"]
    q1, q2 = t.crit["A:Q1"], t.crit["A:Q2"]
    resp = post(officer, t.url("A", f"/moderation/{bid.id}"),
                {f"consensus-{q1.id}": "4", f"rationale-{q1.id}": "",
                 f"consensus-{q2.id}": "9", f"rationale-{q2.id}": "Too high"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<title>Error:" in html
    assert f'href="#rationale-{q1.id}">Q1: Enter the rationale' in html
    assert f'href="#consensus-{q2.id}">Q2: Score must be a number from 0 to 5' in html
    assert _consensus() == 0


def test_nothing_changes_once_results_are_final(app, tender, users):  # noqa: F811
    t = tender
    _submit_everything(app, t)
    officer = client_for(app, users["officer"])
    q1, q2 = t.crit["A:Q1"], t.crit["A:Q2"]
    for bidder in ("Alpha Care", "Beta Support"):
        bid = t.bids[f"A:{bidder}"]
        post(officer, t.url("A", f"/moderation/{bid.id}"),
             {f"consensus-{q1.id}": "4", f"rationale-{q1.id}": "Agreed.",
              f"consensus-{q2.id}": "3", f"rationale-{q2.id}": "Agreed."})
    assert post(officer, t.url("A", "/moderation/final")).headers["Location"].endswith("/results")
    bid = t.bids["A:Alpha Care"]
    resp = post(officer, t.url("A", f"/moderation/{bid.id}"),
                {f"consensus-{q1.id}": "5", f"rationale-{q1.id}": "Changed our minds."})
    assert "results are final" in officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert db.session.execute(select(Consensus.value).where(
        Consensus.bid_id == bid.id, Consensus.criterion_id == q1.id)).scalar_one() == 4
    resp = post(officer, t.url("A", f"/model/criteria/{q1.id}"),
                {"code": "Q1", "section": "Quality", "title": "x", "weight": "40",
                 "kind": "scored", "max_score": "5"})
    assert "results are final" in officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert post(officer, t.url("A", "/moderation/final")).status_code == 303
    assert post(officer, t.url("A", "/panel"), {"user_id": str(t.evaluators[2].id)}
                ).status_code == 200  # refused with the reason, nothing added
    assert len(t.lot_a.panel) == 3


# --- who may open what -----------------------------------------------------------------------

def test_evaluator_of_lot_a_cannot_open_lot_b(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])  # on lot A's panel only
    declare_none(c, t)
    b_bid = t.bids["B:Gamma Trust"]
    for url in (t.url("B", "/scoring"), t.url("B", "/declarations"),
                t.url("B", f"/scoring/{b_bid.id}"), t.url("B", "/scoring/my-scores.json")):
        assert c.get(url).status_code == 403, url
    gamma = t.bidders["Gamma Trust"]
    assert post(c, t.url("B", "/declarations"), {f"coi-{gamma.id}": "none"}).status_code == 403
    assert post(c, t.url("B", f"/scoring/{b_bid.id}"),
                {**score_form(t, {"Q1": "5", "I1": "5"}, lot="B"), "action": "draft"}
                ).status_code == 403
    assert post(c, t.url("B", "/scoring/submit")).status_code == 403
    # nor reach a lot B bid through lot A's pages
    assert c.get(t.url("A", f"/scoring/{b_bid.id}")).status_code == 404
    assert post(c, t.url("A", f"/scoring/{b_bid.id}"),
                {**score_form(t, {"Q1": "5", "Q2": "5"}), "action": "draft"}).status_code == 404
    assert _scores() == 0
    assert db.session.execute(select(func.count(ConflictDeclaration.id)).where(
        ConflictDeclaration.bidder_id == gamma.id)).scalar_one() == 0


def test_evaluator_cannot_open_officer_pages(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    bid = t.bids["A:Alpha Care"]
    q1 = t.crit["A:Q1"]
    for url in (t.url("A", "/model"), t.url("A", "/model/criteria/new"),
                t.url("A", f"/model/criteria/{q1.id}"), t.url("A", "/panel"),
                t.url("A", "/moderation"), t.url("A", f"/moderation/{bid.id}"),
                t.url("A", "/results"), t.url("A", "/results.csv"),
                "/evaluation/EV-TEST-1", "/evaluation/EV-TEST-1/workbook.xlsx",
                "/evaluation/EV-TEST-1/upload"):
        assert c.get(url).status_code == 403, url
    for url in (t.url("A", "/model/criteria/new"), t.url("A", f"/model/criteria/{q1.id}/delete"),
                t.url("A", "/moderation/final"), t.url("A", f"/moderation/{bid.id}"),
                t.url("A", "/panel")):
        assert post(c, url, {"user_id": str(t.evaluators[0].id)}).status_code == 403, url
    assert db.session.get(Criterion, q1.id) is not None


@pytest.mark.parametrize("role", ["supplier", "chief_executive", "monitoring_officer",
                                  "s151_officer", "commissioner", "finance", "admin", "officer"])
def test_only_evaluators_score(app, tender, users, role):  # noqa: F811
    t = tender
    c = client_for(app, users[role])
    bid = t.bids["A:Alpha Care"]
    refused = 404 if role == "supplier" else 403  # another organisation is not told it exists
    assert c.get(t.url("A", "/scoring")).status_code == refused
    assert c.get(t.url("A", f"/scoring/{bid.id}")).status_code == refused
    assert c.get("/evaluation/mine").status_code == 403
    alpha = t.bidders["Alpha Care"]
    assert post(c, t.url("A", "/declarations"), {f"coi-{alpha.id}": "none"}).status_code == refused
    assert post(c, t.url("A", f"/scoring/{bid.id}"),
                {**score_form(t, {"Q1": "5", "Q2": "5"}), "action": "submit"}).status_code == refused
    assert _scores() == 0


@pytest.mark.parametrize("role", ["supplier", "chief_executive", "finance", "admin"])
def test_only_the_officer_moderates_and_edits_the_model(app, tender, users, role):  # noqa: F811
    t = tender
    c = client_for(app, users[role])
    for url in (t.url("A", "/model"), t.url("A", "/panel"), t.url("A", "/moderation"),
                "/evaluation/EV-TEST-1/workbook.xlsx"):
        assert c.get(url).status_code == (404 if role == "supplier" else 403), url
    assert post(c, t.url("A", "/moderation/final")).status_code == (404 if role == "supplier" else 403)


def test_results_readers_and_suppliers(app, tender, users):  # noqa: F811
    t = tender
    assert client_for(app, users["chief_executive"]).get(t.url("A", "/results")).status_code == 200
    # DOMAIN.md: the finance reviewer records Delphi scores and accounts, not results
    assert client_for(app, users["finance"]).get(t.url("A", "/results.csv")).status_code == 403
    assert client_for(app, users["admin"]).get(t.url("A", "/results")).status_code == 403
    assert client_for(app, users["supplier"]).get(t.url("A", "/results")).status_code == 404


def test_officer_of_another_organisation_is_refused(app, tender):  # noqa: F811
    t = tender
    other = Organisation(name="Another Council", kind="buyer")
    u = User(email="other.officer@example.org", name="Other Officer", roles="officer",
             organisation=other)
    u.password_hash = _password_hash()
    db.session.add_all([other, u])
    db.session.commit()
    c = client_for(app, u)
    for url in (t.url("A", "/model"), t.url("A", "/panel"), t.url("A", "/moderation"),
                t.url("A", "/results"), "/evaluation/EV-TEST-1"):
        assert c.get(url).status_code == 404, url  # not even told it exists


def test_unknown_procurement_lot_or_bid_is_404(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    assert officer.get("/evaluation/NOPE/lots/A/model").status_code == 404
    assert officer.get(t.url("Z", "/model")).status_code == 404
    assert officer.get(t.url("A", "/moderation/999999")).status_code == 404


# --- CSRF on every form ----------------------------------------------------------------------

def test_every_form_needs_its_csrf_token(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    evaluator = client_for(app, t.evaluators[0])
    bid = t.bids["A:Alpha Care"]
    q1 = t.crit["A:Q1"]
    member = t.members[("A", 0)]
    alpha = t.bidders["Alpha Care"]
    officer_posts = [
        (t.url("A", "/model/criteria/new"), {"code": "Q9", "section": "Quality", "title": "t",
                                             "weight": "1", "kind": "scored", "max_score": "5"}),
        (t.url("A", f"/model/criteria/{q1.id}"), {"code": "Q1", "section": "Quality",
                                                  "title": "changed", "weight": "40",
                                                  "kind": "scored", "max_score": "5"}),
        (t.url("A", f"/model/criteria/{q1.id}/delete"), {}),
        (t.url("A", "/model/sections"), {"minimum-0": "50"}),
        (t.url("A", "/panel"), {"user_id": str(users["evaluator"].id)}),
        (t.url("A", f"/panel/{member.id}/remove"), {}),
        (t.url("A", f"/moderation/{bid.id}"), {f"consensus-{q1.id}": "4",
                                               f"rationale-{q1.id}": "Agreed."}),
        (t.url("A", "/moderation/final"), {}),
        ("/evaluation/EV-TEST-1/upload", {}),
    ]
    evaluator_posts = [
        (t.url("A", "/declarations"), {f"coi-{alpha.id}": "none"}),
        (t.url("A", f"/scoring/{bid.id}"), {**score_form(t, {"Q1": "4", "Q2": "4"}),
                                            "action": "draft"}),
        (t.url("A", "/scoring/submit"), {}),
    ]
    for client, posts in ((officer, officer_posts), (evaluator, evaluator_posts)):
        for url, data in posts:
            resp = client.post(url, data=data)
            assert resp.status_code == 400, url
            assert "Your form expired" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Criterion, q1.id).title == "Quality Q1"
    assert len(t.lot_a.criteria) == 3 and len(t.lot_a.panel) == 3
    assert _scores() == 0 and _consensus() == 0
    assert db.session.execute(select(func.count(ConflictDeclaration.id))).scalar_one() == 0
