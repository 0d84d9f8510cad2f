"""Sending a decision note for signature, signing it and completing it.

The services the sign-off pages, the `decision-note` commands and the DocuSign Connect
webhook share. They read records into the pure rules of `decisions.signoff`, act, and write
an audit record for every send, signature, completion and refusal in the caller's
transaction (the caller commits). A refusal is raised as `SigningError`; callers that want
it on the audit trail call `record_refusal` after rolling back.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from accounts.models import ROLES, User
from clock import utcnow
from audit.services import record
from decisions.signoff import rules
from decisions.signoff.docusign import (PDF_FIELD, SEND_KEY_FIELD, EnvelopeError,
                                        EnvelopeSigner, as_json, build_envelope, configured,
                                        create_envelope, missing_emails, send_key,
                                        with_document, without_document)
from decisions.signoff import freeze
from decisions.signoff.freeze import sha256_bytes, sha256_snapshot, snapshot_of
from decisions.models import DecisionNote, NoteVersion, SignOff
from extensions import db
from procurement import states
from procurement.models import Procurement


class SigningError(Exception):
    def __init__(self, refusal: rules.Refusal):
        super().__init__(refusal.message)
        self.refusal = refusal

    @property
    def reason(self) -> str:
        return self.refusal.reason

    @property
    def message(self) -> str:
        return self.refusal.message


# ---- reading records into the rules' values ------------------------------------------------

def find_note(procurement: Procurement) -> DecisionNote | None:
    return db.session.execute(select(DecisionNote).where(
        DecisionNote.procurement_id == procurement.id)).scalar_one_or_none()


def role_labels() -> dict[str, str]:
    return dict(ROLES)


def holders(procurement: Procurement) -> dict[str, list[rules.Holder]]:
    """Active users of the buying organisation per approver role, oldest account first."""
    roles = procurement.organisation.approver_roles()
    users = db.session.execute(select(User).where(
        User.organisation_id == procurement.organisation_id, User.active.is_(True))
        .order_by(User.id)).scalars()
    out: dict[str, list[rules.Holder]] = {r: [] for r in roles}
    for u in users:
        for r in roles:
            if u.has_role(r):
                out[r].append(rules.Holder(u.id, u.name, u.email))
    return out


def planned_signoffs(procurement: Procurement) -> list[rules.PlannedSignOff]:
    return rules.plan(procurement.organisation.approver_roles(), holders(procurement),
                      role_labels())


def lot_readiness(procurement: Procurement) -> list[rules.LotReadiness]:
    from evaluation.results.inputs import procurement_results

    results = {r.code: r for r in procurement_results(procurement)}
    out = []
    for lot in procurement.lots:
        res = results.get(lot.code)
        bids = tuple((b.status, b.moderated) for b in res.bids) if res else ()
        out.append(rules.LotReadiness(lot.code, lot.results_final_at is not None, bids))
    return out


def recorded_signoffs(version: NoteVersion) -> list[rules.RecordedSignOff]:
    return [rules.RecordedSignOff(position=s.position, role=s.role, user_id=s.user_id,
                       signed_by=s.user_id if (s.signed_at and s.via == "app") else None,
                       signed=s.signed_at is not None)
            for s in version.signoffs]


def signer(user: User) -> rules.Signer:
    return rules.Signer(user.id, frozenset(user.role_set), user.organisation_id)


def envelope_mode(version: NoteVersion) -> str:
    return (version.envelope or {}).get("mode", "local")


def is_stale(note: DecisionNote) -> bool:
    """True when the data behind the note's current version changed after it was sent."""
    version = note.current_version if note else None
    if version is None or not rules.checks_staleness(version.state, note.state):
        return False
    return freeze.is_stale(version, note)


def _ident(note: DecisionNote, version: NoteVersion | None = None) -> str:
    ident = note.decision_number or note.procurement.reference
    return f"{ident} v{version.version}" if version is not None else ident


# ---- send ----------------------------------------------------------------------------------

def send(procurement: Procurement, *, actor: str | None = None,
         user: User | None = None) -> NoteVersion:
    """Freeze the note and build (and, when configured, create) its envelope."""
    from decisions.note.builder import build_note_data
    from decisions.note.pdf import render_pack
    from decisions.note.service import assign_decision_number, get_or_create_note
    from evaluation.results.inputs import lot_inputs, lot_results, scores_digest

    note = get_or_create_note(procurement)
    # The inputs read once and the engine run once on them; the readiness check and the
    # note below take these results. Every individual score goes into the frozen snapshot
    # as one digest (those under a consensus too), read after the checks.
    inputs = lot_inputs(procurement)
    lot_results(procurement, inputs=inputs)
    db.session.refresh(note, with_for_update=True)  # one send at a time per note
    refusal = rules.send_refusal(lot_readiness(procurement), note.state)
    refusal = refusal or rules.narrative_refusal(note.narrative)
    places = planned_signoffs(procurement)
    refusal = refusal or rules.plan_refusal(places, role_labels())
    if refusal is None and configured(current_app.config):
        lacking = missing_emails([EnvelopeSigner(p.name, p.email, p.position) for p in places])
        if lacking:
            refusal = rules.Refusal(rules.NOT_READY, "DocuSign needs an email address for "
                                    + ", ".join(lacking) + ": give each approver role a user")
    if refusal:
        raise SigningError(refusal)

    ref = procurement.reference
    assign_decision_number(note)
    previous = note.current_version
    before = {"state": note.state, "version": previous.version if previous else None}
    if previous is not None and previous.state == "sent":
        previous.state = "superseded"
        record("note_version", _ident(note, previous), "supersede", {"state": "sent"},
               {"state": "superseded", "pdf_sha256": previous.pdf_sha256,
                "snapshot_sha256": previous.snapshot_sha256}, procurement_ref=ref, actor=actor)
    version = NoteVersion(version=(previous.version + 1) if previous else 1, state="sent",
                          pdf=b"", pdf_sha256="", snapshot={}, snapshot_sha256="",
                          sent_by_id=user.id if user else None, sent_at=utcnow())
    for p in places:
        version.signoffs.append(SignOff(position=p.position, role=p.role, user_id=p.user_id,
                                        name=p.name, email=p.email,
                                        recipient_id=p.recipient_id, comments=""))
    note.versions.append(version)
    db.session.flush()

    # The note drawn and frozen with this version's sign-off places (names, order, anchors).
    data = build_note_data(procurement, note)
    pack = render_pack(data)
    version.pdf, version.pdf_sha256 = pack, sha256_bytes(pack)
    version.snapshot = snapshot_of(data, inputs, scores_digest(procurement))
    version.snapshot_sha256 = sha256_snapshot(version.snapshot)

    # The key names this version in DocuSign: an envelope an unanswered attempt (this one, or
    # an earlier request that rolled back) may have made is found by it and never made twice.
    key = send_key(note.id, version.version)
    definition = build_envelope(
        pack, [EnvelopeSigner(s.name, s.email, s.position) for s in version.signoffs],
        title=procurement.title, decision_number=note.decision_number, reference=ref,
        fields={SEND_KEY_FIELD: key, PDF_FIELD: version.pdf_sha256})
    envelope_id, mode = create_envelope(definition, current_app.config, key=key,
                                        pdf_sha256=version.pdf_sha256)
    version.envelope_id = envelope_id
    version.envelope = {"mode": mode, "definition": without_document(as_json(definition))}
    note.state = "sent"
    record("decision_note", ref, "send", before,
           {"state": "sent", "version": version.version,
            "decision_number": note.decision_number, "pdf_sha256": version.pdf_sha256,
            "snapshot_sha256": version.snapshot_sha256, "envelope_id": envelope_id,
            "envelope": mode, "signers": [[s.position, s.role, s.name] for s in
                                          version.signoffs]},
           procurement_ref=ref, actor=actor)
    states.act(procurement, "send_note", actor=actor, strict=False)
    db.session.flush()
    freeze.record_counters(version, procurement.id)  # after every change this send made
    return version


def start_new_version(procurement: Procurement, *,
                      actor: str | None = None) -> NoteVersion | None:
    """Return a completed note to drafting, so that it can be changed, sent and signed again.

    The signed version keeps its state "completed", its frozen PDF and snapshot: it stays
    downloadable and stays the published one until a newer version is completed."""
    note = find_note(procurement)
    if note is not None:
        db.session.refresh(note, with_for_update=True)  # one state change at a time
    refusal = rules.new_version_refusal(note.state if note else "draft")
    if refusal:
        raise SigningError(refusal)
    signed = note.current_version
    frozen = {"signed_version": signed.version, "pdf_sha256": signed.pdf_sha256,
              "snapshot_sha256": signed.snapshot_sha256} if signed is not None else {}
    note.state = "draft"
    record("decision_note", procurement.reference, "new_version",
           {"state": "completed", "version": signed.version if signed else None},
           {"state": "draft", **frozen}, procurement_ref=procurement.reference, actor=actor)
    states.act(procurement, "new_note_version", actor=actor, strict=False)
    db.session.flush()
    return signed


def envelope_json(procurement: Procurement) -> dict:
    """The envelope definition: as sent, or (not yet sent) built now without freezing."""
    from decisions.note.builder import build_note_data
    from decisions.note.pdf import render_pack

    note = find_note(procurement)
    version = note.current_version if note else None
    if version is not None and version.envelope:
        return with_document(version.envelope["definition"], version.pdf)
    data = build_note_data(procurement, note)
    places = planned_signoffs(procurement)
    definition = build_envelope(
        render_pack(data), [EnvelopeSigner(p.name, p.email, p.position) for p in places],
        title=procurement.title, decision_number=note.decision_number if note else None,
        reference=procurement.reference, status="created")
    return as_json(definition)


# ---- signing and completion ----------------------------------------------------------------

def lock(version: NoteVersion) -> NoteVersion:
    """Re-read the version locked (PostgreSQL: FOR UPDATE) so that signers, the webhook and
    completion take turns: each sees the signatures the one before it committed."""
    db.session.refresh(version, with_for_update=True)
    for so in version.signoffs:
        db.session.refresh(so)
    return version


def open_version(note: DecisionNote | None) -> NoteVersion:
    version = note.current_version if note else None
    if version is None:
        raise SigningError(rules.Refusal(rules.NOT_OPEN, "The note has not been sent for "
                                                         "signature"))
    return version


def sign_in_app(procurement: Procurement, user: User, position: int, comments: str) -> SignOff:
    """`user` signs place `position` of the current version, with comments."""
    note = find_note(procurement)
    version = lock(open_version(note))
    if envelope_mode(version) == "docusign" and version.state == "sent":
        raise SigningError(rules.Refusal(rules.NOT_OPEN, "This version is being signed in "
                                                         "DocuSign; sign it there"))
    refusal = rules.sign_refusal(recorded_signoffs(version), position, signer(user),
                                 procurement.organisation_id, state=version.state,
                                 stale=version.state == "sent" and is_stale(note))
    if refusal:
        raise SigningError(refusal)
    so = next(s for s in version.signoffs if s.position == position)
    so.signed_at, so.comments, so.via = utcnow().replace(microsecond=0), comments, "app"
    if so.user_id is None:
        so.user_id = user.id
    record("sign_off", f"{_ident(note, version)} #{position}", "sign", {"signed_at": None},
           {"role": so.role, "name": so.name, "signed_at": so.signed_at,
            "comments": comments, "via": "app"},
           procurement_ref=procurement.reference, actor=user.email)
    if rules.is_complete(recorded_signoffs(version)):
        complete(note, version, actor=user.email, stale=False,
                 completed_pdf=_signed_pack(note))
    return so


def _signed_pack(note: DecisionNote) -> bytes:
    """The note as signed in the app: every block with its signer's date and comments."""
    from decisions.note.builder import build_note_data
    from decisions.note.pdf import render_pack

    return render_pack(build_note_data(note.procurement, note))


def record_signature(version: NoteVersion, recipient_id: str, at: datetime, *,
                     actor: str) -> SignOff | None:
    """A DocuSign recipient signed: recorded once against its place; None if already.
    Refused (`SigningError`, out of order) while an earlier place is unsigned."""
    so = next((s for s in version.signoffs if s.recipient_id == recipient_id), None)
    if so is None:
        raise LookupError(f"no recipient {recipient_id} in envelope {version.envelope_id}")
    if so.signed_at is not None:
        return None
    refusal = rules.connect_order_refusal(recorded_signoffs(version), [so.position])
    if refusal:
        raise SigningError(refusal)
    so.signed_at, so.via = at, "docusign"
    note = version.note
    record("sign_off", f"{_ident(note, version)} #{so.position}", "sign", {"signed_at": None},
           {"role": so.role, "name": so.name, "signed_at": at, "via": "docusign",
            "envelope_id": version.envelope_id, "recipient_id": recipient_id},
           procurement_ref=note.procurement.reference, actor=actor)
    return so


def complete(note: DecisionNote, version: NoteVersion, *, actor: str,
             stale: bool | None = None, completed_pdf: bytes | None = None) -> None:
    """Mark the version and the note completed; refused while stale or not all signed."""
    if version is not note.current_version:
        raise SigningError(rules.Refusal(rules.NOT_OPEN, "A newer version of the note was "
                                                         "sent; this one is superseded"))
    if stale is None:
        stale = version.state == "sent" and is_stale(note)
    refusal = rules.completion_refusal(recorded_signoffs(version), state=version.state, stale=stale)
    if refusal:
        raise SigningError(refusal)
    version.state, version.completed_at = "completed", utcnow().replace(microsecond=0)
    if completed_pdf:
        version.completed_pdf = completed_pdf
    note.state = "completed"
    record("decision_note", note.procurement.reference, "complete", {"state": "sent"},
           {"state": "completed", "version": version.version,
            "pdf_sha256": version.pdf_sha256,
            "completed_pdf_sha256": sha256_bytes(completed_pdf) if completed_pdf else None},
           procurement_ref=note.procurement.reference, actor=actor)
    states.act(note.procurement, "complete_signoff", actor=actor, strict=False)


def record_send_failure(procurement: Procurement, error: EnvelopeError, *,
                        actor: str | None = None) -> None:
    """DocuSign did not create the envelope: nothing was sent; on the audit trail (the
    caller rolled back the send, and commits this)."""
    record("decision_note", procurement.reference, "send_failed", None,
           {"reason": "docusign", "message": error.message}, procurement_ref=procurement.reference,
           actor=actor)


def record_refusal(procurement: Procurement | None, action: str, error: SigningError, *,
                   actor: str | None = None, entity: str = "decision_note",
                   entity_id: str | None = None, details: dict | None = None) -> None:
    """A refused send, signature or completion, on the audit trail (caller commits)."""
    ref = procurement.reference if procurement else None
    record(entity, entity_id or ref or "-", action, None,
           {"reason": error.reason, "message": error.message, **(details or {})},
           procurement_ref=ref, actor=actor)


# ---- status --------------------------------------------------------------------------------

def status(procurement: Procurement) -> dict:
    """The contract's `decision-note status --format json` object."""
    note = find_note(procurement)
    version = note.current_version if note else None
    return {
        "reference": procurement.reference,
        "decision_number": note.decision_number if note else None,
        "state": note.state if note else "draft",
        "envelope_id": version.envelope_id if version else None,
        "pdf_sha256": version.pdf_sha256 if version else None,
        "stale": is_stale(note) if note else False,
        "signatures": [{"role": s.role, "name": s.name,
                        "signed_at": s.signed_at.isoformat() + "Z" if s.signed_at else None}
                       for s in (version.signoffs if version else [])],
    }
