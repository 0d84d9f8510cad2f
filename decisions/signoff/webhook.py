"""DocuSign Connect webhook: `POST /integrations/docusign/connect` (spec/integrations.md).

Authentication is the HMAC alone (no login, no CSRF token): header `X-DocuSign-Signature-1`
is the base64 of HMAC-SHA256 of the raw body with `DOCUSIGN_CONNECT_HMAC_KEY`. It is checked
in constant time before the body is parsed; a missing or wrong signature answers 401 and
changes nothing. (DocuSign sends one header per active key, -1, -2, …, while keys are being
rotated; any of them matching is enough.)

The body is never held in memory before it is authenticated: a Content-Length over
`DOCUSIGN_CONNECT_MAX_MB` answers 413 before a byte is read, a request without a signature
(or without a configured key) 401 likewise, and otherwise the body streams through the HMAC
in 64 KB chunks into a spooled file (memory up to 1 MB, then a temporary file of this request
only), counted as it comes (413 past the limit, also when sent chunked without a length).

- `recipient-completed`: the signer whose `recipientId` is `data.recipientId` in the
  envelope `data.envelopeId` signed at `generatedDateTime` — in turn only: while an earlier
  signer has not signed, 409 and nothing is recorded (the sign-off order of
  `decisions.signoff` holds through DocuSign as in the app).
- `envelope-completed`: the signatures its envelope summary lists are recorded in routing
  order, then the note is completed; unless it is stale, a signer has not signed, or the
  summary has a later signer complete before an earlier one: 409, nothing is recorded and the
  note stays `sent`.
- other events are recorded (audit trail) and change nothing else.
- A 409 is on the audit trail, and the event is kept (`WebhookEvent`, outcome `refused`,
  with the reason) for review; it does not count as recorded, so DocuSign's retry once the
  earlier signers have signed is handled afresh.
- unknown envelope: 404. A repeated event (same event, envelope and recipient) changes
  nothing and answers 200.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import tempfile
from datetime import datetime, timezone

from flask import current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clock import utcnow
from audit.services import record
from decisions import bp
from decisions.models import RECORDED, REFUSED, NoteVersion, WebhookEvent
from decisions.signoff.service import SigningError, complete, lock, record_refusal, record_signature
from extensions import csrf, db

ACTOR = "docusign"
MB = 1024 * 1024
CHUNK = 64 * 1024  # read from the request this much at a time
SPOOL = MB  # body kept in memory up to this, then in a temporary file
SIGNATURE_HEADER = re.compile(r"^X-DocuSign-Signature-(\d{1,3})$", re.IGNORECASE)


def expected_signature(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def given_signatures(headers) -> list[str]:
    return [v for k, v in headers.items() if SIGNATURE_HEADER.match(k)]


def _matches(digest: bytes, given: list[str]) -> bool:
    """Whether any of the given signatures is the base64 of `digest` (constant time)."""
    expected = base64.b64encode(digest)
    ok = False
    for value in given:
        ok |= hmac.compare_digest(expected, value.strip().encode("utf-8", "replace"))
    return ok


def signature_ok(body: bytes, headers, key: str) -> bool:
    """Whether any X-DocuSign-Signature-N header is the body's HMAC (constant-time compare)."""
    if not key:
        return False
    return _matches(hmac.new(key.encode(), body, hashlib.sha256).digest(),
                    given_signatures(headers))


def max_body() -> int:
    """The largest body accepted ("include documents" puts the signed pack in it, base64)."""
    return int(current_app.config.get("DOCUSIGN_CONNECT_MAX_MB") or 100) * MB


def read_authenticated(req, key: str, limit: int):
    """The request's body, once its HMAC matched: (body, None), or (None, (status, message)).

    Nothing is read when the Content-Length is over `limit` or no signature can match;
    otherwise the stream goes through the HMAC a chunk at a time into a spooled file, never
    more than `limit` of it, and is read back whole only when authenticated."""
    if req.content_length is not None and req.content_length > limit:
        return None, (413, f"the body is over the {limit // MB} MB allowed")
    given = given_signatures(req.headers)
    if not key or not given:
        return None, (401, "missing or wrong X-DocuSign-Signature-1")
    req.max_content_length = limit + 1  # Werkzeug's own guard on the stream, behind ours
    stream = req.stream
    mac = hmac.new(key.encode(), digestmod=hashlib.sha256)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
        total = 0
        while True:
            chunk = stream.read(min(CHUNK, limit + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                return None, (413, f"the body is over the {limit // MB} MB allowed")
            mac.update(chunk)
            spool.write(chunk)
        if not _matches(mac.digest(), given):
            return None, (401, "missing or wrong X-DocuSign-Signature-1")
        spool.seek(0)
        return spool.read(), None


def parse_time(value) -> datetime:
    """DocuSign's ISO 8601 time (7 decimals, Z) as naive UTC; now when absent or unreadable."""
    if isinstance(value, str) and value:
        text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip())
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            at = None
        if at is not None:
            if at.tzinfo is not None:
                at = at.astimezone(timezone.utc).replace(tzinfo=None)
            return at.replace(microsecond=0)
    return utcnow().replace(microsecond=0)


def _answer(status: int, message: str, **extra):
    return jsonify({"status": status, "message": message, **extra}), status


@bp.route("/integrations/docusign/connect", methods=["POST"])
@csrf.exempt
def docusign_connect():
    # "Include documents" puts the signed pack (base64) in envelope-completed: allow more than
    # the uploads' 20 MB, or DocuSign would retry a 413 for ever.
    body, refusal = read_authenticated(
        request, current_app.config.get("DOCUSIGN_CONNECT_HMAC_KEY") or "", max_body())
    if refusal:
        return _answer(*refusal)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _answer(400, "the body is not JSON")
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        return _answer(400, "no data object")
    event, data = str(payload.get("event") or ""), payload["data"]
    envelope_id = str(data.get("envelopeId") or "")
    recipient_id = str(data.get("recipientId") or "")
    if not event or not envelope_id:
        return _answer(400, "event and data.envelopeId are required")
    version = db.session.execute(select(NoteVersion).where(
        NoteVersion.envelope_id == envelope_id)).scalar_one_or_none()
    if version is None:
        return _answer(404, "unknown envelope", envelopeId=envelope_id)
    lock(version)
    key = "|".join((event, envelope_id, recipient_id))[:300]
    if db.session.execute(select(WebhookEvent.id).where(
            WebhookEvent.event_key == key, WebhookEvent.outcome == RECORDED)).first():
        return _answer(200, "already recorded")
    at = parse_time(payload.get("generatedDateTime"))

    if event == "recipient-completed":
        try:
            so = record_signature(version, recipient_id, at, actor=ACTOR)
        except LookupError:
            return _answer(404, "unknown recipient", recipientId=recipient_id)
        except SigningError as e:
            return _refuse(version, e, "sign_refused", key, event, body, entity="sign_off",
                           details={"envelope_id": envelope_id, "version": version.version,
                                    "recipient_id": recipient_id})
        message = "signature recorded" if so else "already signed"
    elif event == "envelope-completed" and version.state == "completed":
        message = "already completed"
    elif event == "envelope-completed":
        try:
            _signatures_from_summary(version, data)
            complete(version.note, version, actor=ACTOR,
                     completed_pdf=_completed_pdf(data))
        except SigningError as e:
            return _refuse(version, e, "complete_refused", key, event, body,
                           details={"envelope_id": envelope_id, "version": version.version})
        message = "note completed"
    else:
        record("docusign_envelope", envelope_id, event, None,
               {"recipient_id": recipient_id or None, "generated": at,
                "version": version.version},
               procurement_ref=version.note.procurement.reference, actor=ACTOR)
        message = "event recorded"
    db.session.add(WebhookEvent(event_key=key, envelope_id=envelope_id, event=event[:60],
                                body=body.decode("utf-8", "replace")))
    try:
        db.session.commit()
    except IntegrityError:  # the same event, delivered twice at once: the other one won
        db.session.rollback()
        return _answer(200, "already recorded")
    return _answer(200, message)


def _refuse(version: NoteVersion, error: SigningError, action: str, key: str, event: str,
            body: bytes, **audit):
    """A 409: nothing the event asked for is kept, the refusal goes on the audit trail and the
    event is stored `refused` with its reason, for review (not as recorded: see the key)."""
    db.session.rollback()
    record_refusal(version.note.procurement, action, error, actor=ACTOR, **audit)
    db.session.add(WebhookEvent(event_key=key, envelope_id=version.envelope_id,
                                event=event[:60], body=body.decode("utf-8", "replace"),
                                outcome=REFUSED, reason=error.reason[:60],
                                message=error.message))
    db.session.commit()
    return _answer(409, error.message, reason=error.reason)


def _signatures_from_summary(version: NoteVersion, data: dict) -> None:
    """With "include envelope summary", envelope-completed lists every signer's signing time:
    recorded in routing order (whatever the summary's order); `SigningError` when a later
    signer completed while an earlier one did not (the caller rolls back: none is kept)."""
    summary = data.get("envelopeSummary") or {}
    signers = ((summary.get("recipients") or {}).get("signers")) or []
    places = {so.recipient_id: so for so in version.signoffs}
    signed = []
    for s in signers if isinstance(signers, list) else []:
        if not isinstance(s, dict) or str(s.get("status", "")).lower() != "completed":
            continue
        so = places.get(str(s.get("recipientId") or ""))
        if so is not None and so.signed_at is None:
            signed.append((so.position, so.recipient_id, parse_time(s.get("signedDateTime"))))
    for _, rid, at in sorted(signed, key=lambda t: t[0]):
        record_signature(version, rid, at, actor=ACTOR)


def _completed_pdf(data: dict) -> bytes | None:
    """The signed pack, when Connect is set to include documents."""
    docs = (data.get("envelopeSummary") or {}).get("envelopeDocuments") or []
    docs = [d for d in docs if isinstance(d, dict) and d.get("PDFBytes")]
    docs.sort(key=lambda d: str(d.get("documentId")) != "1")
    for d in docs:
        try:
            pdf = base64.b64decode(d["PDFBytes"], validate=True)
        except (binascii.Error, ValueError, TypeError):
            continue
        if pdf.startswith(b"%PDF-"):
            return pdf
    return None
