"""DocuSign Connect keeps the sign-off order (issue 9): a signer out of turn is answered 409,
nothing is recorded, the event is kept (refused, with the reason) and a later retry is
handled afresh; an envelope summary's signatures are recorded in routing order."""
import json

import pytest
from flask import current_app
from sqlalchemy import func, select

from audit.models import AuditRecord
from audit.services import verify
from decisions.models import NoteVersion, SignOff, WebhookEvent
from extensions import db
from tests.integration.signing_fixtures import HMAC_KEY, event, post_event, small_tender


@pytest.fixture()
def hmac_key(app):
    old = app.config.get("DOCUSIGN_CONNECT_HMAC_KEY")
    app.config["DOCUSIGN_CONNECT_HMAC_KEY"] = HMAC_KEY
    yield HMAC_KEY
    app.config["DOCUSIGN_CONNECT_HMAC_KEY"] = old


@pytest.fixture()
def sent(app, users, hmac_key):
    """A small tender (five signers), sent for signature: (reference, envelope id)."""
    p = small_tender(users["officer"].organisation)
    out = app.test_cli_runner().invoke(args=["decision-note", "send", p.reference])
    assert out.exit_code == 0, out.output
    return p.reference, out.output.splitlines()[0]


def state(ref):
    out = current_app.test_cli_runner().invoke(
        args=["decision-note", "status", ref, "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def signed_positions():
    db.session.expire_all()
    return [s.position for s in db.session.scalars(
        select(SignOff).where(SignOff.signed_at.is_not(None)).order_by(SignOff.position))]


def signature_records():
    return db.session.scalars(select(AuditRecord).where(AuditRecord.action == "sign")
                              .order_by(AuditRecord.seq)).all()


def events(outcome=None):
    db.session.expire_all()
    q = select(WebhookEvent).order_by(WebhookEvent.id)
    if outcome:
        q = q.where(WebhookEvent.outcome == outcome)
    return db.session.scalars(q).all()


def summary(*signers):
    """An envelope summary: (recipient id, status) per signer, in the order given."""
    return {"recipients": {"signers": [
        {"recipientId": rid, "status": status,
         "signedDateTime": f"2024-05-0{rid}T08:00:00.0000000Z"} for rid, status in signers]}}


# ---- recipient-completed -------------------------------------------------------------------

def test_a_later_signer_before_the_earlier_ones_is_refused_and_records_nothing(app, client,
                                                                              sent):
    ref, envelope_id = sent
    body = event("recipient-completed", envelope_id, "3")
    resp = post_event(client, body)
    assert resp.status_code == 409
    answer = resp.get_json()
    assert answer["status"] == 409 and answer["reason"] == "out_of_order"
    assert "place 1" in answer["message"]
    assert signed_positions() == []
    assert signature_records() == []
    assert all(s["signed_at"] is None for s in state(ref)["signatures"])
    # the refusal is on the audit trail, and the chain still verifies
    refusal = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert (refusal.action, refusal.actor, refusal.entity) == ("sign_refused", "docusign",
                                                                "sign_off")
    assert refusal.after["reason"] == "out_of_order"
    assert refusal.after["recipient_id"] == "3"
    assert verify()[1] is None
    # the event is kept for review, refused, with its reason
    [kept] = events()
    assert (kept.outcome, kept.reason, kept.event, kept.envelope_id) == (
        "refused", "out_of_order", "recipient-completed", envelope_id)
    assert kept.message == answer["message"]
    assert json.loads(kept.body)["data"]["recipientId"] == "3"


def test_the_second_signer_waits_for_the_first(app, client, sent):
    _, envelope_id = sent
    resp = post_event(client, event("recipient-completed", envelope_id, "2"))
    assert resp.status_code == 409 and resp.get_json()["reason"] == "out_of_order"
    assert signed_positions() == []
    assert post_event(client, event("recipient-completed", envelope_id, "1")).status_code == 200
    assert post_event(client, event("recipient-completed", envelope_id, "2")).status_code == 200
    assert signed_positions() == [1, 2]


def test_a_refused_event_retried_after_the_earlier_signers_signed_is_accepted(app, client,
                                                                             sent):
    ref, envelope_id = sent
    late = event("recipient-completed", envelope_id, "3", at="2024-05-03T10:00:00Z")
    assert post_event(client, late).status_code == 409
    # DocuSign retries before the others have signed: still refused, not "already recorded"
    again = post_event(client, late)
    assert again.status_code == 409 and again.get_json()["reason"] == "out_of_order"
    for rid in ("1", "2"):
        assert post_event(client, event("recipient-completed", envelope_id, rid)).status_code \
            == 200
    resp = post_event(client, late)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["message"] == "signature recorded"
    assert signed_positions() == [1, 2, 3]
    assert state(ref)["signatures"][2]["signed_at"] == "2024-05-03T10:00:00Z"
    # the refusals stay for review; the accepted delivery is the recorded one
    assert [(e.outcome, e.reason) for e in events() if e.event_key.endswith("|3")] == [
        ("refused", "out_of_order"), ("refused", "out_of_order"), ("recorded", None)]
    # and from now on it is a repeat
    repeat = post_event(client, late)
    assert repeat.status_code == 200 and repeat.get_json()["message"] == "already recorded"
    assert [r.after["recipient_id"] for r in signature_records()] == ["1", "2", "3"]


def test_a_refusal_does_not_block_the_signers_whose_turn_it_is(app, client, sent):
    ref, envelope_id = sent
    assert post_event(client, event("recipient-completed", envelope_id, "5")).status_code == 409
    for rid in "12345":
        resp = post_event(client, event("recipient-completed", envelope_id, rid))
        assert resp.status_code == 200, (rid, resp.get_json())
    assert post_event(client, event("envelope-completed", envelope_id)).status_code == 200
    assert state(ref)["state"] == "completed"
    assert [e.outcome for e in events()].count("refused") == 1


# ---- envelope-completed with an envelope summary -------------------------------------------

def test_summary_signatures_are_recorded_in_routing_order(app, client, sent):
    ref, envelope_id = sent
    body = event("envelope-completed", envelope_id, envelopeSummary=summary(
        *[(rid, "completed") for rid in "53142"]))
    resp = post_event(client, body)
    assert resp.status_code == 200, resp.get_json()
    assert state(ref)["state"] == "completed"
    assert [r.after["recipient_id"] for r in signature_records()] == ["1", "2", "3", "4", "5"]
    version = db.session.scalar(select(NoteVersion))
    assert [s.signed_at.day for s in sorted(version.signoffs, key=lambda s: s.position)] == [
        1, 2, 3, 4, 5]


def test_summary_after_some_signers_signed_through_recipient_events(app, client, sent):
    ref, envelope_id = sent
    for rid in ("1", "2"):
        assert post_event(client, event("recipient-completed", envelope_id, rid)).status_code \
            == 200
    body = event("envelope-completed", envelope_id, envelopeSummary=summary(
        *[(rid, "completed") for rid in "54321"]))
    assert post_event(client, body).status_code == 200
    assert state(ref)["state"] == "completed"
    assert [r.after["recipient_id"] for r in signature_records()] == ["1", "2", "3", "4", "5"]


def test_summary_with_a_later_signer_completed_before_an_earlier_one_is_refused(app, client,
                                                                               sent):
    ref, envelope_id = sent
    audit_before = db.session.scalar(select(func.count()).select_from(AuditRecord))
    body = event("envelope-completed", envelope_id, envelopeSummary=summary(
        ("1", "completed"), ("2", "completed"), ("3", "sent"), ("4", "completed"),
        ("5", "completed")))
    resp = post_event(client, body)
    assert resp.status_code == 409
    assert resp.get_json()["reason"] == "out_of_order" and "place 3" in resp.get_json()["message"]
    # nothing at all is recorded: not even the first two, who did sign in order
    assert signed_positions() == [] and signature_records() == []
    assert state(ref)["state"] == "sent"
    assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == audit_before + 1
    refusal = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert (refusal.action, refusal.actor, refusal.after["reason"]) == (
        "complete_refused", "docusign", "out_of_order")
    [kept] = events()
    assert (kept.outcome, kept.reason, kept.event) == ("refused", "out_of_order",
                                                       "envelope-completed")
    # DocuSign's retry with the full summary is handled afresh and completes the note
    fixed = event("envelope-completed", envelope_id, envelopeSummary=summary(
        *[(rid, "completed") for rid in "12345"]))
    assert post_event(client, fixed).status_code == 200
    assert state(ref)["state"] == "completed" and signed_positions() == [1, 2, 3, 4, 5]
    assert [e.outcome for e in events()] == ["refused", "recorded"]


def test_an_incomplete_envelope_completed_is_kept_refused_and_a_retry_completes(app, client,
                                                                               sent):
    ref, envelope_id = sent
    for rid in "1234":
        assert post_event(client, event("recipient-completed", envelope_id, rid)).status_code \
            == 200
    done = event("envelope-completed", envelope_id)
    resp = post_event(client, done)
    assert resp.status_code == 409 and resp.get_json()["reason"] == "incomplete"
    assert [(e.event, e.outcome, e.reason) for e in events(outcome="refused")] == [
        ("envelope-completed", "refused", "incomplete")]
    assert post_event(client, event("recipient-completed", envelope_id, "5")).status_code == 200
    resp = post_event(client, done)
    assert resp.status_code == 200 and resp.get_json()["message"] == "note completed"
    assert state(ref)["state"] == "completed"
