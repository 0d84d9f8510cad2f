"""The workbook download and the upload of a panel's Scores/Consensus sheets: all or nothing."""
from __future__ import annotations

import io

import openpyxl
from sqlalchemy import func, select

from evaluation.models import ConflictDeclaration, Consensus, Score
from extensions import db
from tests.integration.test_evaluation_fixtures import client_for, post, tender  # noqa: F401

SCORES_HEADER = ["lot", "bidder", "criterion", "evaluator", "score", "comment"]
CONSENSUS_HEADER = ["Lot", " Bidder ", "criterion", "score", "rationale"]  # case, spaces


def _book(**sheets) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _declare_all(t, conflicted=()):
    for (lot, i), member in t.members.items():
        for bid in (t.lot_a if lot == "A" else t.lot_b).bids:
            name = bid.bidder.name
            db.session.add(ConflictDeclaration(
                member_id=member.id, bidder_id=bid.bidder_id,
                conflicted=(i, name) in conflicted, details="Related" if (i, name) in conflicted else ""))
    db.session.commit()


def _full_scores(t):
    rows = [SCORES_HEADER]
    for i, user in enumerate(t.evaluators):
        for bidder, (q1, q2) in (("Alpha Care", (5, 4)), ("Beta Support", (4, 5))):
            rows.append(["A", bidder, "Q1", user.name, q1, "Evidence was strong."])
            rows.append(["A", bidder, "Q2", user.name, q2, "Evidence was fair."])
    return rows


def _consensus():
    return [CONSENSUS_HEADER,
            ["A", "Alpha Care", "Q1", 5, "Agreed."], ["A", "Alpha Care", "Q2", 4, "Agreed."],
            ["A", "Beta Support", "Q1", 4, "Agreed."], ["A", "Beta Support", "Q2", 5, "Agreed."]]


def _upload(client, book):
    return post(client, "/evaluation/EV-TEST-1/upload",
                {"workbook": (book, "panel.xlsx")}, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


def test_download_the_whole_workbook(app, tender, users):  # noqa: F811
    officer = client_for(app, users["officer"])
    resp = officer.get("/evaluation/EV-TEST-1/workbook.xlsx")
    assert resp.status_code == 200 and "spreadsheetml" in resp.mimetype
    book = openpyxl.load_workbook(io.BytesIO(resp.data), read_only=True)
    assert {"Procurement", "Lots", "Criteria", "Bids", "Scores", "Consensus"} <= set(book.sheetnames)


def test_upload_scores_and_consensus_reaches_the_published_totals(app, tender, users):  # noqa: F811
    t = tender
    _declare_all(t)
    officer = client_for(app, users["officer"])
    resp = _upload(officer, _book(Scores=_full_scores(t), Consensus=_consensus(),
                                  Notes=[["ignored"]]))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert "Uploaded 12 individual scores and 4 consensus scores" in \
        officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert db.session.execute(select(func.count(Score.id)).where(
        Score.state == "submitted")).scalar_one() == 12
    html = officer.get(t.url("A", "/results")).get_data(as_text=True)
    assert ">94.00<" in html and ">87.00<" in html
    db.session.refresh(t.lot_a)
    assert t.lot_a.model_locked


def test_bad_rows_are_listed_with_sheet_row_and_column_and_nothing_is_written(app, tender, users):  # noqa: F811
    t = tender
    _declare_all(t)
    officer = client_for(app, users["officer"])
    rows = _full_scores(t)
    rows[1][4] = 6  # row 2: above the maximum
    rows.append(["Z", "Alpha Care", "Q1", "Evaluator 2", 3, ""])  # row 14: unknown lot
    rows.append(["A", "Gamma Trust", "Q1", "Evaluator 2", 3, ""])  # row 15: no bid in lot A
    rows.append(["A", "Alpha Care", "P1", "Evaluator 2", 3, ""])  # row 16: a price criterion
    rows.append(rows[3])  # row 17: duplicate of row 4
    resp = _upload(officer, _book(Scores=rows))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "<title>Error:" in html
    assert "nothing was uploaded" in html and 'href="#workbook"' in html
    for where in ("Scores, row 2, column score", "Scores, row 14, column lot",
                  "Scores, row 15, column bidder", "Scores, row 16, column criterion",
                  "Scores, row 17, column evaluator: Duplicate row"):
        assert where in html, where
    assert _count(Score) == 0


def test_app_guards_apply_to_uploads(app, tender, users):  # noqa: F811
    t = tender
    _declare_all(t, conflicted={(1, "Beta Support")})
    officer = client_for(app, users["officer"])
    rows = _full_scores(t)
    rows.append(["A", "Alpha Care", "Q1", "Somebody Else", 3, ""])  # row 14
    resp = _upload(officer, _book(Scores=rows))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "Scores, row 8, column evaluator: Evaluator 2 declared a conflict of interest" in html
    assert "Scores, row 14, column evaluator: Somebody Else is not on the panel of lot A" in html
    assert _count(Score) == 0


def test_undeclared_evaluator_cannot_be_uploaded(app, tender, users):  # noqa: F811
    t = tender
    officer = client_for(app, users["officer"])
    resp = _upload(officer, _book(Scores=_full_scores(t)))
    assert resp.status_code == 400 and "has not declared on conflicts of interest" in \
        resp.get_data(as_text=True)
    assert _count(Score) == 0


def test_consensus_before_all_scores_is_refused_and_nothing_is_written(app, tender, users):  # noqa: F811
    t = tender
    _declare_all(t)
    officer = client_for(app, users["officer"])
    scores = _full_scores(t)[:-2]  # Evaluator 3 has not scored Beta Support
    resp = _upload(officer, _book(Scores=scores, Consensus=_consensus()))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Consensus, row 2: Lot A: Moderation starts when" in html
    assert _count(Score) == 0 and _count(Consensus) == 0  # the good Scores rows too


def test_a_submitted_score_cannot_change_by_upload(app, tender, users):  # noqa: F811
    t = tender
    _declare_all(t)
    officer = client_for(app, users["officer"])
    assert _upload(officer, _book(Scores=_full_scores(t))).status_code == 303
    rows = _full_scores(t)
    rows[1][4] = 1
    resp = _upload(officer, _book(Scores=rows))
    assert resp.status_code == 400 and "Scores, row 2, column score" in resp.get_data(as_text=True)
    assert "already submitted in Tender and locked" in resp.get_data(as_text=True)
    assert sorted(db.session.execute(select(Score.value)).scalars())[0] == 4
    # the same file again changes nothing and is accepted
    assert _upload(officer, _book(Scores=_full_scores(t))).status_code == 303


def test_not_a_workbook_or_no_file(app, tender, users):  # noqa: F811
    officer = client_for(app, users["officer"])
    resp = post(officer, "/evaluation/EV-TEST-1/upload",
                {"workbook": (io.BytesIO(b"lot,bidder\n"), "scores.xlsx")},
                content_type="multipart/form-data")
    assert resp.status_code == 400 and "is not an Excel workbook" in resp.get_data(as_text=True)
    resp = post(officer, "/evaluation/EV-TEST-1/upload", {}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "Select a workbook" in resp.get_data(as_text=True)
    resp = _upload(officer, _book(Other=[["x"]]))
    assert resp.status_code == 400 and "Add a sheet named &#34;Scores&#34;" in resp.get_data(as_text=True)
    resp = _upload(officer, _book(Scores=[["lot", "bidder", "criterion"]]))
    assert resp.status_code == 400 and "Scores, column evaluator" in resp.get_data(as_text=True)
