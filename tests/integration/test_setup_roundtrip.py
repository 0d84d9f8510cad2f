"""The reference tender set up through HTTP gives the same decision-note figures and results
as `tender import` of its workbook; its workbook download imports back to the same results;
and the workbook import still creates the same records as before the set-up pages."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from accounts.models import User
from evaluation.models import ConflictDeclaration
from extensions import db
from interchange.importer import import_tender
from procurement.models import PanelMember, Procurement
from tests import reference_tender as ref
from tests.conftest import _password_hash
from tests.integration.test_evaluation_fixtures import client_for, post

REF = "SCO-DA-2024-WEB"


def _get(reference: str) -> Procurement:
    db.session.expire_all()
    return db.session.execute(select(Procurement).where(Procurement.reference == reference)).scalar_one()


@pytest.fixture()
def made_over_http(app, users):
    """The reference tender entered page by page, as an officer and three evaluators would."""
    tender = ref.parsed()
    buyer = users["officer"].organisation
    buyer.name = tender.organisation  # the note names the commissioning organisation
    panel = [users["evaluator"]]
    for n in (2, 3):
        u = User(email=f"evaluator{n}@example.org", name=f"Evaluator {n}", roles="evaluator",
                 organisation=buyer, password_hash=_password_hash())
        db.session.add(u)
        panel.append(u)
    db.session.commit()
    officer = client_for(app, users["officer"])
    details = {"reference": REF, "title": tender.title, "relates_to": tender.relates_to,
               "regime": tender.regime, "initial_term_years": str(tender.initial_term_years),
               "extension_years": ", ".join(str(y) for y in tender.extension_years),
               "min_delphi": str(tender.min_delphi), **ref.DETAILS}
    assert post(officer, "/procurements/new", details).status_code == 303
    for lot in tender.lots:
        assert post(officer, f"/procurements/{REF}/lots/new", {
            "code": lot.code, "title": lot.title,
            "annual_value": ref.money_text(lot.annual_value)}).status_code == 303
    for partner in tender.partners:
        assert post(officer, f"/procurements/{REF}/partners/new", {
            "name": partner.name,
            "annual_contribution": ref.money_text(partner.annual_contribution)}).status_code == 303
    for kind in ("itt_published", "tender_deadline", "contract_start"):
        day = getattr(tender, kind)
        assert post(officer, f"/procurements/{REF}/set-up/dates/{kind}", {
            "at_day": str(day.day), "at_month": str(day.month), "at_year": str(day.year)}
        ).status_code == 303
    for d, m, y, kind, who in ref.EVENTS:
        assert post(officer, f"/procurements/{REF}/events/new", {
            "on_day": d, "on_month": m, "on_year": y, "kind": kind, "attendees": who}).status_code == 303
    assert post(officer, f"/procurements/{REF}/set-up/finalise").status_code == 303
    for c in tender.criteria:
        resp = post(officer, f"/evaluation/{REF}/lots/{c.lot}/model/criteria/new", ref.criterion_form(c))
        assert resp.status_code == 303, resp.get_data(as_text=True)
    for lot in tender.lots:
        for u in panel:
            assert post(officer, f"/evaluation/{REF}/lots/{lot.code}/panel",
                        {"user_id": str(u.id)}).status_code == 303
    ref.record_bids(REF)
    p = _get(REF)
    for u in panel:  # each evaluator declares on every bidder of each lot, before scoring
        evaluator = client_for(app, u)
        for lot in p.lots:
            data = {f"coi-{b.bidder_id}": "none" for b in lot.bids}
            assert post(evaluator, f"/evaluation/{REF}/lots/{lot.code}/declarations", data).status_code in (302, 303)
    names = dict(zip(("Panel Member A", "Panel Member B", "Panel Member C"), (u.name for u in panel)))
    resp = post(officer, f"/evaluation/{REF}/upload", {
        "workbook": (io.BytesIO(ref.scores_workbook(names)), "scores.xlsx")},
        content_type="multipart/form-data")
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return officer, _get(REF)


def test_the_set_up_made_over_http_gives_the_imported_note_s_figures(app, made_over_http):
    officer, web = made_over_http
    assert web.setup_finalised_at is not None
    assert db.session.scalar(select(ConflictDeclaration.id).limit(1)) is not None
    imported = ref.import_reference("SCO-DA-2023")
    assert imported.organisation_id == web.organisation_id
    web_figures, imported_figures = ref.note_figures(_get(REF)), ref.note_figures(_get("SCO-DA-2023"))
    assert web_figures == imported_figures
    # and they are the published note's: £3,375,221 a year, 97.00 / 95.50 / 64.00
    assert web_figures["whole_term_value"] == 3375221 * 5 and web_figures["threshold"] == 663540
    totals = [[round(r[3], 2) for r in lot[6]] for lot in web_figures["lots"]]
    assert totals == [[97.0], [95.5, 64.0]]
    assert web_figures["itt_published"] == date(2023, 2, 1)


def test_the_browser_made_procurement_exports_a_workbook_that_imports_back_the_same(app, made_over_http):
    from interchange.workbook_file import read_workbook

    officer, web = made_over_http
    resp = officer.get(f"/evaluation/{REF}/workbook.xlsx")
    assert resp.status_code == 200
    path = app.instance_path + "/roundtrip.xlsx"
    with open(path, "wb") as f:
        f.write(resp.data)
    tender, errors = read_workbook(path)
    assert not errors, errors
    tender.reference = "SCO-DA-2024-BACK"
    back = import_tender(tender, actor="system")
    assert ref.results(_get("SCO-DA-2024-BACK")) == ref.results(_get(REF))
    assert ref.results(back) and [lot.annual_value for lot in back.lots] == [
        lot.annual_value for lot in _get(REF).lots]
    assert [(x.name, x.annual_contribution) for x in back.partners] == [
        (x.name, x.annual_contribution) for x in _get(REF).partners]


def test_the_workbook_import_creates_the_same_records(app):
    """The import is unchanged: the records it made before the set-up pages, plus the new
    columns' defaults (a sub-central buyer, one-person opening, set-up not finalised)."""
    p = ref.import_reference("SCO-DA-2023")
    p = _get("SCO-DA-2023")
    assert [(lot.code, lot.title, lot.annual_value, lot.position) for lot in p.lots] == [
        ("A", "DA Victim Services", 2875221, 0), ("B", "DA Perpetrator Services", 500000, 1)]
    assert [x.annual_contribution for x in p.partners] == [
        ref.parsed().partners[i].annual_contribution for i in range(3)]
    assert sorted((d.kind, d.value) for d in p.dates) == [
        ("contract_start", date(2023, 10, 1)), ("itt_published", date(2023, 2, 1)),
        ("tender_deadline", date(2023, 3, 28))]
    assert (p.buyer_kind, p.two_person_opening, p.setup_finalised_at, p.state) == (
        "sub_central", False, None, "evaluation")  # its bids were received outside Tender
    assert sum(len(lot.criteria) for lot in p.lots) == 8 and len(p.bidders) == 2
    assert db.session.scalar(select(PanelMember.id).limit(1)) is not None
