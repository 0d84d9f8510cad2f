"""Frozen figures: a change to the data behind a sent note makes it stale and blocks completion."""
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from audit.models import AuditRecord
from decisions.note import data as nd
from decisions.signoff.freeze import (changed_parts, changed_paths, note_part, sha256_snapshot,
                                      snapshot_of)
from decisions.models import DecisionNote
from evaluation.models import Consensus, Score
from extensions import db
from procurement.models import Bid
from tests.integration.signing_fixtures import HMAC_KEY, client_for, event, post_event, small_tender

ORDER = ["originating_officer", "chief_executive", "monitoring_officer", "s151_officer",
         "commissioner"]


# ---- the snapshot (pure) -------------------------------------------------------------------

def _data(**over):
    signer = nd.Signer(role="commissioner", label="Commissioner", name="A", order=1)
    data = nd.NoteData(reference="R", title="T", organisation="O", decision_maker="D",
                       relates_to=["Crime"], signers=[signer],
                       lots=[nd.Lot("A", "Lot A", Decimal("100000.00"), 2, ["Quality"])])
    for k, v in over.items():
        setattr(data, k, v)
    return data


def test_the_snapshot_leaves_out_signing_dates_and_comments():
    data = _data()
    frozen = sha256_snapshot(snapshot_of(data, []))
    data.signers[0].signed_at, data.signers[0].comments = date(2024, 5, 1), "Approved"
    assert sha256_snapshot(snapshot_of(data, [])) == frozen
    data.signers[0].name = "Someone else"
    assert sha256_snapshot(snapshot_of(data, [])) != frozen


def test_money_has_one_spelling_and_pdfs_are_hashed():
    a = note_part(_data())
    b = note_part(_data(lots=[nd.Lot("A", "Lot A", Decimal("100000"), 2, ["Quality"])]))
    assert a == b and a["lots"][0]["annual_value"] == "100000"
    part = note_part(_data(eia=b"%PDF-1.7 annex"))
    assert set(part["eia"]) == {"sha256"}
    json.dumps(part)


def test_a_changed_figure_changes_the_hash_and_is_named():
    before = snapshot_of(_data(), [])
    after = snapshot_of(_data(lots=[nd.Lot("A", "Lot A", Decimal("100000.01"), 2,
                                           ["Quality"])]), [])
    assert sha256_snapshot(before) != sha256_snapshot(after)
    assert changed_paths(before, after) == ["note.lots[0].annual_value"]


def test_what_changed_is_said_in_words_figures_narrative_or_annexes():
    base = snapshot_of(_data(narrative={"summary": "A"}), [])
    text = snapshot_of(_data(narrative={"summary": "B", "recommendation": "R"}), [])
    labels = {"summary": "Summary", "recommendation": "Recommendation"}
    assert changed_parts(base, text, labels) == ["narrative text (Recommendation, Summary)"]
    money = snapshot_of(_data(narrative={"summary": "A"}, lots=[
        nd.Lot("A", "Lot A", Decimal("1"), 2, ["Quality"])]), [])
    assert changed_parts(base, money, labels) == ["figures"]
    scores = snapshot_of(_data(narrative={"summary": "A"}), [{"bids": [1]}])
    assert changed_parts(base, scores, labels) == ["figures"]
    annex = snapshot_of(_data(narrative={"summary": "A"}, eia=b"%PDF-1.7"), [])
    assert changed_parts(base, annex, labels) == ["annexes (Equality Impact Assessment)"]
    assert changed_parts(base, base, labels) == []


# ---- through the app -----------------------------------------------------------------------

@pytest.fixture()
def hmac_key(app):
    old = app.config.get("DOCUSIGN_CONNECT_HMAC_KEY")
    app.config["DOCUSIGN_CONNECT_HMAC_KEY"] = HMAC_KEY
    yield
    app.config["DOCUSIGN_CONNECT_HMAC_KEY"] = old


@pytest.fixture()
def sent(app, users, hmac_key):
    p = small_tender(users["officer"].organisation)
    out = app.test_cli_runner().invoke(args=["decision-note", "send", p.reference])
    assert out.exit_code == 0, out.output
    return p, out.output.splitlines()[0]


def status(app, ref):
    out = app.test_cli_runner().invoke(args=["decision-note", "status", ref, "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def consensus_of(p, lot=0, bidder="Alpha Support Ltd"):
    return db.session.scalars(select(Consensus).join(Bid).where(
        Bid.lot_id == p.lots[lot].id, Bid.bidder.has(name=bidder))).one()


def test_status_json_has_exactly_the_contracts_keys(app, sent):
    p, envelope_id = sent
    got = status(app, p.reference)
    assert list(got) == ["reference", "decision_number", "state", "envelope_id", "pdf_sha256",
                         "stale", "signatures"]
    assert got["reference"] == p.reference and got["envelope_id"] == envelope_id
    assert got["stale"] is False
    assert [set(s) for s in got["signatures"]] == [{"role", "name", "signed_at"}] * 5


def test_status_of_a_draft(app, users):
    p = small_tender(users["officer"].organisation)
    got = status(app, p.reference)
    assert got == {"reference": p.reference, "decision_number": None, "state": "draft",
                   "envelope_id": None, "pdf_sha256": None, "stale": False, "signatures": []}


def test_editing_a_consensus_score_after_send_makes_the_note_stale_and_refuses_completion(
        app, client, users, sent):
    p, envelope_id = sent
    for i in range(1, 6):
        assert post_event(client, event("recipient-completed", envelope_id, str(i))
                          ).status_code == 200
    c = consensus_of(p)
    c.value = Decimal("2")
    db.session.commit()

    assert status(app, p.reference)["stale"] is True
    officer = client_for(app, users["officer"].email)
    html = officer.get(f"/procurements/{p.reference}/decision-note/sign-off").get_data(
        as_text=True)
    assert 'id="stale-banner"' in html and "The officer must send it again" in html
    assert "(what changed: figures)" in html  # what changed is named, in words
    assert "Next to sign" not in html
    note_page = officer.get(f"/procurements/{p.reference}/decision-note").get_data(as_text=True)
    assert 'id="signoff-panel"' in note_page and 'id="stale-banner"' in note_page

    resp = post_event(client, event("envelope-completed", envelope_id))
    assert resp.status_code == 409 and resp.get_json()["reason"] == "stale"
    got = status(app, p.reference)
    assert got["state"] == "sent" and got["stale"] is True
    rec = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert (rec.action, rec.actor, rec.after["reason"]) == ("complete_refused", "docusign",
                                                            "stale")

    # putting the figure back makes the note whole again: completion goes through
    c = consensus_of(p)
    c.value = Decimal("4")
    db.session.commit()
    assert status(app, p.reference)["stale"] is False
    assert post_event(client, event("envelope-completed", envelope_id)).status_code == 200
    assert status(app, p.reference)["state"] == "completed"


def test_a_stale_note_is_not_signed_off_in_the_app(app, users):
    p = small_tender(users["officer"].organisation)
    officer = client_for(app, users["officer"].email)
    from tests.conftest import csrf_token

    def post(c, what, **data):
        return c.post(f"/procurements/{p.reference}/decision-note/{what}",
                      data={"csrf_token": csrf_token(c, "/procurements"), **data})

    assert post(officer, "send").status_code == 302
    approvers = {r: client_for(app, users[r].email) for r in ORDER}
    for i, role in enumerate(ORDER[:4], 1):
        assert post(approvers[role], "sign", position=str(i)).status_code == 302
    consensus_of(p, lot=1, bidder="Beta Change CIC").value = Decimal("5")
    db.session.commit()
    resp = post(approvers["commissioner"], "sign", position="5")
    assert resp.status_code == 409 and "changed after it was sent" in resp.get_data(as_text=True)
    note = db.session.scalar(select(DecisionNote))
    db.session.refresh(note)
    assert note.state == "sent" and note.current_version.signoffs[4].signed_at is None

    # sent again: a new version built from the new figures, which can be completed
    assert post(officer, "send").status_code == 302
    assert status(app, p.reference)["stale"] is False
    for i, role in enumerate(ORDER, 1):
        assert post(approvers[role], "sign", position=str(i)).status_code == 302
    got = status(app, p.reference)
    assert got["state"] == "completed" and not got["stale"]


@pytest.mark.parametrize("change", ["price", "lot value", "partner contribution", "narrative",
                                    "individual score", "selection", "bidder name"])
def test_any_change_to_the_data_behind_the_note_makes_it_stale(app, sent, change):
    p, _ = sent
    assert status(app, p.reference)["stale"] is False
    if change == "price":
        p.lots[0].bids[0].price = p.lots[0].bids[0].price + Decimal("0.01")
    elif change == "lot value":
        p.lots[1].annual_value = Decimal("50000.01")
    elif change == "partner contribution":
        p.partners[1].annual_contribution = Decimal("59999.99")
    elif change == "narrative":
        note = db.session.scalar(select(DecisionNote))
        note.narrative = {**note.narrative, "summary": "Award two contracts, revised."}
    elif change == "individual score":
        from procurement.models import PanelMember
        bid, criterion = p.lots[0].bids[0], p.lots[0].criteria[0]
        member = PanelMember(lot_id=p.lots[0].id, name="Panel Member A")
        db.session.add(member)
        db.session.flush()
        db.session.add(Score(bid_id=bid.id, criterion_id=criterion.id, member_id=member.id,
                             value=Decimal("3"), state="submitted"))
    elif change == "selection":
        p.lots[0].bids[1].selection = "fail"
    else:
        p.bidders[0].name = "Alpha Support Group Ltd"
    db.session.commit()
    assert status(app, p.reference)["stale"] is True


def test_signing_does_not_make_the_note_stale(app, client, users, sent):
    p, envelope_id = sent
    post_event(client, event("recipient-completed", envelope_id, "1"))
    assert status(app, p.reference)["stale"] is False
    officer = client_for(app, users["officer"].email)
    note_page = officer.get(f"/procurements/{p.reference}/decision-note").get_data(as_text=True)
    assert "1 of 5 approvers have signed; next to sign: Chief Executive" in note_page
    assert 'id="stale-banner"' not in note_page


def test_the_approver_whose_turn_it_was_is_told_what_changed_not_to_wait_for_itself(app, users):
    """Only the narrative changed: the banner says so; no "waiting for" the reader itself."""
    p = small_tender(users["officer"].organisation)
    officer = client_for(app, users["officer"].email)
    from tests.conftest import csrf_token

    def post(c, what, **data):
        return c.post(f"/procurements/{p.reference}/decision-note/{what}",
                      data={"csrf_token": csrf_token(c, "/procurements"), **data})

    assert post(officer, "send").status_code == 302
    for i, role in enumerate(ORDER[:2], 1):
        assert post(client_for(app, users[role].email), "sign", position=str(i)).status_code == 302
    note = db.session.scalar(select(DecisionNote))
    note.narrative = {**note.narrative, "summary": "Award two contracts, revised."}
    db.session.commit()
    mo = client_for(app, users["monitoring_officer"].email)
    html = mo.get(f"/procurements/{p.reference}/decision-note/sign-off").get_data(as_text=True)
    assert "This note changed after it was sent (what changed: narrative text (Summary))." in html
    assert "The officer must send it again before anyone signs." in html
    assert "figures" not in html.split('id="stale-banner"', 1)[1].split("</div>", 1)[0]
    assert "waiting for" not in html and "Next to sign" not in html
    assert "On hold until the note is sent again" in html


def test_sending_refuses_an_empty_summary_naming_it_and_the_draft_keeps(app, users):
    p = small_tender(users["officer"].organisation)
    note = db.session.scalar(select(DecisionNote))
    note.narrative = {"summary": "", "recommendation": "Approve the award."}
    db.session.commit()
    officer = client_for(app, users["officer"].email)
    from tests.conftest import csrf_token
    page = officer.get(f"/procurements/{p.reference}/decision-note/sign-off").get_data(
        as_text=True)
    assert "Write the Summary before sending" in page  # said before trying
    resp = officer.post(f"/procurements/{p.reference}/decision-note/send",
                        data={"csrf_token": csrf_token(officer, "/procurements")})
    assert resp.status_code == 409 and "Write the Summary" in resp.get_data(as_text=True)
    db.session.refresh(note)
    assert note.state == "draft" and note.current_version is None
