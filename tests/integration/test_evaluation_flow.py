"""The panel's working day through HTTP: declare → score → submit → moderate → final →
results with the published totals."""
from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from audit.models import AuditRecord
from audit.services import verify
from evaluation.models import Consensus, Score
from extensions import db
from tests.integration.test_evaluation_fixtures import (client_for, declare_none, post,
                                                        score_form, tender)  # noqa: F401

# evaluator index -> bidder -> {criterion: score}
INDIVIDUAL = {
    0: {"Alpha Care": {"Q1": "5", "Q2": "4"}, "Beta Support": {"Q1": "4", "Q2": "5"}},
    1: {"Alpha Care": {"Q1": "5", "Q2": "3"}, "Beta Support": {"Q1": "4", "Q2": "5"}},
    2: {"Alpha Care": {"Q1": "4", "Q2": "4.5"}, "Beta Support": {"Q1": "3", "Q2": "2"}},
}
CONSENSUS = {"Alpha Care": {"Q1": "5", "Q2": "4"}, "Beta Support": {"Q1": "4", "Q2": "5"}}


def _score_lot_a(app, t):
    for i, user in enumerate(t.evaluators):
        c = client_for(app, user)
        # before declaring, the scoring page sends the evaluator to the declarations
        resp = c.get(t.url("A", "/scoring"))
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/declarations")
        page = c.get(t.url("A", "/declarations")).get_data(as_text=True)
        assert "Alpha Care" in page and "Beta Support" in page
        assert declare_none(c, t).status_code == 303
        overview = c.get(t.url("A", "/scoring")).get_data(as_text=True)
        assert "Not started" in overview
        for bidder, values in INDIVIDUAL[i].items():
            bid = t.bids[f"A:{bidder}"]
            path = t.url("A", f"/scoring/{bid.id}")
            resp = post(c, path, {**score_form(t, values), "action": "draft"})
            assert resp.status_code == 303, resp.get_data(as_text=True)
            page = c.get(path).get_data(as_text=True)
            assert f'value="{values["Q1"]}"' in page  # the draft comes back
            if i == 0:  # evaluator 1 submits bid by bid
                resp = post(c, path, {**score_form(t, values), "action": "submit"})
                assert resp.status_code == 303
        if i != 0:  # the others submit the whole lot at once
            resp = post(c, t.url("A", "/scoring/submit"))
            assert resp.status_code == 303
            assert "submitted for lot A" in c.get(resp.headers["Location"]).get_data(as_text=True)


def test_declare_score_submit_moderate_final_results(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    # before any score, the officer sees progress and no moderation
    panel = officer.get(t.url("A", "/panel")).get_data(as_text=True)
    assert 'id="lot-progress-scores">0 of 12<' in panel
    assert "still to submit" in officer.get(t.url("A", "/moderation")).get_data(as_text=True)

    _score_lot_a(app, t)
    assert db.session.execute(select(func.count(Score.id)).where(
        Score.state == "submitted")).scalar_one() == 12

    panel = officer.get(t.url("A", "/panel")).get_data(as_text=True)
    assert 'id="lot-progress-scores">12 of 12<' in panel
    for m in ("A", 0), ("A", 1), ("A", 2):
        assert f'id="progress-member-{t.members[m].id}">4 of 4<' in panel

    page = officer.get(t.url("A", "/moderation")).get_data(as_text=True)
    assert "<svg" in page and "individual scores against consensus" in page.lower()
    assert "Wide</strong>" in page  # Beta Q2: 5, 5, 2 → spread 3 > 2
    assert "4.5" in page

    for bidder, values in CONSENSUS.items():
        bid = t.bids[f"A:{bidder}"]
        path = t.url("A", f"/moderation/{bid.id}")
        detail = officer.get(path).get_data(as_text=True)
        assert "The bid&#39;s evidence for Q1" in detail  # justifications side by side
        data = {}
        for code, v in values.items():
            cid = t.crit[f"A:{code}"].id
            data[f"consensus-{cid}"] = v
            data[f"rationale-{cid}"] = f"Agreed at moderation: {code}."
        resp = post(officer, path, data)
        assert resp.status_code == 303, resp.get_data(as_text=True)
    assert db.session.execute(select(func.count(Consensus.id))).scalar_one() == 4

    resp = post(officer, t.url("A", "/moderation/final"))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/results")
    db.session.refresh(t.lot_a)
    assert t.lot_a.results_final_at is not None and t.lot_a.model_locked

    html = officer.get(t.url("A", "/results")).get_data(as_text=True)
    assert 'data-bidder="Alpha Care"' in html
    assert ">94.00<" in html and ">87.00<" in html
    assert html.index('data-bidder="Alpha Care"') < html.index('data-bidder="Beta Support"')
    assert 'id="margin">7.00 points' in html
    assert "Unmoderated" not in html.split('id="results"')[1].split("</table>")[0]
    assert "would make Beta Support the winner" in html
    assert "Final</strong>" in html

    rows = list(csv.DictReader(io.StringIO(
        officer.get(t.url("A", "/results.csv")).get_data(as_text=True))))
    assert [(r["bidder"], r["rank"], round(float(r["total"]), 6)) for r in rows] == [
        ("Alpha Care", "1", 94.0), ("Beta Support", "2", 87.0)]

    # every score, consensus and the final mark are in the audit chain, which verifies
    actions = {(a.entity, a.action) for a in db.session.execute(select(AuditRecord)).scalars()}
    assert {("conflict_declaration", "declare"), ("score", "draft"), ("score", "submit"),
            ("consensus", "record"), ("lot", "results_final"), ("lot", "model_locked")} <= actions
    count, problem = verify()
    assert problem is None and count >= 30


def test_results_page_labels_unmoderated_and_excluded(app, tender, users):  # noqa: F811
    t = tender
    t.bids["A:Beta Support"].selection = "fail"
    t.bids["A:Beta Support"].selection_reason = "No insurance certificate"
    db.session.commit()
    _score_lot_a(app, t)
    officer = client_for(app, users["officer"])
    html = officer.get(t.url("A", "/results")).get_data(as_text=True)
    assert "Unmoderated" in html and "Provisional" in html
    assert "Excluded" in html and "No insurance certificate" in html


def test_evaluator_start_page_lists_only_their_lots(app, tender):  # noqa: F811
    t = tender
    c = client_for(app, t.evaluators[0])
    html = c.get("/evaluation/mine").get_data(as_text=True)
    assert "Lot A: Victim services" in html and "Lot B" not in html
    c3 = client_for(app, t.evaluators[2])
    html = c3.get("/evaluation/mine").get_data(as_text=True)
    assert "Lot A: Victim services" in html and "Lot B: Perpetrator services" in html


def test_procurement_page_links(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    html = officer.get(f"/procurements/{t.procurement.reference}").get_data(as_text=True)
    for tail in ("/model", "/panel", "/moderation", "/results"):
        assert t.url("A", tail) in html and t.url("B", tail) in html
    c = client_for(app, t.evaluators[0])
    html = c.get(f"/procurements/{t.procurement.reference}").get_data(as_text=True)
    assert "/evaluation/mine" in html and t.url("A", "/scoring") in html
    assert t.url("B", "/scoring") not in html and t.url("A", "/moderation") not in html
    ceo = client_for(app, users["chief_executive"])
    html = ceo.get(f"/procurements/{t.procurement.reference}").get_data(as_text=True)
    assert t.url("A", "/results") in html and t.url("A", "/moderation") not in html


def test_officer_overview_shows_progress(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    html = officer.get(f"/evaluation/{t.procurement.reference}").get_data(as_text=True)
    assert 'id="progress-A">0 of 12<' in html and 'id="progress-B">0 of 4<' in html


def test_my_scores_json_has_only_my_scores(app, tender):  # noqa: F811
    t = tender
    _score_lot_a(app, t)
    c = client_for(app, t.evaluators[2])
    data = c.get(t.url("A", "/scoring/my-scores.json")).get_json()
    assert data["evaluator"] == "Evaluator 3" and len(data["scores"]) == 4
    assert {(s["bidder"], s["criterion"], s["score"]) for s in data["scores"]} == {
        ("Alpha Care", "Q1", 4.0), ("Alpha Care", "Q2", 4.5),
        ("Beta Support", "Q1", 3.0), ("Beta Support", "Q2", 2.0)}


def test_moderation_saves_part_way_and_shows_what_remains(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    _score_lot_a(app, t)
    bid = t.bids["A:Alpha Care"]
    path = t.url("A", f"/moderation/{bid.id}")
    q1, q2 = t.crit["A:Q1"].id, t.crit["A:Q2"].id
    resp = post(officer, path, {f"consensus-{q1}": "5", f"rationale-{q1}": "Agreed: Q1."})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(path)
    page = officer.get(path).get_data(as_text=True)
    assert "Still to moderate: Q2." in page and 'id="still-to-moderate"' in page
    # a complete row saves even while another row is half filled in (a score, no rationale)
    resp = post(officer, path, {f"consensus-{q1}": "4", f"rationale-{q1}": "Agreed again: Q1.",
                                f"consensus-{q2}": "3"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Saved the consensus for Q1" in html
    assert "Q2: Enter the rationale" in html
    got = {c.criterion_id: c.value for c in db.session.query(Consensus)}
    assert got == {q1: 4}
    resp = post(officer, path, {f"consensus-{q2}": "3", f"rationale-{q2}": "Agreed: Q2."})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/moderation")
