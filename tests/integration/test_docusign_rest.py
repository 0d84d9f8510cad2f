"""The DocuSign REST path (issue 10), which had never run, against a local server answering
as DocuSign does (tests/integration/fake_esign.py): the JWT grant, then the envelope as the
SDK sends it; a 401, a 429 with Retry-After, a 5xx or a time-out leaves the note unsent with
a clear message, retried where that is safe, and a version never gets two envelopes."""
from __future__ import annotations

import base64

import jwt
import pytest
from sqlalchemy import select

import decisions.signoff.docusign as docusign
from audit.models import AuditRecord
from audit.services import verify
from decisions.models import DecisionNote, NoteVersion
from extensions import db
from tests.integration.fake_esign import ACCOUNT, TOKEN, Answer, FakeESign
from tests.integration.signing_fixtures import client_for, small_tender
from tests.integration.test_signoff_http import ORDER, post

SLOW = 1.5  # seconds: past the client's time-out of 0.5 s


@pytest.fixture()
def esign(app, tmp_path, monkeypatch):
    fake = FakeESign(tmp_path)
    for key, value in fake.config().items():
        monkeypatch.setitem(app.config, key, value)
    yield fake
    fake.close()


@pytest.fixture()
def waits(monkeypatch):
    """The waits between attempts, recorded instead of slept."""
    slept = []
    monkeypatch.setattr(docusign, "sleep", slept.append)
    return slept


@pytest.fixture()
def tender(app, users):
    return small_tender(users["officer"].organisation)


@pytest.fixture()
def officer(app, users):
    return client_for(app, users["officer"].email)


def send(officer, tender):
    return post(officer, f"/procurements/{tender.reference}/decision-note/send")


def current():
    db.session.expire_all()
    note = db.session.scalar(select(DecisionNote))
    return note, (note.current_version if note else None)


def assert_unsent(resp, *phrases):
    html = resp.get_data(as_text=True)
    assert resp.status_code == 502, html
    for phrase in phrases:
        assert phrase in html, phrase
    assert "The note was not sent." in html
    note, version = current()
    assert version is None and note.state == "draft"
    assert db.session.scalars(select(NoteVersion)).all() == []
    last = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert last.action == "send_failed" and "not sent" in last.after["message"]
    assert verify()[1] is None


# ---- what the SDK sends --------------------------------------------------------------------

def test_send_signs_in_with_the_jwt_grant_then_creates_the_envelope(esign, officer, tender,
                                                                    users, waits):
    resp = send(officer, tender)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert [esign._kind(s.method, s.path) for s in esign.seen] == ["token", "find", "create"]

    (grant,) = esign.requests("token")
    form = grant.form()
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(form["assertion"], esign.public_key, algorithms=["RS256"],
                        audience=f"127.0.0.1:{esign.port}")
    assert claims["iss"] == "4c3a2b1d-integration-key" and claims["sub"] == "9f8e7d6c-api-user"
    assert claims["scope"] == "signature impersonation" and claims["exp"] > claims["iat"]

    note, version = current()
    (find,) = esign.requests("find")
    assert find.headers["authorization"] == f"Bearer {TOKEN}"
    assert find.query["custom_field"] == [f"tenderSendKey=tender-note-{note.id}-v1"]
    (create,) = esign.requests("create")
    assert create.path == f"/restapi/v2.1/accounts/{ACCOUNT}/envelopes"
    assert create.headers["authorization"] == f"Bearer {TOKEN}"
    body = create.json()
    assert body["status"] == "sent" and body["emailSubject"].startswith(
        f"Please sign decision {note.decision_number}")
    (document,) = body["documents"]
    assert base64.b64decode(document["documentBase64"]) == version.pdf
    assert document["documentId"] == "1" and document["fileExtension"] == "pdf"
    signers = body["recipients"]["signers"]
    assert [s["routingOrder"] for s in signers] == ["1", "2", "3", "4", "5"]
    assert [s["email"] for s in signers] == [users[r].email for r in ORDER]
    for s in signers:
        n = s["routingOrder"]
        (here,), (dated,) = s["tabs"]["signHereTabs"], s["tabs"]["dateSignedTabs"]
        assert here["anchorString"] == f"\\s{n}\\" and dated["anchorString"] == f"\\d{n}\\"
        assert here["recipientId"] == dated["recipientId"] == s["recipientId"] == n
        assert here["anchorIgnoreIfNotPresent"] == "false"
    fields = {f["name"]: f["value"] for f in body["customFields"]["textCustomFields"]}
    assert fields == {"tenderSendKey": f"tender-note-{note.id}-v1",
                      "tenderPdfSha256": version.pdf_sha256}

    assert esign.live() == [version.envelope_id] and note.state == "sent"
    assert version.envelope["mode"] == "docusign" and waits == []
    assert verify()[1] is None


def test_send_from_the_command_line_uses_the_same_path(app, esign, tender, waits):
    result = app.test_cli_runner().invoke(args=["decision-note", "send", tender.reference])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == esign.live()[0]
    assert "(docusign envelope)" in result.stdout


# ---- refusals are final --------------------------------------------------------------------

def test_a_401_leaves_the_note_unsent_and_is_not_retried(esign, officer, tender, waits):
    esign.script["create"] = [Answer(401, body={"errorCode": "USER_AUTHENTICATION_FAILED",
                                                "message": "One or both of Username and "
                                                           "Password are invalid."})]
    resp = send(officer, tender)
    assert_unsent(resp, "DocuSign refused Tender", "(401: USER_AUTHENTICATION_FAILED",
                  "DOCUSIGN_INTEGRATION_KEY")
    assert len(esign.requests("create")) == 1 and waits == [] and esign.live() == []


def test_consent_not_given_stops_at_the_jwt_grant(esign, officer, tender, waits):
    esign.script["token"] = [Answer(400, body={"error": "consent_required"})]
    resp = send(officer, tender)
    assert_unsent(resp, "Tender&#39;s sign-in (JWT grant) (400: consent_required)")
    assert esign.requests("find") == [] and esign.requests("create") == []


def test_the_cli_says_why_in_one_line(app, esign, tender, waits):
    esign.script["create"] = [Answer(401)]
    result = app.test_cli_runner().invoke(args=["decision-note", "send", tender.reference])
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: DocuSign refused Tender's credentials (401")
    assert current()[1] is None


# ---- 429 and 5xx: retried, bounded ---------------------------------------------------------

def test_a_429_is_retried_after_retry_after(esign, officer, tender, waits):
    esign.script["create"] = [Answer(429, headers={"Retry-After": "2"})]
    resp = send(officer, tender)
    assert resp.status_code == 302
    assert waits == [2.0] and len(esign.requests("create")) == 2
    assert esign.live() == [current()[1].envelope_id]


def test_a_429_asking_too_long_a_wait_leaves_the_note_unsent(esign, officer, tender, waits):
    esign.script["create"] = [Answer(429, headers={"Retry-After": "120"})]
    resp = send(officer, tender)
    assert_unsent(resp, "limiting Tender", "try again in 120 seconds")
    assert waits == [] and len(esign.requests("create")) == 1 and esign.live() == []


def test_5xx_are_retried_with_backoff(esign, officer, tender, waits):
    esign.script["create"] = [Answer(503), Answer(500)]
    resp = send(officer, tender)
    assert resp.status_code == 302
    assert waits == [1.0, 2.0] and len(esign.requests("create")) == 3
    assert len(esign.requests("find")) == 3  # looked before each attempt
    assert esign.live() == [current()[1].envelope_id]


def test_5xx_every_time_leaves_the_note_unsent_after_three_attempts(esign, officer, tender,
                                                                     waits):
    esign.script["create"] = [Answer(500)] * 5
    resp = send(officer, tender)
    assert_unsent(resp, "DocuSign failed (500", "never sent twice")
    assert waits == [1.0, 2.0] and len(esign.requests("create")) == 3


# ---- time-outs: never two envelopes for one version ----------------------------------------

def test_a_timed_out_create_that_did_create_is_found_not_repeated(esign, officer, tender,
                                                                  waits):
    esign.script["create"] = [Answer(delay=SLOW)]  # creates, answers too late
    resp = send(officer, tender)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert len(esign.requests("create")) == 1 and len(esign.requests("find")) == 2
    assert len(esign.envelopes) == 1 and esign.live() == [current()[1].envelope_id]


def test_a_timed_out_create_that_did_not_create_is_tried_again(esign, officer, tender, waits):
    esign.script["create"] = [Answer(504, delay=SLOW)]
    resp = send(officer, tender)
    assert resp.status_code == 302
    assert len(esign.requests("create")) == 2 and esign.live() == [current()[1].envelope_id]


def test_time_outs_every_time_leave_it_unsent_and_the_next_send_adopts_the_envelope(
        esign, officer, tender, waits):
    """The first request's create did create, but no answer came back in time, nor to the
    look-ups after it: unsent. The next request finds that envelope and keeps it."""
    esign.script["create"] = [Answer(delay=SLOW)]
    esign.script["find"] = [Answer()] + [Answer(504, delay=SLOW)] * 5
    resp = send(officer, tender)
    assert_unsent(resp, "did not answer in time", "never sent twice")
    assert len(esign.envelopes) == 1

    esign.script.clear()
    resp = send(officer, tender)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    note, version = current()
    assert version.version == 1 and esign.live() == [version.envelope_id]
    assert len(esign.envelopes) == 1 and len(esign.requests("create")) == 1


def test_an_earlier_envelope_of_the_version_from_other_data_is_voided(esign, officer, tender,
                                                                       waits):
    esign.script["create"] = [Answer(delay=SLOW)]
    esign.script["find"] = [Answer()] + [Answer(504, delay=SLOW)] * 5
    assert send(officer, tender).status_code == 502
    (orphan,) = esign.envelopes
    # the note changes before it is sent again: the orphan is not this document
    fields = esign.envelopes[orphan]["definition"]["customFields"]["textCustomFields"]
    next(f for f in fields if f["name"] == "tenderPdfSha256")["value"] = "0" * 64

    esign.script.clear()
    assert send(officer, tender).status_code == 302
    version = current()[1]
    assert esign.envelopes[orphan]["status"] == "voided"
    assert esign.live() == [version.envelope_id] != [orphan]
    (void,) = esign.requests("void")
    assert void.json()["status"] == "voided" and "Replaced" in void.json()["voidedReason"]
