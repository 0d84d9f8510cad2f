"""DocuSign Connect webhook: HMAC first, signatures recorded, completion, idempotency."""
import base64
import json

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from audit.services import verify
from decisions.models import NoteVersion, SignOff, WebhookEvent
from decisions.signoff.webhook import expected_signature, parse_time, signature_ok
from extensions import db
from tests.integration.signing_fixtures import (HMAC_KEY, demo_tender, event, post_event, sign,
                                                small_tender)


@pytest.fixture()
def hmac_key(app):
    old = app.config.get("DOCUSIGN_CONNECT_HMAC_KEY")
    app.config["DOCUSIGN_CONNECT_HMAC_KEY"] = HMAC_KEY
    yield HMAC_KEY
    app.config["DOCUSIGN_CONNECT_HMAC_KEY"] = old


@pytest.fixture()
def sent(app, users, hmac_key):
    """A small tender, sent for signature from the command line: (reference, envelope id)."""
    p = small_tender(users["officer"].organisation)
    out = app.test_cli_runner().invoke(args=["decision-note", "send", p.reference])
    assert out.exit_code == 0, out.output
    return p.reference, out.output.splitlines()[0]


def cli_status(app, ref):
    out = app.test_cli_runner().invoke(args=["decision-note", "status", ref, "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def counts():
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(AuditRecord)),
            db.session.scalar(select(func.count()).select_from(WebhookEvent)),
            db.session.scalar(select(func.count()).select_from(SignOff)
                              .where(SignOff.signed_at.is_not(None))))


# ---- the walk ------------------------------------------------------------------------------

def test_walk_the_demo_tender_from_send_to_completed_through_the_webhook(app, client, users,
                                                                         hmac_key):
    p, made = demo_tender(users["officer"].organisation)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["decision-note", "send", p.reference])
    assert out.exit_code == 0, out.output
    envelope_id = out.output.splitlines()[0]

    status = cli_status(app, p.reference)
    assert status["state"] == "sent" and status["envelope_id"] == envelope_id
    assert status["decision_number"].startswith("TST/D/") and not status["stale"]
    assert len(status["pdf_sha256"]) == 64
    roles = [s["role"] for s in status["signatures"]]
    assert roles == ["originating_officer", "chief_executive", "monitoring_officer",
                     "s151_officer", "commissioner"]
    assert all(s["signed_at"] is None for s in status["signatures"])

    for i, role in enumerate(roles, 1):
        body = event("recipient-completed", envelope_id, str(i),
                     at=f"2024-05-0{i}T10:00:00.1234567Z")
        resp = post_event(client, body)
        assert resp.status_code == 200, resp.get_json()
        assert resp.get_json()["message"] == "signature recorded"
        status = cli_status(app, p.reference)
        assert status["signatures"][i - 1]["signed_at"] == f"2024-05-0{i}T10:00:00Z"
        assert status["state"] == "sent"

    resp = post_event(client, event("envelope-completed", envelope_id))
    assert resp.status_code == 200 and resp.get_json()["message"] == "note completed"
    status = cli_status(app, p.reference)
    assert status["state"] == "completed" and not status["stale"]
    assert [s["name"] for s in status["signatures"]] == [
        "Originating Officer", "Chief Executive", "Monitoring Officer", "S151 Officer",
        "Commissioner"]

    version = db.session.scalar(select(NoteVersion))
    assert version.state == "completed" and version.completed_at is not None
    assert {s.via for s in version.signoffs} == {"docusign"}
    actions = db.session.execute(select(AuditRecord.actor, AuditRecord.action).where(
        AuditRecord.procurement_ref == p.reference)).all()
    assert ("system", "send") in actions and ("docusign", "complete") in actions
    assert actions.count(("docusign", "sign")) == 5
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 0 and "records verified" in out.output, (made, out.output)


def test_the_completed_pack_is_kept_when_connect_includes_documents(app, client, sent):
    ref, envelope_id = sent
    signed_pdf = b"%PDF-1.7 signed copy"
    summary = {"recipients": {"signers": [
        {"recipientId": str(i), "status": "completed",
         "signedDateTime": f"2024-05-0{i}T08:00:00.0000000Z"} for i in range(1, 6)]},
        "envelopeDocuments": [{"documentId": "certificate", "PDFBytes": "bm90IGEgcGRm"},
                              {"documentId": "1", "type": "content",
                               "PDFBytes": base64.b64encode(signed_pdf).decode()}]}
    resp = post_event(client, event("envelope-completed", envelope_id,
                                    envelopeSummary=summary))
    assert resp.status_code == 200, resp.get_json()
    version = db.session.scalar(select(NoteVersion))
    assert version.completed_pdf == signed_pdf and version.state == "completed"
    assert [s.signed_at.day for s in version.signoffs] == [1, 2, 3, 4, 5]


# ---- authentication ------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["wrong key", "altered body", "missing header",
                                  "not base64", "empty", "lower-case hex"])
def test_a_bad_signature_changes_nothing(app, client, sent, case):
    _, envelope_id = sent
    body = event("recipient-completed", envelope_id, "1")
    before = counts()
    if case == "wrong key":
        resp = post_event(client, body, key="not-the-key")
    elif case == "altered body":
        resp = post_event(client, body.replace(b'"1"}', b'"2"}'), signature=sign(body))
    elif case == "missing header":
        resp = post_event(client, body, signature=None)
    elif case == "not base64":
        resp = post_event(client, body, signature="%%%")
    elif case == "empty":
        resp = post_event(client, body, signature="")
    else:
        import hashlib
        import hmac
        resp = post_event(client, body, signature=hmac.new(HMAC_KEY.encode(), body,
                                                           hashlib.sha256).hexdigest())
    assert resp.status_code == 401
    assert counts() == before


def test_without_a_configured_key_every_event_is_refused(app, client, sent):
    _, envelope_id = sent
    app.config["DOCUSIGN_CONNECT_HMAC_KEY"] = ""
    body = event("recipient-completed", envelope_id, "1")
    before = counts()
    assert post_event(client, body, signature=sign(body, "")).status_code == 401
    assert counts() == before


def test_the_signature_is_checked_before_the_body_is_parsed(app, client, sent):
    junk = b"{not json"
    assert post_event(client, junk, key="wrong").status_code == 401
    assert post_event(client, junk).status_code == 400


def test_a_rotated_key_in_a_later_header_is_accepted(app, client, sent):
    _, envelope_id = sent
    body = event("recipient-completed", envelope_id, "1")
    resp = client.post("/integrations/docusign/connect", data=body, headers={
        "Content-Type": "application/json", "X-DocuSign-Signature-1": sign(body, "old-key"),
        "X-DocuSign-Signature-2": sign(body)})
    assert resp.status_code == 200


def test_no_login_and_no_csrf_token_needed(app, client, sent):
    assert app.config["WTF_CSRF_ENABLED"]
    _, envelope_id = sent
    assert post_event(client, event("envelope-sent", envelope_id)).status_code == 200


# ---- events --------------------------------------------------------------------------------

def test_an_unknown_envelope_answers_404(app, client, sent):
    before = counts()
    resp = post_event(client, event("recipient-completed", "no-such-envelope", "1"))
    assert resp.status_code == 404 and counts() == before


def test_an_unknown_recipient_answers_404(app, client, sent):
    _, envelope_id = sent
    before = counts()
    assert post_event(client, event("recipient-completed", envelope_id, "9")).status_code == 404
    assert counts() == before


def test_a_repeated_event_changes_nothing(app, client, sent):
    _, envelope_id = sent
    body = event("recipient-completed", envelope_id, "1")
    assert post_event(client, body).status_code == 200
    after_first = counts()
    again = post_event(client, body)
    assert again.status_code == 200 and again.get_json()["message"] == "already recorded"
    # a retry with a later generatedDateTime is the same event too
    later = event("recipient-completed", envelope_id, "1", at="2024-06-01T00:00:00Z")
    assert post_event(client, later).status_code == 200
    assert counts() == after_first
    so = db.session.scalar(select(SignOff).where(SignOff.position == 1))
    assert so.signed_at.isoformat() == "2024-05-02T09:30:00"


def test_envelope_completed_with_a_signer_missing_is_refused(app, client, sent):
    ref, envelope_id = sent
    for rid in ("1", "2", "3", "4"):
        assert post_event(client, event("recipient-completed", envelope_id, rid)).status_code \
            == 200
    audit_before = counts()[0]
    resp = post_event(client, event("envelope-completed", envelope_id))
    assert resp.status_code == 409 and resp.get_json()["reason"] == "incomplete"
    assert cli_status(app, ref)["state"] == "sent"
    refusal = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert (refusal.action, refusal.actor) == ("complete_refused", "docusign")
    assert counts()[0] == audit_before + 1
    # the last signature arrives, DocuSign retries: completed
    assert post_event(client, event("recipient-completed", envelope_id, "5")).status_code == 200
    assert post_event(client, event("envelope-completed", envelope_id)).status_code == 200
    assert cli_status(app, ref)["state"] == "completed"
    assert post_event(client, event("envelope-completed", envelope_id)).status_code == 200


def test_a_superseded_envelope_does_not_complete_the_note(app, client, sent):
    ref, old_envelope = sent
    out = app.test_cli_runner().invoke(args=["decision-note", "send", ref])
    assert out.exit_code == 0, out.output
    for rid in "12345":
        post_event(client, event("recipient-completed", old_envelope, rid))
    resp = post_event(client, event("envelope-completed", old_envelope))
    assert resp.status_code == 409
    status = cli_status(app, ref)
    assert status["state"] == "sent" and status["envelope_id"] != old_envelope
    assert all(s["signed_at"] is None for s in status["signatures"])


def test_other_events_are_recorded_on_the_audit_trail(app, client, sent):
    ref, envelope_id = sent
    assert post_event(client, event("recipient-delivered", envelope_id, "1")).status_code == 200
    rec = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert (rec.entity, rec.action, rec.actor, rec.procurement_ref) == (
        "docusign_envelope", "recipient-delivered", "docusign", ref)
    assert verify()[1] is None


# ---- helpers -------------------------------------------------------------------------------

def test_signature_ok_uses_the_raw_body():
    body = b'{"a": 1}'
    good = expected_signature(body, "k")
    assert signature_ok(body, {"X-DocuSign-Signature-1": good}, "k")
    assert not signature_ok(body + b" ", {"X-DocuSign-Signature-1": good}, "k")
    assert not signature_ok(body, {"X-DocuSign-Signature-1": good}, "")
    assert not signature_ok(body, {"X-Other": good}, "k")
    assert not signature_ok(body, {"X-DocuSign-Signature-1": "é"}, "k")


def test_parse_time_reads_docusigns_seven_decimals_as_utc():
    assert parse_time("2024-05-02T09:30:00.1234567Z").isoformat() == "2024-05-02T09:30:00"
    assert parse_time("2024-05-02T10:30:00+01:00").isoformat() == "2024-05-02T09:30:00"
    assert parse_time("nonsense") is not None and parse_time(None) is not None


def test_a_large_completed_event_with_documents_is_accepted(app, client, sent):
    ref, envelope_id = sent
    big = b"%PDF-1.7 " + b"x" * (21 * 1024 * 1024)
    summary = {"recipients": {"signers": [{"recipientId": str(i), "status": "completed"}
                                          for i in range(1, 6)]},
               "envelopeDocuments": [{"documentId": "1", "PDFBytes":
                                      base64.b64encode(big).decode()}]}
    resp = post_event(client, event("envelope-completed", envelope_id, envelopeSummary=summary))
    assert resp.status_code == 200
    assert cli_status(app, ref)["state"] == "completed"
