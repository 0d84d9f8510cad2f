"""Procurement set-up through HTTP: creating and changing a procurement, lots, partners,
key dates, engagement events, check your answers and finalising; each guard tried and
refused (wrong role, another organisation, a locked state, bad input, no CSRF token)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounts.models import Organisation, User
from audit.models import AuditRecord
from extensions import db
from procurement.models import (Bid, Bidder, EngagementEvent, Lot, PartnerContribution,
                                Procurement)
from tests.conftest import _password_hash, csrf_token
from tests.integration.test_evaluation_fixtures import client_for, post

REF = "DA-2024-01"
DETAILS = {
    "reference": REF, "title": "Domestic abuse services", "description": "Victim and perpetrator services.",
    "relates_to": ["Policing", "Crime"], "regime": "PCR2015-LTR", "cpv_codes": "85300000-2, 75241000-7",
    "region": "West Midlands", "buyer_kind": "sub_central", "initial_term_years": "3",
    "extension_years": "1, 1", "min_delphi": "40", "two_person_opening": "no",
}
LOTS = (("A", "DA Victim Services", "2,875,221"), ("B", "DA Perpetrator Services", "500000"))
PARTNERS = (("Staffordshire Commissioner's Office", "1,859,195.76"),
            ("Staffordshire County Council", "895,000"),
            ("Stoke-on-Trent City Council", "621025.24"))


def count(model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def audits(entity: str, action: str) -> list[AuditRecord]:
    return list(db.session.execute(select(AuditRecord).where(
        AuditRecord.entity == entity, AuditRecord.action == action)
        .order_by(AuditRecord.seq)).scalars())


def procurement() -> Procurement:
    db.session.expire_all()
    return db.session.execute(select(Procurement).where(Procurement.reference == REF)).scalar_one()


@pytest.fixture()
def officer(app, users):
    return client_for(app, users["officer"])


@pytest.fixture()
def created(officer):
    resp = post(officer, "/procurements/new", DETAILS)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return procurement()


@pytest.fixture()
def complete(officer, created):
    """The reference tender's set-up: two lots and three partners that add up."""
    for code, title, value in LOTS:
        assert post(officer, f"/procurements/{REF}/lots/new",
                    {"code": code, "title": title, "annual_value": value}).status_code == 303
    for name, value in PARTNERS:
        assert post(officer, f"/procurements/{REF}/partners/new",
                    {"name": name, "annual_contribution": value}).status_code == 303
    return procurement()


# -- creating ---------------------------------------------------------------------------------

def test_an_officer_creates_a_procurement_in_its_own_organisation(officer, users):
    resp = post(officer, "/procurements/new", DETAILS)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/procurements/{REF}/set-up")
    p = procurement()
    assert p.organisation_id == users["officer"].organisation_id and p.state == "draft"
    assert (p.title, p.regime, p.relates_to, p.cpv_codes, p.region) == (
        "Domestic abuse services", "PCR2015-LTR", "Policing, Crime", "85300000-2, 75241000-7",
        "West Midlands")
    assert (p.buyer_kind, p.initial_term_years, p.extensions, p.min_delphi,
            p.two_person_opening, p.setup_finalised_at) == ("sub_central", 3, [1, 1], 40, False, None)
    (rec,) = audits("procurement", "create")
    assert rec.procurement_ref == REF and rec.after["title"] == "Domestic abuse services"
    assert rec.actor == users["officer"].email
    page = officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"Procurement {REF} created" in page and "Set up the procurement" in page
    assert "Cannot start yet" in page  # check and finalise: no lot yet


def test_the_create_page_offers_the_organisation_and_every_regime(officer):
    html = officer.get("/procurements/new").get_data(as_text=True)
    assert "Test Commissioner&#39;s Office" in html or "Test Commissioner's Office" in html
    for code in ("PCR2015-LTR", "PCR2015-OPEN", "PCR2015-RESTRICTED", "PA2023-OPEN", "PA2023-CFP"):
        assert f'value="{code}"' in html
    assert officer.get("/procurements").get_data(as_text=True).count('id="create-procurement"') == 1


BAD = [
    ({"reference": ""}, "reference", "Enter a reference"),
    ({"reference": "DA 2024/01"}, "reference", "Enter a reference using only letters"),
    ({"reference": "new"}, "reference", "Enter a reference other than"),
    ({"reference": "x" * 61}, "reference", "60 characters or fewer"),
    ({"title": "  "}, "title", "Enter the title"),
    ({"title": "t" * 301}, "title", "300 characters or fewer"),
    ({"relates_to": []}, "relates_to", "Select what the procurement relates to"),
    ({"relates_to": ["Policing", "Health"]}, "relates_to", "Select Policing, Crime or Fire"),
    ({"regime": "PCR2006"}, "regime", "Select the procurement regime"),
    ({"regime": ""}, "regime", "Select the procurement regime"),
    ({"cpv_codes": "85300000-3"}, "cpv_codes", "the check digit of 85300000 is 2"),
    ({"cpv_codes": "853000002"}, "cpv_codes", "with a hyphen before its check digit"),
    ({"cpv_codes": "85300000"}, "cpv_codes", "with its check digit, like 85300000-2"),
    ({"cpv_codes": "social work"}, "cpv_codes", "8 digits, a hyphen and a check digit"),
    ({"buyer_kind": "county"}, "buyer_kind", "Select the kind of buyer"),
    ({"initial_term_years": ""}, "initial_term_years", "Enter the initial term in years"),
    ({"initial_term_years": "0"}, "initial_term_years", "from 1 to 25"),
    ({"initial_term_years": "three"}, "initial_term_years", "as a whole number"),
    ({"extension_years": "1, half"}, "extension_years", "whole years separated by commas"),
    ({"extension_years": "0"}, "extension_years", "1 to 25 years"),
    ({"min_delphi": "101"}, "min_delphi", "from 0 to 100"),
    ({"min_delphi": "-1"}, "min_delphi", "as a whole number"),
    ({"two_person_opening": "maybe"}, "two_person_opening", "Select yes if two people"),
]


@pytest.mark.parametrize("change,field,message", BAD, ids=[f"{b[1]}:{b[2]}" for b in BAD])
def test_bad_input_is_refused_with_a_message_on_its_field(officer, change, field, message):
    signed_in = count(AuditRecord)  # signing in is audited; the refused form adds nothing
    resp = post(officer, "/procurements/new", {**DETAILS, **change})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert message in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert "<title>Error: " in html
    assert count(Procurement) == 0 and count(AuditRecord) == signed_in


def test_a_taken_reference_is_refused_whatever_its_case(officer, created):
    resp = post(officer, "/procurements/new", {**DETAILS, "reference": REF.lower()})
    assert resp.status_code == 400
    assert f"Enter a different reference: {REF.lower()} is already used" in resp.get_data(as_text=True)
    assert count(Procurement) == 1


def test_a_real_cpv_code_with_a_published_irregular_check_digit_is_accepted(officer):
    resp = post(officer, "/procurements/new", {**DETAILS, "cpv_codes": "09310000-5"})
    assert resp.status_code == 303 and procurement().cpv_codes == "09310000-5"


def test_creating_without_a_csrf_token_is_refused(officer):
    resp = officer.post("/procurements/new", data=DETAILS)
    assert resp.status_code == 400 and count(Procurement) == 0


@pytest.mark.parametrize("role", ["evaluator", "finance", "admin", "supplier", "chief_executive"])
def test_only_an_officer_may_create(app, users, role):
    client = client_for(app, users[role])
    assert client.get("/procurements/new").status_code == 403
    assert post(client, "/procurements/new", DETAILS).status_code == 403
    assert count(Procurement) == 0


def test_nobody_signed_in_is_sent_to_sign_in(client):
    assert "/login" in client.get("/procurements/new").headers["Location"]
    resp = client.post("/procurements/new", data={**DETAILS, "csrf_token": csrf_token(client)})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert count(Procurement) == 0


def test_an_officer_of_no_organisation_cannot_create(app, users):
    u = User(email="loose@example.org", name="Loose Officer", roles="officer",
             password_hash=_password_hash())
    db.session.add(u)
    db.session.commit()
    client = client_for(app, u)
    resp = post(client, "/procurements/new", DETAILS)
    assert resp.status_code == 403 and "belongs to no organisation" in resp.get_data(as_text=True)
    assert count(Procurement) == 0


# -- changing the details ---------------------------------------------------------------------

def test_changing_the_details_is_recorded_with_before_and_after(officer, created):
    resp = post(officer, f"/procurements/{REF}/details",
                {**DETAILS, "title": "Domestic abuse services 2024", "buyer_kind": "central",
                 "two_person_opening": "yes"})
    assert resp.status_code == 303
    p = procurement()
    assert (p.title, p.buyer_kind, p.two_person_opening) == (
        "Domestic abuse services 2024", "central", True)
    (rec,) = audits("procurement", "update")
    assert rec.before == {"title": "Domestic abuse services", "buyer_kind": "sub_central",
                          "two_person_opening": False}
    assert rec.after["title"] == "Domestic abuse services 2024"


def test_the_reference_cannot_be_changed_by_the_edit_form(officer, created):
    post(officer, f"/procurements/{REF}/details", {**DETAILS, "reference": "OTHER-1"})
    assert procurement().reference == REF
    assert count(Procurement) == 1


def test_saving_unchanged_details_records_nothing(officer, created):
    before = count(AuditRecord)
    resp = post(officer, f"/procurements/{REF}/details", DETAILS)
    assert resp.status_code == 303 and count(AuditRecord) == before


def test_bad_details_change_nothing(officer, created):
    resp = post(officer, f"/procurements/{REF}/details", {**DETAILS, "title": "", "cpv_codes": "1"})
    assert resp.status_code == 400
    assert procurement().title == "Domestic abuse services" and not audits("procurement", "update")


def test_another_organisation_is_told_nothing(app, created):
    other = Organisation(name="Elsewhere Fire Authority", kind="buyer")
    u = User(email="officer@elsewhere.example.org", name="Other Officer", roles="officer",
             organisation=other, password_hash=_password_hash())
    db.session.add_all([other, u])
    db.session.commit()
    client = client_for(app, u)
    lot_url = f"/procurements/{REF}/lots/new"
    for url in (f"/procurements/{REF}/set-up", f"/procurements/{REF}/details", lot_url,
                f"/procurements/{REF}/set-up/check"):
        resp = client.get(url)
        assert resp.status_code == 404 and "Domestic abuse services" not in resp.get_data(as_text=True)
    assert post(client, f"/procurements/{REF}/details", {**DETAILS, "title": "Taken over"}).status_code == 404
    assert post(client, lot_url, {"code": "Z", "title": "Z", "annual_value": "1"}).status_code == 404
    assert post(client, f"/procurements/{REF}/set-up/finalise").status_code == 404
    assert procurement().title == "Domestic abuse services" and count(Lot) == 0


# -- the lock once the tender notice is published --------------------------------------------

def test_after_the_tender_is_published_the_fixed_fields_are_refused(officer, complete):
    p = complete
    p.state = "tender_published"
    db.session.commit()
    before = count(AuditRecord)
    lot = p.lots[0]
    partner = p.partners[0]
    attempts = [
        (f"/procurements/{REF}/details", {**DETAILS, "title": "Changed"}),
        (f"/procurements/{REF}/lots/new", {"code": "C", "title": "More", "annual_value": "1"}),
        (f"/procurements/{REF}/lots/{lot.id}", {"code": "A", "title": "A", "annual_value": "1"}),
        (f"/procurements/{REF}/lots/{lot.id}/remove", {}),
        (f"/procurements/{REF}/partners/new", {"name": "New partner", "annual_contribution": "1"}),
        (f"/procurements/{REF}/partners/{partner.id}", {"name": partner.name, "annual_contribution": "1"}),
        (f"/procurements/{REF}/partners/{partner.id}/remove", {}),
        (f"/procurements/{REF}/set-up/dates/tender_deadline", {"at_day": "1", "at_month": "5", "at_year": "2024"}),
    ]
    for url, data in attempts:
        resp = post(officer, url, data)
        assert resp.status_code == 303, url
        page = officer.get(resp.headers["Location"]).get_data(as_text=True)
        assert "cannot be changed now that the tender notice is published" in page, url
    p = procurement()
    assert p.title == "Domestic abuse services" and len(p.lots) == 2 and len(p.partners) == 3
    assert p.lots[0].annual_value == Decimal("2875221") and p.date_of("tender_deadline") is None
    assert count(AuditRecord) == before
    # the finalise button is refused too, and an engagement event may still be recorded
    assert post(officer, f"/procurements/{REF}/set-up/finalise").status_code == 409
    resp = post(officer, f"/procurements/{REF}/events/new", {
        "on_day": "3", "on_month": "11", "on_year": "2022", "kind": "Market engagement event"})
    assert resp.status_code == 303 and count(EngagementEvent) == 1


# -- lots -------------------------------------------------------------------------------------

def test_lots_are_added_changed_and_removed_with_their_audit_records(officer, created):
    assert post(officer, f"/procurements/{REF}/lots/new",
                {"code": "A", "title": "Victim services", "annual_value": "£2,875,221"}).status_code == 303
    lot = procurement().lots[0]
    assert (lot.code, lot.annual_value, lot.position) == ("A", Decimal("2875221.00"), 0)
    page = officer.get(f"/procurements/{REF}/lots").get_data(as_text=True)
    assert "£2,875,221" in page and 'id="annual-total"' in page
    resp = post(officer, f"/procurements/{REF}/lots/{lot.id}",
                {"code": "A", "title": "Victim services", "annual_value": "2875221.50"})
    assert resp.status_code == 303 and procurement().lots[0].annual_value == Decimal("2875221.50")
    assert officer.get(f"/procurements/{REF}/lots/{lot.id}/remove").status_code == 200
    assert post(officer, f"/procurements/{REF}/lots/{lot.id}/remove").status_code == 303
    assert count(Lot) == 0
    assert [len(audits("lot", a)) for a in ("create", "update", "delete")] == [1, 1, 1]
    assert audits("lot", "update")[0].before["annual_value"] == "2875221"


@pytest.mark.parametrize("data,message", [
    ({"code": "", "title": "T", "annual_value": "1"}, "Enter the lot code"),
    ({"code": "A B", "title": "T", "annual_value": "1"}, "only letters, numbers and hyphens"),
    ({"code": "A", "title": "", "annual_value": "1"}, "Enter the lot&#39;s title"),
    ({"code": "A", "title": "T", "annual_value": ""}, "Enter the annual value"),
    ({"code": "A", "title": "T", "annual_value": "-5"}, "£0 or more"),
    ({"code": "A", "title": "T", "annual_value": "1.005"}, "at most 2 decimal places"),
    ({"code": "A", "title": "T", "annual_value": "lots"}, "as an amount in pounds"),
    ({"code": "A", "title": "T", "annual_value": "1e20"}, "below £100,000,000,000,000"),
])
def test_bad_lots_are_refused(officer, created, data, message):
    resp = post(officer, f"/procurements/{REF}/lots/new", data)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert count(Lot) == 0


def test_a_lot_code_is_unique_in_the_procurement(officer, complete):
    resp = post(officer, f"/procurements/{REF}/lots/new", {"code": "a", "title": "T", "annual_value": "1"})
    assert resp.status_code == 400 and "lot a already exists" in resp.get_data(as_text=True)
    assert count(Lot) == 2


def test_a_lot_with_bids_cannot_be_removed(officer, complete):
    lot = complete.lots[0]
    bidder = Bidder(name="Victim Support")
    complete.bidders.append(bidder)
    lot.bids.append(Bid(bidder=bidder, price=Decimal("1")))
    db.session.commit()
    resp = post(officer, f"/procurements/{REF}/lots/{lot.id}/remove")
    assert resp.status_code == 303
    assert "has 1 bid, so it cannot be removed" in officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert count(Lot) == 2 and count(Bid) == 1


def test_a_lot_of_another_procurement_is_not_found(app, officer, complete, users):
    other = Procurement(reference="OTHER-1", title="Other", organisation_id=users["officer"].organisation_id,
                        regime="PCR2015-OPEN")
    other.lots.append(Lot(code="X", title="X", annual_value=Decimal("1")))
    db.session.add(other)
    db.session.commit()
    x = other.lots[0].id
    assert officer.get(f"/procurements/{REF}/lots/{x}").status_code == 404
    assert post(officer, f"/procurements/{REF}/lots/{x}/remove").status_code == 404
    assert post(officer, f"/procurements/{REF}/lots/{x}", {"code": "X", "title": "Y", "annual_value": "2"}).status_code == 404
    assert db.session.get(Lot, x).title == "X"


# -- partners and finalising ------------------------------------------------------------------

def test_partners_are_added_changed_and_removed(officer, created):
    assert post(officer, f"/procurements/{REF}/partners/new",
                {"name": "Stoke-on-Trent City Council", "annual_contribution": "621,025.24"}).status_code == 303
    partner = procurement().partners[0]
    assert partner.annual_contribution == Decimal("621025.24")
    resp = post(officer, f"/procurements/{REF}/partners/new",
                {"name": "stoke-on-trent city council", "annual_contribution": "1"})
    assert resp.status_code == 400 and "is already a partner" in resp.get_data(as_text=True)
    resp = post(officer, f"/procurements/{REF}/partners/new", {"name": "X", "annual_contribution": "-1"})
    assert resp.status_code == 400 and "£0 or more" in resp.get_data(as_text=True)
    assert post(officer, f"/procurements/{REF}/partners/{partner.id}",
                {"name": "Stoke-on-Trent City Council", "annual_contribution": "621025.25"}).status_code == 303
    assert post(officer, f"/procurements/{REF}/partners/{partner.id}/remove").status_code == 303
    assert count(PartnerContribution) == 0
    assert [len(audits("partner", a)) for a in ("create", "update", "delete")] == [1, 1, 1]


def test_finalising_refuses_until_the_figures_add_up_saying_which_and_by_how_much(officer, complete):
    stoke = next(x for x in complete.partners if x.name.startswith("Stoke"))
    post(officer, f"/procurements/{REF}/partners/{stoke.id}",
         {"name": stoke.name, "annual_contribution": "621,024.24"})
    resp = post(officer, f"/procurements/{REF}/set-up/finalise")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "<title>Error: " in html
    assert ("Partner contributions total £3,375,220, which is £1 less than the lots&#39; total "
            "of £3,375,221.") in html
    assert procurement().setup_finalised_at is None and not audits("procurement", "setup_finalised")
    post(officer, f"/procurements/{REF}/partners/{stoke.id}",
         {"name": stoke.name, "annual_contribution": "621,025.24"})
    resp = post(officer, f"/procurements/{REF}/set-up/finalise")
    assert resp.status_code == 303
    p = procurement()
    assert p.setup_finalised_at is not None
    (rec,) = audits("procurement", "setup_finalised")
    assert rec.after["annual_total"] == "3375221"
    assert "Completed" in officer.get(f"/procurements/{REF}/set-up").get_data(as_text=True)
    # finalising twice is refused; changing a lot's value reopens the set-up, recorded
    assert post(officer, f"/procurements/{REF}/set-up/finalise").status_code == 409
    lot = p.lots[1]
    post(officer, f"/procurements/{REF}/lots/{lot.id}", {"code": "B", "title": lot.title, "annual_value": "500001"})
    assert procurement().setup_finalised_at is None
    assert audits("lot", "update")[-1].after["setup_reopened"] is True


def test_finalising_needs_lots_and_the_details(officer, users):
    post(officer, "/procurements/new", {**DETAILS, "description": "", "cpv_codes": "", "region": ""})
    resp = post(officer, f"/procurements/{REF}/set-up/finalise")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    for problem in ("Enter the description in the procurement details",
                    "Enter the CPV codes in the procurement details",
                    "Enter the region in the procurement details",
                    "There are no lots, so there is no total annual value."):
        assert problem in html
    assert procurement().setup_finalised_at is None


def test_finalising_without_a_csrf_token_is_refused(officer, complete):
    resp = officer.post(f"/procurements/{REF}/set-up/finalise")
    assert resp.status_code == 400 and procurement().setup_finalised_at is None


@pytest.mark.parametrize("role", ["evaluator", "finance", "admin", "chief_executive"])
def test_only_the_officer_may_change_the_set_up(app, users, complete, role):
    client = client_for(app, users[role])
    before = count(AuditRecord)
    lot = complete.lots[0]
    for url, data in ((f"/procurements/{REF}/set-up/finalise", {}),
                      (f"/procurements/{REF}/lots/{lot.id}", {"code": "A", "title": "A", "annual_value": "1"}),
                      (f"/procurements/{REF}/events/new", {"on_day": "1", "on_month": "1", "on_year": "2023", "kind": "Event"})):
        assert post(client, url, data).status_code == 403
    assert client.get(f"/procurements/{REF}/set-up").status_code == 403
    assert count(AuditRecord) == before and procurement().setup_finalised_at is None


def test_check_your_answers_shows_every_figure_with_change_links(officer, complete):
    html = officer.get(f"/procurements/{REF}/set-up/check").get_data(as_text=True)
    for text in ("£2,875,221", "£500,000", "£3,375,221", "£1,859,195.76", "£895,000",
                 "£621,025.24", "3 + 1 + 1 years", "85300000-2, 75241000-7", "West Midlands",
                 "add up to the lots' total annual value of £3,375,221", 'id="finalise"'):
        assert text in html, text
    assert html.count(">Change<") >= 12


# -- engagement events --------------------------------------------------------------------------

def test_engagement_events_are_added_changed_removed_and_feed_the_note(officer, created):
    from decisions.note.builder import build_note_data

    resp = post(officer, f"/procurements/{REF}/events/new", {
        "on_day": "23", "on_month": "9", "on_year": "2022", "kind": "Stakeholder engagement event",
        "attendees": "partner agencies", "notes": ""})
    assert resp.status_code == 303
    event = procurement().events[0]
    assert (event.on_date, event.kind, event.attendees) == (date(2022, 9, 23), "Stakeholder engagement event", "partner agencies")
    note = build_note_data(procurement())
    assert [(e.on, e.kind) for e in note.engagement_events] == [(date(2022, 9, 23), "Stakeholder engagement event")]
    assert post(officer, f"/procurements/{REF}/events/{event.id}", {
        "on_day": "30", "on_month": "9", "on_year": "2022", "kind": "Market engagement event",
        "attendees": "prospective providers", "notes": "Two sessions"}).status_code == 303
    assert procurement().events[0].notes == "Two sessions"
    assert post(officer, f"/procurements/{REF}/events/{event.id}/remove").status_code == 303
    assert count(EngagementEvent) == 0
    assert [len(audits("engagement_event", a)) for a in ("create", "update", "delete")] == [1, 1, 1]


@pytest.mark.parametrize("data,field,message", [
    ({"on_day": "", "on_month": "", "on_year": "", "kind": "Event"}, "on_day", "Enter the date of the event"),
    ({"on_day": "31", "on_month": "2", "on_year": "2023", "kind": "Event"}, "on_day", "must be a real date"),
    ({"on_day": "1", "on_month": "", "on_year": "2023", "kind": "Event"}, "on_month", "must include a month"),
    ({"on_day": "1", "on_month": "2", "on_year": "23", "kind": "Event"}, "on_year", "year of 4 numbers"),
    ({"on_day": "1", "on_month": "2", "on_year": "2023", "kind": ""}, "kind", "Enter the kind of event"),
])
def test_bad_events_are_refused(officer, created, data, field, message):
    resp = post(officer, f"/procurements/{REF}/events/new", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in html and f'href="#{field}"' in html
    assert count(EngagementEvent) == 0


# -- key dates ----------------------------------------------------------------------------------

def test_key_dates_are_set_changed_and_removed(officer, created):
    url = f"/procurements/{REF}/set-up/dates"
    assert post(officer, f"{url}/itt_published", {"at_day": "1", "at_month": "2", "at_year": "2023"}).status_code == 303
    assert post(officer, f"{url}/tender_deadline", {"at_day": "28", "at_month": "3", "at_year": "2023",
                                                    "at_time": "12:00"}).status_code == 303
    p = procurement()
    assert p.date_of("itt_published").value == date(2023, 2, 1)
    assert p.date_of("tender_deadline").value == datetime(2023, 3, 28, 12, 0)
    page = officer.get(url).get_data(as_text=True)
    assert "1 February 2023" in page and "28 March 2023 12:00" in page
    resp = post(officer, f"{url}/tender_deadline", {"at_time": "25:00", "at_day": "28", "at_month": "3", "at_year": "2023"})
    assert resp.status_code == 400 and "as a 24-hour time" in resp.get_data(as_text=True)
    assert post(officer, f"{url}/itt_published", {"at_day": "", "at_month": "", "at_year": ""}).status_code == 303
    assert procurement().date_of("itt_published") is None
    assert [len(audits("timeline_date", a)) for a in ("set", "delete")] == [2, 1]
    assert officer.get(f"{url}/no_such_kind").status_code == 404


# -- the threshold on the procurement page ------------------------------------------------------

def test_the_procurement_page_shows_the_threshold_assessment(officer, complete):
    post(officer, f"/procurements/{REF}/set-up/dates/itt_published", {"at_day": "1", "at_month": "2", "at_year": "2023"})
    html = officer.get(f"/procurements/{REF}").get_data(as_text=True)
    assert "£16,876,105" in html  # £3,375,221 a year for 3 + 1 + 1 years
    assert "£663,540 for light-touch services" in html and "since 1 January 2022" in html
    assert "PPN 10/21" in html and "Above the threshold" in html
    assert "Prior information notice" in html and "Contract award notice" in html
    assert "the date the tender notice was published" in html


def test_a_utility_before_2026_has_no_threshold_and_the_page_says_why(officer, complete):
    post(officer, f"/procurements/{REF}/details", {**DETAILS, "buyer_kind": "utilities"})
    post(officer, f"/procurements/{REF}/set-up/dates/itt_published", {"at_day": "1", "at_month": "2", "at_year": "2023"})
    html = officer.get(f"/procurements/{REF}").get_data(as_text=True)
    assert "No utilities light-touch services threshold is recorded before 2026-01-01" in html


def test_below_the_threshold_no_notice_is_required(officer, created):
    post(officer, f"/procurements/{REF}/details", {**DETAILS, "regime": "PCR2015-OPEN"})
    post(officer, f"/procurements/{REF}/lots/new", {"code": "A", "title": "Small", "annual_value": "10000"})
    post(officer, f"/procurements/{REF}/set-up/dates/itt_published", {"at_day": "1", "at_month": "2", "at_year": "2024"})
    html = officer.get(f"/procurements/{REF}").get_data(as_text=True)
    assert "£50,000" in html and "£214,904 for sub-central goods and services" in html
    assert "Below the threshold" in html and "PPN 11/23" in html


def test_a_reference_taken_by_a_concurrent_request_is_refused_not_a_500(officer, created, monkeypatch):
    """Two officers create the same reference at once: the check passes for both, the
    database's unique constraint refuses the second, and the page says so."""
    from procurement.setup import services

    monkeypatch.setattr(services, "reference_taken", lambda reference: False)
    resp = post(officer, "/procurements/new", {**DETAILS, "title": "Second"})
    assert resp.status_code == 400 and f"{REF} is already used" in resp.get_data(as_text=True)
    assert count(Procurement) == 1 and len(audits("procurement", "create")) == 1


def test_a_lot_code_taken_by_a_concurrent_request_is_refused_not_a_500(officer, complete, monkeypatch):
    from procurement.setup import services

    monkeypatch.setattr(services, "_lot_code_taken", lambda p, code, other_than: False)
    resp = post(officer, f"/procurements/{REF}/lots/new", {"code": "A", "title": "Again", "annual_value": "1"})
    assert resp.status_code == 400 and "lot A already exists" in resp.get_data(as_text=True)
    assert count(Lot) == 2
