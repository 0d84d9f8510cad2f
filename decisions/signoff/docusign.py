"""The DocuSign envelope for a decision pack, built with the official `docusign-esign` models.

`build_envelope` is pure: the pack PDF and the signers in, an `EnvelopeDefinition` out. The
pack carries white anchor strings `\\s1\\`, `\\d1\\` … for signer N in routing order (see
`decisions.note.data.signature_anchor`); each signer gets a sign-here tab on `\\sN\\` and a
date-signed tab on `\\dN\\`. `as_json` serialises it exactly as the eSignature REST API
expects (camelCase keys, values as strings).

`create_envelope` sends it through the eSignature REST API (JWT grant) when the DocuSign
settings are configured, and otherwise returns a local envelope id (a UUID), so everything
after `send` runs offline. Through the API, it first looks for an envelope already made for
this version (its `tenderSendKey` custom field), so a create that timed out — in this
request or an earlier one — is never made twice; 429s and 5xx are retried within the bounds
of `decisions.signoff.retry`. See docs/docusign.md.
"""
from __future__ import annotations

import base64
import copy
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from docusign_esign import (ApiClient, DateSigned, Document, EnvelopeDefinition, Recipients,
                            SignHere, Signer, Tabs)

import clock
from decisions.note.data import date_anchor, signature_anchor
from decisions.signoff.retry import Outcome, Policy, next_step

SUBJECT_MAX = 100  # DocuSign refuses longer email subjects
DOCUMENT_ID = "1"
SETTINGS = ("DOCUSIGN_INTEGRATION_KEY", "DOCUSIGN_USER_ID", "DOCUSIGN_ACCOUNT_ID",
            "DOCUSIGN_PRIVATE_KEY_PATH")
TOKEN_SECONDS = 3600
SEND_KEY_FIELD = "tenderSendKey"   # envelope custom fields: which note version it is …
PDF_FIELD = "tenderPdfSha256"      # … and which document
LOOK_BACK_DAYS = 30                # how far back an earlier envelope of a version is sought
GONE = {"voided", "declined", "deleted"}
sleep = time.sleep                 # the waits between attempts (tests replace it)


class EnvelopeError(Exception):
    """DocuSign did not create the envelope: `message` says why and what to do."""

    @property
    def message(self) -> str:
        return str(self)


def send_key(note_id: int, version: int) -> str:
    """The custom field that names the note version an envelope is for."""
    return f"tender-note-{note_id}-v{version}"


@dataclass(frozen=True)
class EnvelopeSigner:
    name: str
    email: str
    routing_order: int  # 1-based; also the recipientId and the anchor number

    @property
    def recipient_id(self) -> str:
        return str(self.routing_order)


def email_subject(decision_number: str | None, title: str, reference: str = "") -> str:
    """"Please sign decision SCP/D/202324/007: <title>", cut to DocuSign's 100 characters."""
    ident = decision_number or reference
    subject = f"Please sign decision {ident}: {title}" if ident else f"Please sign: {title}"
    return subject if len(subject) <= SUBJECT_MAX else subject[:SUBJECT_MAX - 1].rstrip() + "…"


def _anchor_tab(cls, anchor: str, recipient_id: str, tab_label: str):
    return cls(anchor_string=anchor, anchor_units="pixels", anchor_x_offset="0",
               anchor_y_offset="0", anchor_ignore_if_not_present="false", document_id=DOCUMENT_ID, recipient_id=recipient_id, tab_label=tab_label)


def build_envelope(pack_pdf: bytes, signers: list[EnvelopeSigner], *, title: str,
                   decision_number: str | None, reference: str,
                   status: str = "sent", fields: dict[str, str] | None = None
                   ) -> EnvelopeDefinition:
    """The envelope: one document (the decision pack), signers in routing order with tabs;
    `fields` as hidden text custom fields (the send key and the PDF's hash)."""
    ordered = sorted(signers, key=lambda s: s.routing_order)
    name = f"Decision note {decision_number or reference}.pdf".replace("/", "-")
    document = Document(document_base64=base64.b64encode(pack_pdf).decode("ascii"),
                        name=name, file_extension="pdf", document_id=DOCUMENT_ID)
    doc_signers = []
    for s in ordered:
        n = s.routing_order
        tabs = Tabs(sign_here_tabs=[_anchor_tab(SignHere, signature_anchor(n), s.recipient_id,
                                                f"signature_{n}")],
                    date_signed_tabs=[_anchor_tab(DateSigned, date_anchor(n), s.recipient_id,
                                                  f"date_signed_{n}")])
        doc_signers.append(Signer(name=s.name, email=s.email, recipient_id=s.recipient_id,
                                  routing_order=str(n), tabs=tabs))
    custom = None
    if fields:
        from docusign_esign import CustomFields, TextCustomField

        custom = CustomFields(text_custom_fields=[
            TextCustomField(name=k, value=v, show="false", required="false")
            for k, v in fields.items()])
    return EnvelopeDefinition(
        email_subject=email_subject(decision_number, title, reference),
        email_blurb=f"The decision note {decision_number or reference} is ready for your "
                    "signature, in the order set by the sign-off procedure.",
        documents=[document], recipients=Recipients(signers=doc_signers), status=status,
        custom_fields=custom)


def as_json(definition: EnvelopeDefinition) -> dict:
    """The definition as the eSignature REST API's JSON."""
    return ApiClient().sanitize_for_serialization(definition)


def without_document(envelope: dict) -> dict:
    """A copy without the documents' base64 (kept once, as the version's PDF)."""
    out = dict(envelope)
    out["documents"] = [{k: v for k, v in d.items() if k != "documentBase64"}
                        for d in envelope.get("documents", [])]
    return out


def with_document(envelope: dict, pack_pdf: bytes) -> dict:
    out = dict(envelope)
    out["documents"] = [dict(d, documentBase64=base64.b64encode(pack_pdf).decode("ascii"))
                        for d in envelope.get("documents", [])]
    return out


def configured(config) -> bool:
    return all(config.get(k) for k in SETTINGS)


def missing_emails(signers: list[EnvelopeSigner]) -> list[str]:
    return [s.name for s in signers if not s.email]


def create_envelope(definition: EnvelopeDefinition, config, *, key: str = "",
                    pdf_sha256: str = "") -> tuple[str, str]:
    """(envelope id, mode): created in DocuSign when configured, else a local UUID.
    Raises EnvelopeError when DocuSign does not create it (nothing was sent)."""
    if not configured(config):
        return str(uuid.uuid4()), "local"
    return _create_remote(definition, config, key, pdf_sha256), "docusign"


# ---- the eSignature REST API ---------------------------------------------------------------

def policy(config) -> Policy:
    return Policy(attempts=max(1, int(config.get("DOCUSIGN_ATTEMPTS", 3))),
                  max_wait=float(config.get("DOCUSIGN_RETRY_MAX_WAIT", 10)),
                  backoff=float(config.get("DOCUSIGN_RETRY_BACKOFF", 1)))


def _api_client(config) -> ApiClient:
    """The SDK's client on the configured hosts; every request with a time-out, and the
    certificate authorities of DOCUSIGN_CA_BUNDLE when set (a TLS-inspecting proxy)."""
    from docusign_esign.client.api_response import RESTClientObject
    from docusign_esign.client.configuration import Configuration

    seconds = float(config.get("DOCUSIGN_TIMEOUT", 15))

    class TimedREST(RESTClientObject):
        def request(self, method, url, *args, _request_timeout=None, **kwargs):
            return super().request(method, url, *args, **kwargs,
                                   _request_timeout=_request_timeout or (seconds, seconds))

    import urllib3

    settings = copy.copy(Configuration())
    if config.get("DOCUSIGN_CA_BUNDLE"):
        settings.ssl_ca_cert = config["DOCUSIGN_CA_BUNDLE"]
    # The SDK's `set_base_path` only records the path: requests go to `host`, which is
    # production (www.docusign.net) unless set, so the base path is given as the host.
    client = ApiClient(host=config["DOCUSIGN_BASE_PATH"])
    client.rest_client = TimedREST(configuration=settings)
    # urllib3 retries a refused connection (nothing was sent) but never a request that
    # got no answer: whether that is safe is decided here, by looking first.
    client.rest_client.pool_manager.connection_pool_kw["retries"] = urllib3.Retry(
        total=2, connect=2, read=0, status=0, other=0, redirect=0)
    client.set_base_path(config["DOCUSIGN_BASE_PATH"])
    client.set_oauth_host_name(config["DOCUSIGN_OAUTH_HOST"])
    return client


def outcome_of(exc: BaseException) -> Outcome | None:
    """What a failed request came back with; None if `exc` is not about the request."""
    import urllib3
    from docusign_esign.client.api_exception import ApiException

    if isinstance(exc, ApiException):
        status = exc.status or None  # 0: the SDK's own "no answer" (e.g. a TLS failure)
        headers = getattr(exc, "headers", None) or {}
        from decisions.signoff.retry import retry_after_seconds

        return Outcome(status, retry_after_seconds(headers.get("Retry-After")),
                       _error_detail(getattr(exc, "body", None)) or str(exc.reason or ""))
    if isinstance(exc, urllib3.exceptions.HTTPError):
        timed_out = isinstance(exc, urllib3.exceptions.TimeoutError) or isinstance(
            getattr(exc, "reason", None), urllib3.exceptions.TimeoutError)
        return Outcome(None, detail="timed out" if timed_out else type(exc).__name__)
    return None


def _error_detail(body) -> str:
    """DocuSign's errorCode and message (or OAuth's error), from an error body."""
    if not body:
        return ""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return ""
    if not isinstance(data, dict):
        return ""
    parts = [str(data.get(k)) for k in ("errorCode", "message", "error", "error_description")
             if data.get(k)]
    return " ".join(parts)[:200]


def _with_retries(call, config, what: str):
    """call() until it answers, as decisions.signoff.retry says; EnvelopeError otherwise."""
    rules, attempt, waited = policy(config), 0, 0.0
    while True:
        attempt += 1
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - sorted by outcome_of; others re-raised
            outcome = outcome_of(exc)
            if outcome is None:
                raise
        step = next_step(outcome, attempt, waited, rules, what=what)
        if not step.retry:
            raise EnvelopeError(step.message)
        sleep(step.wait)
        waited += step.wait


def _create_remote(definition: EnvelopeDefinition, config, key: str, pdf_sha256: str) -> str:
    """Sign in (JWT grant), then create the envelope once: before each attempt, look for one
    an earlier attempt may have made (a time-out does not say whether it was)."""
    from docusign_esign import EnvelopesApi

    with open(config["DOCUSIGN_PRIVATE_KEY_PATH"], "rb") as f:
        private_key = f.read()
    client = _api_client(config)
    account = config["DOCUSIGN_ACCOUNT_ID"]
    try:
        _with_retries(lambda: client.request_jwt_user_token(
            client_id=config["DOCUSIGN_INTEGRATION_KEY"], user_id=config["DOCUSIGN_USER_ID"],
            oauth_host_name=config["DOCUSIGN_OAUTH_HOST"], private_key_bytes=private_key,
            expires_in=TOKEN_SECONDS, scopes=["signature", "impersonation"]),
            config, "Tender's sign-in (JWT grant)")
        api = EnvelopesApi(client)

        def attempt():
            found = _existing(api, account, key, pdf_sha256) if key else None
            return found or api.create_envelope(account_id=account,
                                                envelope_definition=definition).envelope_id

        return _with_retries(attempt, config, "the envelope")
    finally:
        client.rest_client.pool_manager.clear()


def _existing(api, account: str, key: str, pdf_sha256: str) -> str | None:
    """The live envelope already made for this version with this very document, if any.
    One made from other data (the note changed after an unanswered attempt) is voided, so
    that a version never has two live envelopes."""
    since = (clock.utcnow() - timedelta(days=LOOK_BACK_DAYS)).strftime("%Y-%m-%d")
    found = api.list_status_changes(account, from_date=since, include="custom_fields",
                                    custom_field=f"{SEND_KEY_FIELD}={key}")
    for envelope in (found.envelopes or []) if found else []:
        fields = {f.name: f.value for f in ((envelope.custom_fields.text_custom_fields or [])
                                            if envelope.custom_fields else [])}
        if fields.get(SEND_KEY_FIELD) != key or (envelope.status or "").lower() in GONE:
            continue
        if fields.get(PDF_FIELD) == pdf_sha256:
            return envelope.envelope_id
        from docusign_esign import Envelope

        api.update(account, envelope.envelope_id, envelope=Envelope(
            status="voided", voided_reason="Replaced: Tender sent this version of the note "
                                           "again, built from changed data"))
    return None
