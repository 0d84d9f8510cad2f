"""A small two-lot tender, results final, for the sign-off, webhook and stale tests.

`demo_tender` imports the reference workbook (the demo's tender) through the workbook
importer when it is available, and otherwise falls back to `small_tender`.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask import g
from flask.testing import FlaskClient

from accounts.models import Organisation
from evaluation.models import Consensus, Criterion
from extensions import db
from procurement.models import Bid, Bidder, Lot, PartnerContribution, Procurement

HMAC_KEY = "test-connect-key-0123456789"
REF = "TST-DA-2024"
ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = [ROOT / "tests" / "data" / "staffordshire-da-2023.xlsx",
             ROOT / "demo" / "data" / "staffordshire-da-2023.xlsx",
             ROOT.parent / "shared" / "acceptance" / "staffordshire-da-2023.xlsx"]


def small_tender(buyer: Organisation, reference: str = REF) -> Procurement:
    p = Procurement(reference=reference, title="Domestic abuse support services",
                    organisation=buyer, regime="PCR2015-LTR", relates_to="Policing,Crime",
                    initial_term_years=3, extension_years="1,1", state="evaluation")
    p.partners = [PartnerContribution(name=buyer.name, annual_contribution=Decimal("90000.00"),
                                      position=1),
                  PartnerContribution(name="County Council",
                                      annual_contribution=Decimal("60000.00"), position=2)]
    alpha, beta = Bidder(name="Alpha Support Ltd"), Bidder(name="Beta Change CIC")
    p.bidders = [alpha, beta]
    now = datetime(2024, 5, 1, 12, 0)
    for i, (code, value) in enumerate((("A", "100000.00"), ("B", "50000.00")), 1):
        lot = Lot(code=code, title=f"Lot {code} services", annual_value=Decimal(value),
                  position=i, results_final_at=now)
        q = Criterion(code="Q1", section="Quality", title="Service delivery",
                      weight=Decimal("60"), kind="scored", max_score=Decimal("5"), position=1)
        pr = Criterion(code="P1", section="Price", title="Price", weight=Decimal("40"),
                       kind="price", position=2)
        lot.criteria = [q, pr]
        for bidder, price, score in ((alpha, "95000", "4"), (beta, "90000", "3")):
            bid = Bid(bidder=bidder, price=Decimal(price), selection="pass")
            lot.bids.append(bid)
            db.session.add(Consensus(bid=bid, criterion=q, value=Decimal(score),
                                     rationale="Agreed by the panel"))
        p.lots.append(lot)
    db.session.add(p)
    db.session.flush()
    from decisions.note.service import get_or_create_note
    note = get_or_create_note(p)
    note.narrative = {"summary": "Award two contracts.", "recommendation": "Approve the award."}
    db.session.commit()
    return p


def demo_tender(buyer: Organisation) -> tuple[Procurement, str]:
    """(procurement, how it was made): the reference workbook imported, else a small tender."""
    try:
        from interchange.importer import import_tender
        from interchange.workbook_file import read_workbook
    except ImportError:
        return small_tender(buyer), "small"
    path = next((w for w in WORKBOOKS if w.exists()), None)
    if path is None:
        return small_tender(buyer), "small"
    parsed, errors = read_workbook(path)
    assert not errors, errors
    p = import_tender(parsed, actor="system")
    p.organisation = buyer
    from decisions.note.service import get_or_create_note
    note = get_or_create_note(p)  # the narrative a note cannot be sent without
    note.narrative = {"summary": "Award the contracts.", "recommendation": "Approve the award."}
    db.session.commit()
    return p, "workbook"


class SessionClient(FlaskClient):
    """A test client whose requests do not see another client's signed-in user.

    The tests hold one app context, which every request reuses, so Flask-Login's
    `g._login_user` and Flask-WTF's `g.csrf_token` would leak from one client to the next.
    """

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


def client_for(app, email: str) -> SessionClient:
    from tests.conftest import login

    c = SessionClient(app, app.response_class, use_cookies=True)
    assert login(c, email).status_code == 302, f"login as {email} failed"
    return c


def sign(body: bytes, key: str = HMAC_KEY) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def event(kind: str, envelope_id: str, recipient_id: str | None = None,
          at: str = "2024-05-02T09:30:00.1234567Z", **data) -> bytes:
    payload = {"event": kind, "apiVersion": "v2.1", "uri": f"/restapi/v2.1/accounts/1/envelopes/{envelope_id}",
               "retryCount": 0, "configurationId": 1000, "generatedDateTime": at,
               "data": {"accountId": "acc-1", "userId": "user-1", "envelopeId": envelope_id,
                        **({"recipientId": recipient_id} if recipient_id else {}), **data}}
    return json.dumps(payload).encode()


def post_event(client, body: bytes, signature: str | None = "auto", key: str = HMAC_KEY):
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        headers["X-DocuSign-Signature-1"] = sign(body, key)
    elif signature is not None:
        headers["X-DocuSign-Signature-1"] = signature
    return client.post("/integrations/docusign/connect", data=body, headers=headers)
