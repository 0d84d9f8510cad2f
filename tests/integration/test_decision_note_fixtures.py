"""Tenders built with ORM objects for the decision note, letter and public-page tests.

`make_tender` replays the reference tender's published figures (lot A 97.00; lot B 95.50
and 64.00; £2,875,221 + £500,000 = £3,375,221 a year, shared by three partners).
`add_letter_lots` adds lots with a tie and an exclusion, for the letters.
"""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from accounts.models import Organisation
from decisions.note.service import get_or_create_note
from evaluation.models import Consensus, Criterion
from extensions import db
from procurement.models import Bid, Bidder, Lot, PartnerContribution, Procurement, TimelineDate

REF = "SCO-DA-2023"
WINNER = "Victim Support"
LOSER = "Northfield Change Partnership CIC"
SECRET = "Northfield Change Partnership CIC"  # the phrase marked commercially sensitive


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(content)).pages)


def _criteria(lot: Lot) -> dict[str, Criterion]:
    q = Criterion(lot=lot, code="Q1", section="Value for Money", title="Quality and price",
                  weight=Decimal(85), kind="scored", max_score=Decimal(85), position=1)
    pr = Criterion(lot=lot, code="P1", section="Presentation", title="Presentation",
                   weight=Decimal(15), kind="scored", max_score=Decimal(15), position=2)
    db.session.add_all([q, pr])
    return {"Q1": q, "P1": pr}


def _bid(lot: Lot, bidder: Bidder, crit: dict, q1, p1, **kw) -> Bid:
    bid = Bid(lot=lot, bidder=bidder, **kw)
    db.session.add(bid)
    for code, value in (("Q1", q1), ("P1", p1)):
        if value is not None:
            db.session.add(Consensus(bid=bid, criterion=crit[code], value=Decimal(str(value)),
                                     rationale=f"{bidder.name} {code} rationale: scored {value}."))
    return bid


def make_tender(buyer: Organisation, reference: str = REF, regime: str = "PCR2015-LTR",
                supplier_org: Organisation | None = None) -> Procurement:
    p = Procurement(
        reference=reference, organisation=buyer, regime=regime,
        title="Re-commissioning of pan Staffordshire Domestic Abuse Victim and Perpetrator Services",
        relates_to="Policing,Crime", initial_term_years=3, extension_years="1,1",
        state="evaluation")
    db.session.add(p)
    for i, (name, amount) in enumerate((("Staffordshire Commissioner's Office", "1859195.76"),
                                        ("Staffordshire County Council", "895000"),
                                        ("Stoke-on-Trent City Council", "621025.24"))):
        p.partners.append(PartnerContribution(name=name, annual_contribution=Decimal(amount),
                                              position=i))
    p.dates.append(TimelineDate(kind="itt_published", at=datetime(2023, 2, 1)))
    lot_a = Lot(procurement=p, code="A", title="DA Victim Services",
                annual_value=Decimal("2875221"), position=1)
    lot_b = Lot(procurement=p, code="B", title="DA Perpetrator Services",
                annual_value=Decimal("500000"), position=2)
    winner = Bidder(procurement=p, name=WINNER,
                    organisation_id=supplier_org.id if supplier_org else None)
    loser = Bidder(procurement=p, name=LOSER)
    db.session.add_all([lot_a, lot_b, winner, loser])
    ca, cb = _criteria(lot_a), _criteria(lot_b)
    _bid(lot_a, winner, ca, 85, 12)
    _bid(lot_b, winner, cb, 85, 10.5)
    _bid(lot_b, loser, cb, 55, 9)
    db.session.flush()
    return p


def add_letter_lots(p: Procurement, supplier_org: Organisation | None = None) -> None:
    """Lot C: a winner, two bids tied for second, one excluded. Lot D: a tie for first."""
    lot_c = Lot(procurement=p, code="C", title="Helpline", annual_value=Decimal(0), position=3)
    lot_d = Lot(procurement=p, code="D", title="Training", annual_value=Decimal(0), position=4)
    names = ("Alpha Ltd", "Beta Ltd", "Gamma Ltd", "Delta Ltd")
    bidders = {n: Bidder(procurement=p, name=n) for n in names}
    if supplier_org is not None:
        bidders["Beta Ltd"].organisation_id = supplier_org.id
    db.session.add_all([lot_c, lot_d, *bidders.values()])
    cc, cd = _criteria(lot_c), _criteria(lot_d)
    _bid(lot_c, bidders["Alpha Ltd"], cc, 80, 10)
    _bid(lot_c, bidders["Beta Ltd"], cc, 60, 10)
    _bid(lot_c, bidders["Gamma Ltd"], cc, 60, 10)
    _bid(lot_c, bidders["Delta Ltd"], cc, 70, 10, selection="fail",
         selection_reason="no insurance certificate")
    _bid(lot_d, bidders["Alpha Ltd"], cd, 50, 5)
    _bid(lot_d, bidders["Beta Ltd"], cd, 50, 5)
    db.session.flush()


def fill_note(p: Procurement, **answers):
    note = get_or_create_note(p)
    note.narrative = {"summary": f"The panel preferred {WINNER} over {SECRET} on quality.",
                      "recommendation": f"Award both lots to {WINNER}."}
    note.answers = {"decision_policy": True, "key_decision": True, "legal_advice": True,
                    "public_access": True, "personal_data": True, "deferral": False,
                    "deferral_until": None, "redaction": True, **answers}
    note.sensitive_phrases = [SECRET]
    return note


@pytest.fixture()
def tender(app, users):
    p = make_tender(users["officer"].organisation, supplier_org=users["supplier"].organisation)
    fill_note(p)
    db.session.commit()
    return p


def test_fixture_replays_the_published_totals(tender):
    from evaluation.results.inputs import procurement_results
    a, b = procurement_results(tender)
    assert a.winner == b.winner == WINNER
    assert [round(x.total, 2) for x in a.bids] == [97.0]
    assert [round(x.total, 2) for x in b.bids] == [95.5, 64.0]
    assert tender.annual_total == Decimal("3375221")
