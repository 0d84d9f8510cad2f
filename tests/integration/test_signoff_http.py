"""In-app sign-off through HTTP: send, sign in order, refusals checked on the server."""
import hashlib
import re

import pytest
from sqlalchemy import func, select

from accounts.models import Organisation, User
from audit.models import AuditRecord
from audit.services import verify
from decisions.models import DecisionNote, DecisionNumber, NoteVersion, SignOff
from extensions import db
from tests.conftest import csrf_token
from tests.integration.signing_fixtures import client_for, small_tender

ORDER = ["originating_officer", "chief_executive", "monitoring_officer", "s151_officer",
         "commissioner"]


def path(ref, what="sign-off"):
    return f"/procurements/{ref}/decision-note/{what}"


@pytest.fixture()
def tender(app, users):
    return small_tender(users["officer"].organisation)


@pytest.fixture()
def as_role(app, users):
    """A signed-in test client per role (one session each)."""
    clients = {}

    def _client(role):
        if role not in clients:
            clients[role] = client_for(app, users[role].email)
        return clients[role]

    return _client


def post(client, url, data=None):
    token = csrf_token(client, "/procurements")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def send(as_role, ref):
    return post(as_role("officer"), path(ref, "send"))


def sign(as_role, role, ref, position, comments=""):
    return post(as_role(role), path(ref, "sign"), {"position": str(position),
                                                  "comments": comments})


def signed_positions():
    db.session.expire_all()
    return [s.position for s in db.session.scalars(
        select(SignOff).join(NoteVersion).where(NoteVersion.state != "superseded")
        .order_by(SignOff.position)) if s.signed_at]


def note():
    db.session.expire_all()
    return db.session.scalar(select(DecisionNote))


def last_audit():
    return db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()


# ---- sending -------------------------------------------------------------------------------

def test_officer_sends_for_signature_with_the_button(as_role, tender):
    page = as_role("officer").get(path(tender.reference)).get_data(as_text=True)
    assert "Send for signature" in page
    resp = send(as_role, tender.reference)
    assert resp.status_code == 302
    n = note()
    version = n.current_version
    assert n.state == "sent" and n.decision_number.startswith("TST/D/")
    assert version.version == 1 and version.state == "sent"
    assert version.pdf.startswith(b"%PDF-")
    assert version.pdf_sha256 == hashlib.sha256(version.pdf).hexdigest()
    assert [(s.position, s.role, s.recipient_id) for s in version.signoffs] == [
        (i, r, str(i)) for i, r in enumerate(ORDER, 1)]
    assert version.envelope["mode"] == "local" and version.envelope_id
    signers = version.envelope["definition"]["recipients"]["signers"]
    assert [s["routingOrder"] for s in signers] == ["1", "2", "3", "4", "5"]
    html = as_role("officer").get(path(tender.reference)).get_data(as_text=True)
    for shown in (version.pdf_sha256, version.snapshot_sha256, version.envelope_id,
                  n.decision_number):
        assert shown in html
    rec = last_audit()
    assert (rec.entity, rec.action, rec.actor) == ("decision_note", "send", "officer@example.org")
    pdf = as_role("chief_executive").get(path(tender.reference, "versions/1.pdf"))
    assert pdf.status_code == 200 and pdf.data == version.pdf


@pytest.mark.parametrize("role", ["evaluator", "finance", "admin", "chief_executive"])
def test_only_an_officer_sends(as_role, tender, role):
    assert post(as_role(role), path(tender.reference, "send")).status_code == 403
    assert note().state == "draft" and not note().versions


def test_send_needs_the_csrf_token(as_role, tender):
    assert as_role("officer").post(path(tender.reference, "send")).status_code == 400
    assert note().state == "draft"


def test_send_is_refused_until_results_are_final(as_role, tender):
    tender.lots[1].results_final_at = None
    from evaluation.models import Consensus
    from procurement.models import Bid
    db.session.delete(db.session.scalars(select(Consensus).join(Bid).where(
        Bid.lot_id == tender.lots[1].id)).first())  # lot B: a bid unmoderated
    db.session.commit()
    html = as_role("officer").get(path(tender.reference)).get_data(as_text=True)
    assert "Results are not final for lot B" in html
    resp = send(as_role, tender.reference)
    assert resp.status_code == 409
    assert "Results are not final for lot" in resp.get_data(as_text=True)
    n = note()
    assert n.state == "draft" and n.decision_number is None and not n.versions
    assert db.session.scalar(select(func.count()).select_from(DecisionNumber)) == 0
    assert last_audit().action == "send_refused"


def test_sending_again_makes_a_new_version_and_keeps_the_old(as_role, tender):
    send(as_role, tender.reference)
    assert sign(as_role, "originating_officer", tender.reference, 1).status_code == 302
    first = note().current_version
    old = (first.id, first.pdf_sha256, first.snapshot_sha256, first.envelope_id)
    number = note().decision_number
    assert send(as_role, tender.reference).status_code == 302
    n = note()
    assert [v.version for v in n.versions] == [1, 2]
    v1, v2 = n.versions
    assert (v1.id, v1.pdf_sha256, v1.snapshot_sha256, v1.envelope_id) == old
    assert v1.state == "superseded" and v2.state == "sent"
    assert v1.signoffs[0].signed_at is not None  # the old signature is kept with its version
    assert all(s.signed_at is None for s in v2.signoffs)
    assert v2.envelope_id != v1.envelope_id
    assert n.decision_number == number
    assert db.session.scalar(select(func.count()).select_from(DecisionNumber)) == 1
    html = as_role("officer").get(path(tender.reference)).get_data(as_text=True)
    assert v1.pdf_sha256 in html and "Superseded" in html


def test_one_person_in_two_approver_roles_cannot_be_sent(as_role, users, tender):
    users["chief_executive"].roles = "chief_executive,monitoring_officer"
    users["monitoring_officer"].active = False
    db.session.commit()
    resp = send(as_role, tender.reference)
    assert resp.status_code == 409 and "a different person must hold" in resp.get_data(as_text=True)
    assert note().state == "draft"


# ---- signing in order ----------------------------------------------------------------------

def test_approvers_sign_in_order_and_the_last_completes(as_role, tender):
    ref = tender.reference
    send(as_role, ref)
    officer_page = as_role("chief_executive").get(path(ref)).get_data(as_text=True)
    assert "It is not your turn to sign" in officer_page
    assert "Sign the decision note" not in officer_page
    for i, role in enumerate(ORDER, 1):
        page = as_role(role).get(path(ref)).get_data(as_text=True)
        assert "Sign the decision note" in page, role
        resp = sign(as_role, role, ref, i, comments=f"Approved by {role}")
        assert resp.status_code == 302, resp.get_data(as_text=True)
        assert signed_positions() == list(range(1, i + 1))
    n = note()
    assert n.state == "completed" and n.current_version.state == "completed"
    assert [s.comments for s in n.current_version.signoffs] == [
        f"Approved by {r}" for r in ORDER]
    assert {s.via for s in n.current_version.signoffs} == {"app"}
    signed = n.current_version.completed_pdf
    assert signed.startswith(b"%PDF-") and signed != n.current_version.pdf
    import io

    from pypdf import PdfReader
    text = " ".join(pg.extract_text() or "" for pg in PdfReader(io.BytesIO(signed)).pages)
    assert "Approved by monitoring_officer" in " ".join(text.split())
    got = as_role("commissioner").get(path(ref, "versions/1.pdf"), query_string={"signed": 1})
    assert got.status_code == 200 and got.data == signed
    html = as_role("officer").get(path(ref)).get_data(as_text=True)
    assert "Approved by monitoring_officer" in html and "Completed" in html
    assert "Send again" not in html
    actions = [r.action for r in db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions.count("sign") == 5 and actions[-1] == "complete"
    assert verify()[1] is None
    # comments and dates appear in the note's blocks
    from decisions.note.builder import build_note_data
    data = build_note_data(n.procurement, n)
    assert data.signer("monitoring_officer").comments == "Approved by monitoring_officer"
    assert data.signer("commissioner").signed_at is not None


def test_nobody_signs_out_of_order(as_role, tender):
    send(as_role, tender.reference)
    resp = sign(as_role, "chief_executive", tender.reference, 2)
    assert resp.status_code == 403
    assert "An earlier approver has not signed yet" in resp.get_data(as_text=True)
    assert signed_positions() == []
    rec = last_audit()
    assert (rec.action, rec.actor, rec.after["reason"]) == (
        "sign_refused", "chief_executive@example.org", "out_of_order")


def test_nobody_signs_for_another_role(as_role, tender):
    send(as_role, tender.reference)
    resp = sign(as_role, "monitoring_officer", tender.reference, 1)
    assert resp.status_code == 403
    assert "for someone else" in resp.get_data(as_text=True)
    assert signed_positions() == []


def test_nobody_signs_twice(as_role, tender):
    send(as_role, tender.reference)
    assert sign(as_role, "originating_officer", tender.reference, 1).status_code == 302
    again = sign(as_role, "originating_officer", tender.reference, 1, comments="again")
    assert again.status_code == 409
    assert note().current_version.signoffs[0].comments == ""


def test_an_officer_or_evaluator_cannot_sign(as_role, tender):
    send(as_role, tender.reference)
    assert sign(as_role, "officer", tender.reference, 1).status_code == 403
    assert sign(as_role, "evaluator", tender.reference, 1).status_code == 403
    assert signed_positions() == []


def test_an_approver_of_another_organisation_is_refused(app, as_role, users, tender):
    other = Organisation(name="Elsewhere", kind="buyer")
    stranger = User(email="elsewhere@example.org", name="Stranger", roles="originating_officer",
                    organisation=other, password_hash=users["officer"].password_hash)
    db.session.add_all([other, stranger])
    db.session.commit()
    send(as_role, tender.reference)
    c = client_for(app, "elsewhere@example.org")
    assert c.get(path(tender.reference)).status_code == 404  # not even told it exists
    assert post(c, path(tender.reference, "sign"), {"position": "1"}).status_code == 404
    assert signed_positions() == []


def test_an_unassigned_place_is_signed_by_whoever_holds_the_role(app, as_role, users, tender):
    users["chief_executive"].active = False  # nobody holds the role when the note is sent
    db.session.commit()
    send(as_role, tender.reference)
    place = note().current_version.signoffs[1]
    assert (place.name, place.user_id) == ("Chief Executive", None)
    sign(as_role, "originating_officer", tender.reference, 1)
    deputy = User(email="deputy@example.org", name="Deputy CE", roles="chief_executive",
                  organisation=users["officer"].organisation,
                  password_hash=users["officer"].password_hash)
    db.session.add(deputy)
    db.session.commit()
    c = client_for(app, "deputy@example.org")
    assert post(c, path(tender.reference, "sign"), {"position": "2"}).status_code == 302
    assert note().current_version.signoffs[1].user_id == deputy.id


def test_signing_is_refused_before_send_and_after_completion(as_role, tender):
    assert sign(as_role, "originating_officer", tender.reference, 1).status_code == 409
    send(as_role, tender.reference)
    for i, role in enumerate(ORDER, 1):
        sign(as_role, role, tender.reference, i)
    assert note().state == "completed"
    assert sign(as_role, "commissioner", tender.reference, 5).status_code == 409
    assert send(as_role, tender.reference).status_code == 409
    assert len(note().versions) == 1


def test_a_version_out_for_docusign_is_not_signed_in_the_app(as_role, tender):
    send(as_role, tender.reference)
    version = note().current_version
    version.envelope = {**version.envelope, "mode": "docusign"}
    db.session.commit()
    page = as_role("originating_officer").get(path(tender.reference)).get_data(as_text=True)
    assert "created in DocuSign" in page and "Sign the decision note" not in page
    resp = sign(as_role, "originating_officer", tender.reference, 1)
    assert resp.status_code == 409 and "DocuSign" in resp.get_data(as_text=True)
    assert signed_positions() == []


def test_overlong_comments_are_refused_with_a_message(as_role, tender):
    send(as_role, tender.reference)
    resp = sign(as_role, "originating_officer", tender.reference, 1, comments="x" * 4001)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "4000 characters or fewer" in html and "<title>Error:" in html
    assert signed_positions() == []


def test_a_bad_position_is_a_bad_request(as_role, tender):
    send(as_role, tender.reference)
    assert sign(as_role, "originating_officer", tender.reference, "one").status_code == 400
    assert sign(as_role, "originating_officer", tender.reference, 9).status_code == 403


# ---- who sees the page ---------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [("officer", 200), ("commissioner", 200),
                                         ("evaluator", 403), ("finance", 403),
                                         ("admin", 403), ("supplier", 404)])
def test_who_sees_the_signoff_page(as_role, tender, role, status):
    assert as_role(role).get(path(tender.reference)).status_code == status


def test_signed_out_users_are_sent_to_login(client, tender):
    resp = client.get(path(tender.reference))
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.get(path("NO-SUCH", "sign-off")).status_code == 302


def test_unknown_procurement_and_version(as_role, tender):
    assert as_role("officer").get(path("NO-SUCH")).status_code == 404
    assert as_role("officer").get(path(tender.reference, "versions/3.pdf")).status_code == 404


def test_the_procurement_page_links_to_the_audit_trail_for_officers(as_role, tender):
    html = as_role("officer").get(f"/procurements/{tender.reference}").get_data(as_text=True)
    assert re.search(rf'href="/procurements/{tender.reference}/audit"', html)
    html = as_role("chief_executive").get(f"/procurements/{tender.reference}").get_data(
        as_text=True)
    assert "/audit" not in html
