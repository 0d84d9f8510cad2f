"""The DocuSign envelope for a decision pack, built with the official `docusign-esign` models.

`build_envelope` is pure: the pack PDF and the signers in, an `EnvelopeDefinition` out. The
pack carries white anchor strings `\\s1\\`, `\\d1\\` … for signer N in routing order (see
`decisions.note.data.signature_anchor`); each signer gets a sign-here tab on `\\sN\\` and a
date-signed tab on `\\dN\\`. `as_json` serialises it exactly as the eSignature REST API
expects (camelCase keys, values as strings).

`create_envelope` sends it through the eSignature REST API (JWT grant) when the DocuSign
settings are configured, and otherwise returns a local envelope id (a UUID), so everything
after `send` runs offline. See docs/docusign.md.
"""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass

from docusign_esign import (ApiClient, DateSigned, Document, EnvelopeDefinition, Recipients,
                            SignHere, Signer, Tabs)

from decisions.note.data import date_anchor, signature_anchor

SUBJECT_MAX = 100  # DocuSign refuses longer email subjects
DOCUMENT_ID = "1"
SETTINGS = ("DOCUSIGN_INTEGRATION_KEY", "DOCUSIGN_USER_ID", "DOCUSIGN_ACCOUNT_ID",
            "DOCUSIGN_PRIVATE_KEY_PATH")
TOKEN_SECONDS = 3600


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
                   status: str = "sent") -> EnvelopeDefinition:
    """The envelope: one document (the decision pack), signers in routing order with tabs."""
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
    return EnvelopeDefinition(
        email_subject=email_subject(decision_number, title, reference),
        email_blurb=f"The decision note {decision_number or reference} is ready for your "
                    "signature, in the order set by the sign-off procedure.",
        documents=[document], recipients=Recipients(signers=doc_signers), status=status)


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


def create_envelope(definition: EnvelopeDefinition, config) -> tuple[str, str]:
    """(envelope id, mode): created in DocuSign when configured, else a local UUID."""
    if not configured(config):
        return str(uuid.uuid4()), "local"
    return _create_remote(definition, config), "docusign"


def _create_remote(definition: EnvelopeDefinition, config) -> str:  # pragma: no cover (network)
    from docusign_esign import EnvelopesApi

    with open(config["DOCUSIGN_PRIVATE_KEY_PATH"], "rb") as f:
        private_key = f.read()
    client = ApiClient()
    client.set_base_path(config["DOCUSIGN_BASE_PATH"])
    client.set_oauth_host_name(config["DOCUSIGN_OAUTH_HOST"])
    client.request_jwt_user_token(
        client_id=config["DOCUSIGN_INTEGRATION_KEY"], user_id=config["DOCUSIGN_USER_ID"],
        oauth_host_name=config["DOCUSIGN_OAUTH_HOST"], private_key_bytes=private_key,
        expires_in=TOKEN_SECONDS, scopes=["signature", "impersonation"])
    summary = EnvelopesApi(client).create_envelope(
        account_id=config["DOCUSIGN_ACCOUNT_ID"], envelope_definition=definition)
    return summary.envelope_id
