"""A small tender for the evaluation tests, built with ORM objects, and HTTP helpers.

Two lots; lot A has three evaluators (the `users` fixture's evaluator and two more), lot B
only the third. Lot A: Q1 (Quality, 40, 0–5), Q2 (Quality, 30, 0–5), P1 (Price, 30).
Bids for lot A: Alpha Care at £100,000 and Beta Support at £120,000. Lot B: Q1 (60),
I1 (Interview, 40); bids from Alpha Care and Gamma Trust.

With consensus Alpha Q1 5, Q2 4 and Beta Q1 4, Q2 5, lot A's published totals are
Alpha 94.00 (40 + 24 + 30) and Beta 87.00 (32 + 30 + 25).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import g
from flask.testing import FlaskClient

from accounts.models import User
from evaluation.models import Criterion
from procurement.models import PanelMember
from extensions import db
from procurement.models import Bid, Bidder, Lot, Procurement
from tests.conftest import _password_hash, login

REF = "EV-TEST-1"


@dataclass
class Tender:
    procurement: Procurement
    lot_a: Lot
    lot_b: Lot
    crit: dict  # "A:Q1" -> Criterion
    bids: dict  # "A:Alpha Care" -> Bid
    bidders: dict  # name -> Bidder
    evaluators: list  # three Users
    members: dict  # ("A", user index) -> PanelMember

    def url(self, lot: str, tail: str = "") -> str:
        return f"/evaluation/{REF}/lots/{lot}{tail}"


@pytest.fixture()
def tender(app, users) -> Tender:
    buyer = users["officer"].organisation
    p = Procurement(reference=REF, title="Evaluation test tender", organisation=buyer,
                    regime="PCR2015-OPEN", initial_term_years=3,
                    state="evaluation")  # its bids are in: the evaluation is under way
    db.session.add(p)
    lot_a = Lot(code="A", title="Victim services", annual_value=Decimal("100000"), position=1)
    lot_b = Lot(code="B", title="Perpetrator services", annual_value=Decimal("50000"), position=2)
    p.lots.extend([lot_a, lot_b])
    crit = {}
    for lot, rows in ((lot_a, [("Q1", "Quality", 40, "scored"), ("Q2", "Quality", 30, "scored"),
                               ("P1", "Price", 30, "price")]),
                      (lot_b, [("Q1", "Quality", 60, "scored"), ("I1", "Interview", 40, "scored")])):
        for i, (code, section, weight, kind) in enumerate(rows):
            c = Criterion(code=code, section=section, title=f"{section} {code}",
                          weight=Decimal(weight), kind=kind, position=i + 1,
                          max_score=Decimal(5) if kind == "scored" else None,
                          descriptors={"0": "No response", "5": "Excellent"} if kind == "scored" else None)
            lot.criteria.append(c)
            crit[f"{lot.code}:{code}"] = c
    bidders = {n: Bidder(name=n) for n in ("Alpha Care", "Beta Support", "Gamma Trust")}
    p.bidders.extend(bidders.values())
    bids = {}
    for lot, name, price in ((lot_a, "Alpha Care", "100000"), (lot_a, "Beta Support", "120000"),
                             (lot_b, "Alpha Care", "50000"), (lot_b, "Gamma Trust", "48000")):
        bid = Bid(bidder=bidders[name], price=Decimal(price), selection="pass")
        lot.bids.append(bid)
        bids[f"{lot.code}:{name}"] = bid
    evaluators = [users["evaluator"]]
    for n in (2, 3):
        u = User(email=f"evaluator{n}@example.org", name=f"Evaluator {n}", roles="evaluator",
                 organisation=buyer)
        u.password_hash = _password_hash()
        db.session.add(u)
        evaluators.append(u)
    db.session.flush()
    members = {}
    for i, u in enumerate(evaluators):
        members[("A", i)] = PanelMember(lot=lot_a, name=u.name, user_id=u.id)
    members[("B", 2)] = PanelMember(lot=lot_b, name=evaluators[2].name, user_id=evaluators[2].id)
    db.session.add_all(members.values())
    db.session.commit()
    return Tender(p, lot_a, lot_b, crit, bids, bidders, evaluators, members)


class PersonClient(FlaskClient):
    """A test client for one person. The tests hold one app context open, which every
    request reuses, so `g` (where Flask-Login caches the signed-in user and Flask-WTF the
    CSRF token) outlives a request: forget both before and after each request so each
    client is its own person with its own session."""

    def open(self, *args, **kwargs):
        _forget()
        try:
            return super().open(*args, **kwargs)
        finally:
            _forget()


def _forget() -> None:
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def client_for(app, user):
    """A fresh test client signed in as `user` (one client per person, as in real life)."""
    client = PersonClient(app, app.response_class, use_cookies=True)
    resp = login(client, user.email)
    assert resp.status_code == 302, f"login as {user.email} failed"
    return client


def post(client, path: str, data: dict | None = None, **kw):
    """POST a form with the session's CSRF token (taken from the sign-out form)."""
    # every page, even a 403, carries the sign-out form and so the session's token
    html = client.get("/procurements", follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token found"
    return client.post(path, data={**(data or {}), "csrf_token": match.group(1)}, **kw)


def declare_none(client, t: Tender, lot: str = "A"):
    """Declare no conflict with every bidder of the lot."""
    lot_obj = t.lot_a if lot == "A" else t.lot_b
    data = {f"coi-{b.bidder_id}": "none" for b in lot_obj.bids}
    return post(client, t.url(lot, "/declarations"), data)


def score_form(t: Tender, values: dict[str, str], lot: str = "A", why: str | None = None) -> dict:
    """{"Q1": "4", …} -> the bid scoring form's fields."""
    data = {}
    for code, value in values.items():
        c = t.crit[f"{lot}:{code}"]
        data[f"score-{c.id}"] = value
        data[f"justification-{c.id}"] = why or f"The bid's evidence for {code} supports {value}."
    return data
