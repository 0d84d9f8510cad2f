"""The DocuSign envelope: built with docusign-esign models, serialised as the REST API's JSON."""
import base64
import io
import json
import uuid

from pypdf import PdfReader

from decisions.signoff.docusign import (EnvelopeSigner, as_json, build_envelope, configured,
                                create_envelope, email_subject, missing_emails, with_document,
                                without_document)

PDF = b"%PDF-1.7\n% a decision pack\n"
SIGNERS = [EnvelopeSigner("Alex Morgan", "commissioner@example.org", 5),
           EnvelopeSigner("Jordan Ellis", "officer@example.org", 1),
           EnvelopeSigner("Sam Patel", "ceo@example.org", 2),
           EnvelopeSigner("Ruth Okafor", "mo@example.org", 3),
           EnvelopeSigner("Chris Lowe", "s151@example.org", 4)]


def envelope(**kw):
    args = dict(title="Domestic abuse services", decision_number="SCP/D/202324/007",
                reference="SCO-DA-2023")
    args.update(kw)
    return as_json(build_envelope(PDF, SIGNERS, **args))


def test_signers_in_routing_order_with_recipient_ids():
    signers = envelope()["recipients"]["signers"]
    assert [s["routingOrder"] for s in signers] == ["1", "2", "3", "4", "5"]
    assert [s["recipientId"] for s in signers] == ["1", "2", "3", "4", "5"]
    assert [s["name"] for s in signers][:2] == ["Jordan Ellis", "Sam Patel"]
    assert signers[0]["email"] == "officer@example.org"


def test_each_signer_signs_and_dates_on_their_anchors():
    for s in envelope()["recipients"]["signers"]:
        n = s["routingOrder"]
        (sign,) = s["tabs"]["signHereTabs"]
        (dated,) = s["tabs"]["dateSignedTabs"]
        assert sign["anchorString"] == f"\\s{n}\\" and dated["anchorString"] == f"\\d{n}\\"
        for tab in (sign, dated):
            assert tab["anchorUnits"] == "pixels"
            assert tab["anchorXOffset"] == "0" and tab["anchorYOffset"] == "0"
            assert tab["anchorIgnoreIfNotPresent"] == "false"
            assert tab["recipientId"] == n and tab["documentId"] == "1"


def test_the_document_is_the_pack_in_base64():
    env = envelope()
    (doc,) = env["documents"]
    assert base64.b64decode(doc["documentBase64"]) == PDF
    assert doc["documentId"] == "1" and doc["fileExtension"] == "pdf"
    assert doc["name"] == "Decision note SCP-D-202324-007.pdf"
    assert env["status"] == "sent"


def test_serialised_as_the_apis_camel_case_json():
    env = envelope()
    json.dumps(env)  # plain JSON values only
    assert set(env) >= {"documents", "emailSubject", "recipients", "status"}
    assert "email_subject" not in env


def test_email_subject_names_the_decision_and_its_title():
    assert envelope()["emailSubject"] == \
        "Please sign decision SCP/D/202324/007: Domestic abuse services"
    assert envelope(decision_number=None)["emailSubject"] == \
        "Please sign decision SCO-DA-2023: Domestic abuse services"


def test_email_subject_is_cut_to_docusigns_limit():
    subject = email_subject("SCP/D/202324/007", "A very long title " * 10)
    assert len(subject) == 100 and subject.endswith("…")
    assert subject.startswith("Please sign decision SCP/D/202324/007: ")


def test_preview_status_is_created_not_sent():
    assert envelope(status="created")["status"] == "created"


def test_document_is_stored_once_and_put_back():
    env = envelope()
    stored = without_document(env)
    assert "documentBase64" not in stored["documents"][0]
    assert "documentBase64" in env["documents"][0]  # the original is untouched
    assert with_document(stored, PDF) == env


def test_without_credentials_a_local_uuid_is_recorded():
    envelope_id, mode = create_envelope(build_envelope(PDF, SIGNERS, title="t",
                                                       decision_number=None, reference="R"),
                                        {"DOCUSIGN_INTEGRATION_KEY": ""})
    assert mode == "local" and str(uuid.UUID(envelope_id)) == envelope_id


def test_configured_needs_every_setting():
    full = {"DOCUSIGN_INTEGRATION_KEY": "ik", "DOCUSIGN_USER_ID": "u",
            "DOCUSIGN_ACCOUNT_ID": "a", "DOCUSIGN_PRIVATE_KEY_PATH": "/k.pem"}
    assert configured(full)
    for key in full:
        assert not configured({**full, key: ""})


def test_signers_without_email_are_named():
    assert missing_emails([EnvelopeSigner("Chief Executive", "", 2), SIGNERS[0]]) == \
        ["Chief Executive"]


def test_the_rendered_pack_carries_every_anchor_the_tabs_look_for():
    from demo.note_sample import demo_note_data
    from decisions.note.pdf import render_pack

    data = demo_note_data()
    pack = render_pack(data)
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pack)).pages)
    signers = [EnvelopeSigner(s.name or s.label, f"{i}@example.org", i)
               for i, s in enumerate(data.signers_in_order(), 1)]
    env = as_json(build_envelope(pack, signers, title=data.title,
                                 decision_number=data.decision_number,
                                 reference=data.reference))
    assert len(env["recipients"]["signers"]) == len(data.signers) >= 4
    for s in env["recipients"]["signers"]:
        for tabs in (s["tabs"]["signHereTabs"], s["tabs"]["dateSignedTabs"]):
            assert text.count(tabs[0]["anchorString"]) == 1, tabs[0]["anchorString"]
