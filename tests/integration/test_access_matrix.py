"""The role x route matrix: every route of the app, GET and POST, for every kind of person.

Generated from `app.url_map`, so it grows by itself as routes are added. For each cell it
asserts DOMAIN.md's permission table, written out below independently of the app's own
declarations (`HOLDS`: which grants each person holds on the demo procurement), and it looks
at what came back, not only the status:
- a refused request answers the sign-in redirect, 403 or 404 (404 when the person has
  nothing to do with the procurement), shows none of the procurement's data and, for a
  POST, changes nothing (no audit record, no row);
- nobody of another organisation ever sees the procurement's title or its bidders;
- the administrator and the finance reviewer never see a weighted score;
- a sealed bid (submitted in Tender, not opened: `sealed_fixtures`) in lot A: no route, for
  nobody, answers its price or its document's bytes or name before the bids are opened.
Allowed GETs are made too and must not be refused; allowed POSTs are not sent (they would
change the demo) - the flows' own tests send them.
"""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select, text
from werkzeug.routing import Rule as UrlRule

from accounts.models import Organisation, User
from audit.models import AuditRecord
from extensions import db
from procurement.access import ROUTES
from procurement.models import (Bid, Bidder, EngagementEvent, Lot, PanelMember, Procurement,
                                PartnerContribution)
from procurement.policy import (ADMIN, APPROVER, EVALUATOR, FINANCE, OFFICER, PANEL, PUBLIC,
                                SIGNED_IN, SUPPLIER)
from tests.conftest import PASSWORD, _empty_tables, _password_hash
from tests.integration.sealed_fixtures import MARKER, PRICE_TEXTS, sealed_bid

REF = "SCO-DA-2023"
TITLE = "Re-commissioning of pan Staffordshire Domestic Abuse"
BIDDERS = ("Victim Support", "Northfield Change Partnership CIC")
SCORES = ("97.00", "95.50", "64.00")  # the demo's weighted totals
SEALED_BIDDER = "Sealed Bidder Ltd"
SEALED_DOCUMENT = "sealed-method-statement.pdf"

# Who each person is: (email, roles, organisation) for those the demo does not have.
EXTRA = {
    "other_officer": ("officer@elsewhere.example.org", "officer", "Elsewhere Fire Authority"),
    "other_approver": ("ceo@elsewhere.example.org", "chief_executive", "Elsewhere Fire Authority"),
    "other_supplier": ("bids@another-supplier.example.org", "supplier", "Another Supplier Ltd"),
    "evaluator_off_panel": ("evaluator.z@demo.example.org", "evaluator",
                            "Staffordshire Commissioner's Office"),
    "no_role": ("nobody@demo.example.org", "", "Staffordshire Commissioner's Office"),
}
DEMO = {
    "officer": "officer@demo.example.org", "evaluator_a": "evaluator.a@demo.example.org",
    "evaluator_b": "evaluator.b@demo.example.org", "finance": "finance@demo.example.org",
    "chief_executive": "ceo@demo.example.org", "monitoring_officer": "mo@demo.example.org",
    "s151_officer": "s151@demo.example.org", "commissioner": "commissioner@demo.example.org",
    "admin": "admin@demo.example.org", "supplier": "supplier@demo.example.org",
}
PERSONS = [*DEMO, *EXTRA, "anonymous"]

# DOMAIN.md "Who may do what", per person, on the demo procurement's lot A and the bid of
# Victim Support in it. Grants held only where the URL names no procurement come second.
HOLDS = {
    "officer": ({OFFICER, APPROVER}, set()),  # also the originating officer
    "evaluator_a": ({PANEL}, {EVALUATOR}),
    "evaluator_b": ({PANEL}, {EVALUATOR}),  # of a partner organisation, on the panel
    "finance": ({FINANCE}, set()),
    "chief_executive": ({APPROVER}, set()),
    "monitoring_officer": ({APPROVER}, set()),
    "s151_officer": ({APPROVER}, set()),
    "commissioner": ({APPROVER}, set()),
    "admin": (set(), {ADMIN}),
    "supplier": (set(), {SUPPLIER}),  # Northfield: its own bids are in lot B only
    "other_officer": (set(), {OFFICER}),
    "other_approver": (set(), {APPROVER}),
    "other_supplier": (set(), {SUPPLIER}),
    "evaluator_off_panel": (set(), {EVALUATOR}),
    "no_role": (set(), set()),
    "anonymous": (set(), set()),
}
# People to whom the demo procurement is none of their business (404, never its data).
STRANGERS = {"other_officer", "other_approver", "other_supplier", "anonymous"}
NO_SCORES = {"admin", "finance", "supplier", "no_role", *STRANGERS}


def expected_allowed(person: str, endpoint: str, rule: UrlRule, method: str) -> bool:
    grants = set(ROUTES[endpoint].grants(method))
    if PUBLIC in grants:
        return True
    if person == "anonymous":
        return False
    if SIGNED_IN in grants:
        return True
    on_procurement, elsewhere = HOLDS[person]
    names_procurement = "reference" in rule.arguments
    if not names_procurement:
        held = elsewhere | {g for g in on_procurement if g not in (PANEL,)}
        return bool(grants & held)
    held = set(on_procurement)
    if person == "supplier" and "bid_id" not in rule.arguments:
        held.add(SUPPLIER)  # a page about its own bids, found by the view
    if person == "other_supplier" and "bid_id" not in rule.arguments:
        held.add(SUPPLIER)
    return bool(grants & held)


def expected_refusal(person: str, rule: UrlRule) -> set[int]:
    if person == "anonymous":
        return {302}
    related = person not in STRANGERS and not (person == "supplier" and "bid_id" not in rule.arguments)
    if "reference" in rule.arguments and not related:
        return {404}
    if "reference" in rule.arguments and person == "supplier":
        return {404}  # the bid named is another bidder's
    return {403}


@pytest.fixture(scope="module")
def world(_app):
    """The demo, a note sent for signature, and people of other organisations and none."""
    with _app.app_context():
        _empty_tables()
        runner = _app.test_cli_runner()
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
        for key, (email, roles, org_name) in EXTRA.items():
            org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
            if org is None:
                org = Organisation(name=org_name, kind="supplier" if "supplier" in roles else "buyer")
                db.session.add(org)
            db.session.add(User(email=email, name=key, roles=roles, organisation=org,
                                password_hash=_password_hash()))
        for email in DEMO.values():  # one password for everyone in the matrix
            db.session.scalar(select(User).where(User.email == email)).password_hash = _password_hash()
        db.session.commit()
        sent = runner.invoke(args=["decision-note", "send", REF])
        notice_id, document_id, clarification_id = _notice_rows()
        lot = db.session.scalar(select(Lot).join(Procurement).where(  # the demo's (not the
            Procurement.reference == REF, Lot.code == "A"))  # open opportunity's) lot A
        bid = db.session.scalar(select(Bid).join(Bidder).where(
            Bid.lot_id == lot.id, Bidder.name == "Victim Support"))
        values = {
            "reference": REF, "code": "A", "bid_id": bid.id, "kind": "eia", "number": 1,
            "criterion_id": lot.criteria[0].id, "filename": "css/app.css",
            "member_id": db.session.scalar(select(PanelMember.id).where(PanelMember.lot_id == lot.id)),
            "notice_id": notice_id, "document_id": document_id,
            "clarification_id": clarification_id,
            # the set-up's own ids: the demo's lot A, its first partner and engagement event
            "lot_id": lot.id, "date_kind": "itt_published",
            "partner_id": db.session.scalar(select(PartnerContribution.id).where(
                PartnerContribution.procurement_id == lot.procurement_id)
                .order_by(PartnerContribution.id)),
            "event_id": db.session.scalar(select(EngagementEvent.id).where(
                EngagementEvent.procurement_id == lot.procurement_id).order_by(EngagementEvent.id)),
            # the administrator's pages: the demo officer, its organisation, one setting
            "user_id": db.session.scalar(select(User.id).where(User.email == DEMO["officer"])),
            "organisation_id": db.session.scalar(select(User.organisation_id).where(
                User.email == DEMO["officer"])),
            "key": "marking",
            # an emailed link's token (registration, invitation): a forged one, refused
            # by the page itself with a clear message
            "token": "not-a-real-token",
            **_selection_rows(lot.procurement_id, bid),
            "job_id": "0" * 32,  # no such job: its pages answer 404 to whoever may see them
        }
        assert sent.exit_code == 0, sent.output
        sealed = sealed_bid(lot, SEALED_BIDDER, documents=((SEALED_DOCUMENT, _sealed_pdf()),))
        values["bid_document_id"] = sealed_document_id(sealed)
        SEALED_HASHES.append(sealed_version_hash(sealed))
        db.session.remove()
    # No app context stays pushed: each request gets its own, as in production (a shared one
    # would carry Flask-Login's signed-in user from one client's request to the next).
    _app.config["WTF_CSRF_ENABLED"] = False  # refusals are the policy's, not CSRF's
    try:
        yield values
    finally:
        _app.config["WTF_CSRF_ENABLED"] = True
        with _app.app_context():
            _empty_tables()
            db.session.remove()


def _sealed_pdf() -> bytes:
    from tests.integration.sealed_fixtures import pdf

    return pdf()


SEALED_HASHES: list[str] = []  # the sealed version's hash: it binds the price


def sealed_version_hash(bid) -> str:
    from procurement.bids.models import BidVersion

    return db.session.scalar(select(BidVersion.content_sha256).where(
        BidVersion.bid_id == bid.id))


def sealed_document_id(bid) -> int:
    from procurement.bids.models import BidDocument, BidVersion

    return db.session.scalar(select(BidDocument.id).join(BidVersion).where(
        BidVersion.bid_id == bid.id))


def _selection_rows(procurement_id: int, bid: Bid) -> dict:
    """The demo's questionnaire, an answer of Victim Support and its mark (selection pages)."""
    from procurement.selection import services
    from procurement.selection.models import SqAnswer, SqAnswerSet, SqMark

    p = db.session.get(Bid, bid.id).lot.procurement
    qs = services.ensure_questionnaire(p, "matrix")
    officer = db.session.scalar(select(User).where(User.email == DEMO["officer"]))
    answers = SqAnswerSet(bidder_id=bid.bidder_id, state="submitted")
    db.session.add(answers)
    db.session.flush()
    answer = SqAnswer(answer_set_id=answers.id, question_id=qs[0].id, text="Victim Support")
    mark = SqMark(answer_set_id=answers.id, question_id=qs[6].id, outcome="pass",
                  reason="No exclusion ground declared", marker_id=officer.id)
    db.session.add_all([answer, mark])
    db.session.commit()
    return {"question_key": "3.2", "bidder_id": bid.bidder_id, "mark_id": mark.id,
            "answer_id": answer.id}


def _notice_rows() -> tuple[int, int, int]:
    """A draft notice, a tender document and a supplier's question on the demo procurement."""
    from procurement.access import find_procurement
    from procurement.notices.models import Clarification, Notice, TenderDocument

    p = find_procurement(REF)
    supplier = db.session.scalar(select(User).where(User.email == DEMO["supplier"]))
    pdf = b"%PDF-1.4 a tender document"
    rows = (Notice(procurement_id=p.id, kind="award-notice", created_by=DEMO["officer"]),
            TenderDocument(procurement_id=p.id, title="Specification", filename="spec.pdf",
                           file_type="pdf", content_type="application/pdf", size=len(pdf),
                           sha256=hashlib.sha256(pdf).hexdigest(), content=pdf),
            Clarification(procurement_id=p.id, asker_id=supplier.id,
                          asker_organisation_id=supplier.organisation_id,
                          question="Will TUPE apply to the current service's staff?"))
    db.session.add_all(rows)
    db.session.commit()
    return tuple(r.id for r in rows)


@pytest.fixture(scope="module")
def clients(_app, world):
    made = {}
    for person in PERSONS:
        c = _app.test_client()
        if person != "anonymous":
            email = DEMO.get(person) or EXTRA[person][0]
            resp = c.post("/login", data={"email": email, "password": PASSWORD})
            assert resp.status_code == 302, f"login as {person} failed"
        made[person] = c
    return made


def _cells():
    from app import app  # the url_map is the same for every app the factory makes

    cells = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            for person in PERSONS:
                cells.append(pytest.param(rule.endpoint, rule.rule, method, person,
                                          id=f"{method} {rule.rule} as {person}"))
    return cells


CELLS = _cells()
MATRIX = {"routes": len({(c.values[1], c.values[2]) for c in CELLS}), "persons": len(PERSONS),
          "cells": len(CELLS)}


def _fingerprint(app) -> str:
    """The rows of every table, counted, and the note, hashed: a refused POST leaves them."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            count = db.session.execute(select(func.count()).select_from(table)).scalar()
            digest.update(f"{table.name}:{count};".encode())
        note = db.session.execute(text("SELECT narrative, answers, state FROM decision_note")).all()
        digest.update(repr(note).encode())
        db.session.remove()
    return digest.hexdigest()


def _url(_app, endpoint: str, rule_text: str, values: dict) -> str:
    rule = next(r for r in _app.url_map.iter_rules()
                if r.endpoint == endpoint and r.rule == rule_text)
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def test_every_route_is_declared(_app):
    """No route without a declaration, and no declaration without a route."""
    endpoints = {r.endpoint for r in _app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "declare these in procurement.access.ROUTES"
    assert set(ROUTES) - endpoints == set(), "these declarations have no route"


def test_the_matrix_covers_every_route_and_person():
    print(f"\nrole x route matrix: {MATRIX['routes']} routes x {MATRIX['persons']} people = "
          f"{MATRIX['cells']} cells")
    assert MATRIX["cells"] == MATRIX["routes"] * MATRIX["persons"] and MATRIX["routes"] > 40


@pytest.mark.parametrize("endpoint,rule_text,method,person", CELLS)
def test_cell(_app, world, clients, endpoint, rule_text, method, person):
    rule = next(r for r in _app.url_map.iter_rules()
                if r.endpoint == endpoint and r.rule == rule_text)
    allowed = expected_allowed(person, endpoint, rule, method)
    url = _url(_app, endpoint, rule_text, world)
    client = clients[person]
    if method == "POST" and allowed:
        return  # would change the demo; the flows' own tests post as these people
    before = _fingerprint(_app) if method == "POST" else None
    resp = client.open(url, method=method, data={})
    raw = resp.get_data()
    body = resp.get_data(as_text=True) if resp.mimetype.startswith(("text/", "application/json")) else ""
    resp.close()  # a file sent from disk is closed with the response
    # every cell starts with no throttle counted (tests/conftest.py): a 429 would hide the
    # answer the cell checks
    assert resp.status_code != 429, f"{method} {url} as {person}: throttled"
    public = PUBLIC in ROUTES[endpoint].grants(method)
    if allowed:
        to_login = resp.status_code == 302 and "/login" in resp.headers.get("Location", "")
        assert resp.status_code not in (401, 403) and (public or not to_login), \
            f"{person} should be let in to {method} {url}, got {resp.status_code}"
    else:
        assert resp.status_code in expected_refusal(person, rule), \
            f"{person} should be refused {method} {url}, got {resp.status_code}"
        if resp.status_code == 302:
            assert "/login" in resp.headers["Location"]
        for secret in (TITLE, *BIDDERS, *SCORES):
            assert secret not in body, f"refused page leaks {secret!r}"
        assert resp.mimetype != "application/pdf" or resp.status_code != 200
    # sealed: nobody reads the sealed bid's price, its document's bytes or its name
    assert MARKER.encode() not in raw, f"{person} reads the sealed document on {url}"
    assert SEALED_DOCUMENT not in body, f"{person} sees the sealed document's name on {url}"
    for price in PRICE_TEXTS:
        assert price not in body, f"{person} sees the sealed price on {url}"
    for digest in SEALED_HASHES:
        assert digest not in body, f"{person} sees the sealed version's hash on {url}"
    if method == "POST" and not allowed:
        assert _fingerprint(_app) == before, f"a refused POST by {person} changed {url}"
    if public:
        return  # public pages show what is published; their own tests check redaction
    if person in STRANGERS:
        for secret in (TITLE, *BIDDERS):
            assert secret not in body, f"{person} sees {secret!r} on {url}"
    if person in NO_SCORES:
        for score in SCORES:
            assert not re.search(rf"\b{re.escape(score)}\b", body), f"{person} sees {score} on {url}"


def _audit_count(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count(AuditRecord.id)))
        finally:
            db.session.remove()


def test_refused_posts_left_no_audit_record(_app, world, clients):
    """One more time, end to end: the people who may not change anything tried everything."""
    count = _audit_count(_app)
    for person in ("admin", "finance", "other_officer", "supplier"):
        clients[person].post(f"/procurements/{REF}/decision-note", data={"summary": "changed"})
        clients[person].post(f"/procurements/{REF}/decision-note/number", data={})
        clients[person].post(f"/procurements/{REF}/letters/issue", data={})
    assert _audit_count(_app) == count
