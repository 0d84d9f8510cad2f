"""The selection questionnaire and financial standing through HTTP: who may do what, when,
and how the outcomes reach the bids the results, the note and the letters read."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

import clock
from audit.models import AuditRecord
from extensions import db
from accounts.models import Organisation, User
from procurement.models import Bid, TimelineDate
from procurement.selection.models import FinancialAssessment, SqAnswerSet, SqMark, SqQuestion
from tests.conftest import _password_hash
from tests.integration.signing_fixtures import client_for, small_tender

REF = "TST-DA-2024"


def token(c, path):
    html = c.get(path).get_data(as_text=True)
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def post(c, path, data, page=None):
    data = {**data, "csrf_token": token(c, page or path)}
    return c.post(path, data=data, content_type="multipart/form-data")


@pytest.fixture()
def tender(app, users):
    p = small_tender(users["officer"].organisation)
    p.min_delphi = 40
    alpha = next(b for b in p.bidders if b.name == "Alpha Support Ltd")
    alpha.organisation_id = users["supplier"].organisation_id
    db.session.commit()
    return p


def audits() -> int:
    return db.session.scalar(select(func.count(AuditRecord.id)))


def bids_of(name):
    return list(db.session.execute(select(Bid).join(Bid.bidder).where(
        Bid.bidder.has(name=name))).scalars())


def test_officer_sees_the_standard_and_edits_part_3_only(app, users, tender):
    c = client_for(app, users["officer"].email)
    page = c.get(f"/procurements/{REF}/selection").get_data(as_text=True)
    assert "Part 2" in page and "None: the questionnaire is the standard" in page
    q1 = f"/procurements/{REF}/selection/questions/2.1"
    assert c.get(q1).status_code == 303  # Part 2: not editable
    r = post(c, q1, {"text": "changed", "kind": "pass_fail", "scope": "procurement"},
             page=f"/procurements/{REF}/selection")
    assert r.status_code == 303
    assert db.session.scalar(select(SqQuestion.text).where(SqQuestion.key == "2.1")) != "changed"
    q35 = f"/procurements/{REF}/selection/questions/3.5"
    bad = post(c, q35, {"text": "", "kind": "x", "scope": "lot"})
    assert bad.status_code == 400 and "There is a problem" in bad.get_data(as_text=True)
    ok = post(c, q35, {"text": "Public liability of at least £10 million", "kind": "pass_fail",
                       "scope": "procurement", "mandatory": "yes"})
    assert ok.status_code == 303
    page = c.get(f"/procurements/{REF}/selection").get_data(as_text=True)
    assert "Public liability of at least £10 million" in page and "Changed" in page
    remove = post(c, f"/procurements/{REF}/selection/questions/3.10/remove", {},
                  page=f"/procurements/{REF}/selection")
    assert remove.status_code == 303
    assert "Removed" in c.get(f"/procurements/{REF}/selection").get_data(as_text=True)


def test_pa2023_loads_the_core_supplier_information(app, users, tender):
    tender.regime = "PA2023-OPEN"
    db.session.commit()
    c = client_for(app, users["officer"].email)
    page = c.get(f"/procurements/{REF}/selection").get_data(as_text=True)
    assert "Schedule 6" in page and "Schedule 7" in page and "public service mutual" in page


def _open_tender(tender, days=5):
    tender.state = "tender_published"
    db.session.add(TimelineDate(procurement_id=tender.id, kind="tender_deadline",
                                at=clock.utcnow() + timedelta(days=days), with_time=True))
    for lot in tender.lots:
        for bid in lot.bids:
            bid.state = "submitted"
    db.session.commit()


def _answers_form(p):
    return {f"answer-{q.id}": "No" for q in db.session.execute(
        select(SqQuestion).where(SqQuestion.procurement_id == p.id)).scalars()
        if q.scope == "procurement"}


def test_supplier_answers_while_open_sealed_until_opened(app, users, tender, monkeypatch):
    _open_tender(tender)
    sup = client_for(app, users["supplier"].email)
    path = f"/opportunities/{REF}/selection"
    assert sup.get(path).status_code == 200
    # submitting without the mandatory answers: refused with an error summary
    r = post(sup, path, {"action": "submit"})
    assert r.status_code == 400 and "There is a problem" in r.get_data(as_text=True)
    assert post(sup, path, {"action": "draft", **_answers_form(tender)}).status_code == 303
    answers = db.session.scalar(select(SqAnswerSet))
    assert answers.state == "draft"
    data = {"action": "submit", **_answers_form(tender)}
    for q in db.session.execute(select(SqQuestion).where(SqQuestion.scope == "lot")).scalars():
        for bid in bids_of("Alpha Support Ltd"):
            data[f"answer-{q.id}-{bid.id}"] = "Three contracts"
    data[next(iter(_answers_form(tender))) + "-file"] = (io.BytesIO(b"%PDF-1.4 e"), "evidence.pdf")
    assert post(sup, path, data).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(SqAnswerSet)).state == "submitted"
    # sealed: the officer cannot read them before opening
    alpha = bids_of("Alpha Support Ltd")[0].bidder
    off = client_for(app, users["officer"].email)
    assert off.get(f"/procurements/{REF}/selection/bidders/{alpha.id}").status_code == 403
    # after the deadline the supplier can change nothing
    later = clock.utcnow() + timedelta(days=6)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    sup2 = client_for(app, users["supplier"].email)
    assert "cannot answer" in sup2.get(path).get_data(as_text=True)
    assert sup2.post(path, data={"action": "draft"}).status_code in (400, 403)


def test_other_roles_cannot_answer_or_read(app, users, tender):
    _open_tender(tender)
    for role in ("officer", "evaluator", "finance", "admin"):
        c = client_for(app, users[role].email)
        assert c.get(f"/opportunities/{REF}/selection").status_code in (403, 404)


def _submitted_answers(app, users, tender):
    _open_tender(tender)
    sup = client_for(app, users["supplier"].email)
    assert post(sup, f"/opportunities/{REF}/selection",
                {"action": "draft", **_answers_form(tender)}).status_code == 303
    for lot in tender.lots:
        for bid in lot.bids:
            bid.state = "opened"
    db.session.commit()
    return bids_of("Alpha Support Ltd")[0].bidder


def test_a_failed_mandatory_exclusion_excludes_from_every_lot(app, users, tender):
    alpha = _submitted_answers(app, users, tender)
    s = db.session.scalar(select(SqAnswerSet))
    q = db.session.scalar(select(SqQuestion).where(SqQuestion.key == "2.1"))
    off = client_for(app, users["officer"].email)
    path = f"/procurements/{REF}/selection/bidders/{alpha.id}"
    bad = post(off, path, {"answer_set_id": s.id, "question_id": q.id, "outcome": "fail",
                           "reason": "short"})
    assert bad.status_code == 400 and "Write the reason" in bad.get_data(as_text=True)
    before = audits()
    ok = post(off, path, {"answer_set_id": s.id, "question_id": q.id, "outcome": "fail",
                          "reason": "Fraud conviction declared in March 2024"})
    assert ok.status_code == 303 and audits() == before + 1
    db.session.expire_all()
    for bid in bids_of("Alpha Support Ltd"):
        assert bid.selection == "fail" and "Fraud conviction declared" in bid.selection_reason
    assert all(b.selection == "pass" for b in bids_of("Beta Change CIC"))
    # the results, the note and the letter state it, with the reason
    from decisions.letters.service import plan_letters
    from decisions.note.builder import _selection
    from evaluation.results.inputs import procurement_results
    for res in procurement_results(tender):
        alpha_row = next(b for b in res.bids if b.bidder == "Alpha Support Ltd")
        assert alpha_row.status == "excluded" and "Fraud conviction" in alpha_row.reason
    outcome = next(o for o in _selection(tender) if o.bidder == "Alpha Support Ltd")
    assert not outcome.passed and "Fraud conviction declared" in outcome.reason
    letters = [pl for pl in plan_letters(tender) if pl.bid.bidder.name == "Alpha Support Ltd"]
    assert letters and all(pl.data.outcome == "excluded" for pl in letters)
    assert all("Fraud conviction declared" in pl.data.exclusion_reason for pl in letters)


def test_only_markers_mark(app, users, tender):
    alpha = _submitted_answers(app, users, tender)
    s = db.session.scalar(select(SqAnswerSet))
    q = db.session.scalar(select(SqQuestion).where(SqQuestion.key == "2.1"))
    path = f"/procurements/{REF}/selection/bidders/{alpha.id}"
    data = {"answer_set_id": s.id, "question_id": q.id, "outcome": "fail",
            "reason": "Fraud conviction declared in March 2024"}
    made = {role: client_for(app, users[role].email)
            for role in ("evaluator", "finance", "supplier", "admin")}
    app.config["WTF_CSRF_ENABLED"] = False  # the policy refuses, not CSRF
    try:
        for role, c in made.items():
            assert c.get(path).status_code in (403, 404)
            assert c.post(path, data=data).status_code in (403, 404)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert db.session.scalar(select(func.count(SqMark.id))) == 0
    # an assigned evaluator may mark
    off = client_for(app, users["officer"].email)
    assert post(off, f"/procurements/{REF}/selection/markers",
                {"user_id": users["evaluator"].id},
                page=f"/procurements/{REF}/selection").status_code == 303
    ev = client_for(app, users["evaluator"].email)
    assert post(ev, path, data).status_code == 303
    assert db.session.scalar(select(func.count(SqMark.id))) == 1


def test_a_second_marker_confirms_where_the_setting_asks(app, users, tender):
    from accounts.models import Setting
    db.session.add(Setting(key="sq_second_marker", value="yes"))
    db.session.commit()
    alpha = _submitted_answers(app, users, tender)
    s = db.session.scalar(select(SqAnswerSet))
    q = db.session.scalar(select(SqQuestion).where(SqQuestion.key == "2.1"))
    off = client_for(app, users["officer"].email)
    path = f"/procurements/{REF}/selection/bidders/{alpha.id}"
    assert post(off, path, {"answer_set_id": s.id, "question_id": q.id, "outcome": "fail",
                            "reason": "Fraud conviction declared in 2024"}).status_code == 303
    db.session.expire_all()
    assert all(b.selection == "pass" for b in bids_of("Alpha Support Ltd"))  # not yet
    mark = db.session.scalar(select(SqMark))
    confirm = f"/procurements/{REF}/selection/marks/{mark.id}/confirm"
    post(off, confirm, {}, page=path)  # the same marker: refused
    db.session.expire_all()
    assert db.session.scalar(select(SqMark)).confirmed_by_id is None
    assert post(off, f"/procurements/{REF}/selection/markers",
                {"user_id": users["evaluator"].id},
                page=f"/procurements/{REF}/selection").status_code == 303
    ev = client_for(app, users["evaluator"].email)
    assert post(ev, confirm, {}, page=path).status_code == 303
    db.session.expire_all()
    assert all(b.selection == "fail" for b in bids_of("Alpha Support Ltd"))


FIN = {"delphi_score": "30", "delphi_date": "2026-11-01", "delphi_source": "Experian report",
       "year_end_0": "2025-03-31", "turnover_0": "1,500,000.00",
       "profit_before_tax_0": "45000", "net_assets_0": "320000", "current_assets_0": "410000",
       "current_liabilities_0": "250000", "audited_0": "yes",
       "year_end_1": "2024-03-31", "turnover_1": "1,400,000", "profit_before_tax_1": "40000",
       "net_assets_1": "300000", "current_assets_1": "400000",
       "current_liabilities_1": "260000", "audited_1": "yes", "turnover_multiple": "2",
       "multiple_justification": "",
       "justification": "Parent company guarantee from the group covers the risk"}


def test_delphi_below_minimum_with_mitigation_passes_without_excludes(app, users, tender,
                                                                      monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 2, 9, 0))
    alpha = bids_of("Alpha Support Ltd")[0].bidder
    fin = client_for(app, users["finance"].email)
    path = f"/procurements/{REF}/financial/{alpha.id}"
    r = post(fin, path, {**FIN, "outcome": "pass"})
    assert r.status_code == 400 and "below the minimum" in r.get_data(as_text=True)
    r = post(fin, path, {**FIN, "outcome": "mitigated"})
    assert r.status_code == 400 and "Choose the mitigation" in r.get_data(as_text=True)
    r = post(fin, path, {**FIN, "outcome": "pass", "delphi_score": "55",
                         "turnover_multiple": "3"})
    assert r.status_code == 400 and "58(9)" in r.get_data(as_text=True)
    r = post(fin, path, {**FIN, "outcome": "mitigated", "mitigation": "parent_company_guarantee"})
    assert r.status_code == 303
    db.session.expire_all()
    for bid in bids_of("Alpha Support Ltd"):
        assert bid.delphi_score == 30 and bid.financial == "mitigated"
        assert "Parent company guarantee" in bid.financial_reason
    page = fin.get(path).get_data(as_text=True)
    assert "1.64" in page and "3.00 %" in page  # 410000/250000; 45000/1500000
    from evaluation.results.ranking import selection_causes
    from evaluation.results.values import BidIn
    bid = bids_of("Alpha Support Ltd")[0]
    as_in = BidIn(bidder="A", price=bid.price, delphi_score=30, financial=bid.financial)
    assert selection_causes(as_in, 40) == []
    from decisions.note.builder import _selection  # the note names the mitigation
    noted = next(o for o in _selection(tender) if o.bidder == "Alpha Support Ltd")
    assert noted.passed and noted.reason.startswith("passed with mitigation: Parent company")
    r = post(fin, path, {**FIN, "outcome": "fail",
                         "justification": "Score below the minimum and no guarantee offered"})
    assert r.status_code == 303
    db.session.expire_all()
    assert all(b.financial == "fail" for b in bids_of("Alpha Support Ltd"))


def test_only_the_finance_reviewer_records(app, users, tender, monkeypatch):
    alpha = bids_of("Alpha Support Ltd")[0].bidder
    path = f"/procurements/{REF}/financial/{alpha.id}"
    other_org = Organisation(name="Elsewhere", kind="buyer")
    other = User(email="fin@elsewhere.org", name="Other finance", roles="finance",
                 organisation=other_org, password_hash=_password_hash())
    db.session.add_all([other_org, other])
    db.session.commit()
    data = {**FIN, "outcome": "mitigated", "mitigation": "performance_bond"}
    made = {email: client_for(app, email) for email in (
        users["officer"].email, users["evaluator"].email, users["supplier"].email,
        users["admin"].email, other.email)}
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # the policy refuses, not CSRF
    for email, c in made.items():
        assert c.post(path, data=data).status_code in (403, 404), email
    assert db.session.scalar(select(func.count(FinancialAssessment.id))) == 0
    assert made[users["officer"].email].get(path).status_code == 200  # the officer reads


def test_the_export_carries_marks_and_assessments_in_extra_sheets(app, users, tender,
                                                                  monkeypatch):
    import openpyxl

    from interchange.uploads import workbook_bytes
    from interchange.workbook_file import read_workbook
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 2, 9, 0))
    alpha = _submitted_answers(app, users, tender)
    s = db.session.scalar(select(SqAnswerSet))
    q = db.session.scalar(select(SqQuestion).where(SqQuestion.key == "2.1"))
    off = client_for(app, users["officer"].email)
    assert post(off, f"/procurements/{REF}/selection/bidders/{alpha.id}",
                {"answer_set_id": s.id, "question_id": q.id, "outcome": "fail",
                 "reason": "Fraud conviction declared in 2024"}).status_code == 303
    fin = client_for(app, users["finance"].email)
    assert post(fin, f"/procurements/{REF}/financial/{alpha.id}",
                {**FIN, "outcome": "mitigated", "mitigation": "performance_bond"}
                ).status_code == 303
    data = workbook_bytes(db.session.get(type(tender), tender.id))
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert {"Bids", "SQ marks", "Financial assessments"} <= set(book.sheetnames)
    marks = list(book["SQ marks"].values)
    assert marks[1][:5] == ("Alpha Support Ltd", None, None, "2.1", "fail")
    years = list(book["Financial assessments"].values)[1:]
    assert [r[12] for r in years] == ["2025-03-31", "2024-03-31"] and years[0][7] == "mitigated"
    bids = [r for r in book["Bids"].values if r[1] == "Alpha Support Ltd"]
    assert all(r[3] == "fail" and r[4] == 30 and r[5] == "mitigated" for r in bids)
    parsed, errors = read_workbook(io.BytesIO(data))  # the extra sheets are ignored
    assert errors == [] and parsed.extra_sheets == []
    assert {b.financial for b in parsed.bids if b.bidder == "Alpha Support Ltd"} == {"mitigated"}


def test_evidence_is_sealed_then_served_by_name_with_its_hash_checked(app, users, tender):
    from procurement.bids.models import FileChunk
    from procurement.selection.models import SqAnswer

    _open_tender(tender)
    sup = client_for(app, users["supplier"].email)
    assert sup.get(f"/opportunities/{REF}/selection").status_code == 200  # makes the SQ
    data = {"action": "draft", **_answers_form(tender)}
    data[next(iter(_answers_form(tender))) + "-file"] = (io.BytesIO(b"%PDF-1.4 proof"),
                                                         "insurance.pdf")
    assert post(sup, f"/opportunities/{REF}/selection", data).status_code == 303
    answer = db.session.scalar(select(SqAnswer).where(SqAnswer.evidence_file_id.is_not(None)))
    path = f"/procurements/{REF}/selection/answers/{answer.id}/evidence"
    off = client_for(app, users["officer"].email)
    assert off.get(path).status_code == 403  # sealed until the bids are opened
    for lot in tender.lots:
        for bid in lot.bids:
            bid.state = "opened"
    db.session.commit()
    r = off.get(path)
    assert r.status_code == 200 and r.get_data() == b"%PDF-1.4 proof"
    assert r.headers["Content-Disposition"] == 'attachment; filename="insurance.pdf"'
    chunk = db.session.scalar(select(FileChunk).where(FileChunk.file_id == answer.evidence_file_id))
    chunk.data = b"%PDF-1.4 forged"
    db.session.commit()
    assert off.get(path).status_code == 409  # bytes that no longer match are never sent
