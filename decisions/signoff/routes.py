"""Sign-off pages: the note's versions and hashes, the stale banner, sending and signing.

Every check is on the server (decisions.signoff): only the next approver in order signs,
once, in their own place; only a procurement officer of the buying organisation sends.
Refusals answer 403 (not yours, not your turn) or 409 (stale, already signed, not open),
show why, change nothing and are written to the audit trail.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from accounts.models import ROLES
from decisions import bp
from decisions.signoff import rules
from decisions.signoff.freeze import stale_and_current, what_changed
from decisions.signoff.docusign import EnvelopeError
from decisions.signoff.service import (SigningError, envelope_mode, find_note, lot_readiness,
                               planned_signoffs, record_refusal, record_send_failure, send,
                               sign_in_app, signer, recorded_signoffs, start_new_version)
from procurement.access import may, procurement_for
from extensions import db

COMMENTS_MAX = 4000


class SendForm(FlaskForm):
    pass


class SignForm(FlaskForm):
    position = HiddenField(validators=[DataRequired()])
    comments = TextAreaField("Comments", validators=[Length(
        max=COMMENTS_MAX, message=f"Comments must be {COMMENTS_MAX} characters or fewer")])


def _page(procurement, *, status: int = 200, error: str | None = None,
          sign_form: SignForm | None = None):
    summary = signoff_summary(procurement)
    stale, changes = summary["stale"], summary["changes"]
    db.session.rollback()  # reading the note's data must never create or change anything
    note = find_note(procurement)
    version = note.current_version if note else None
    who = signer(current_user)
    mine, my_turn, waiting_for = [], None, None
    if version is not None:
        recorded = recorded_signoffs(version)
        mine = rules.signoffs_for(recorded, who, procurement.organisation_id)
        nxt = rules.next_signoff(recorded)
        if version.state == "sent" and nxt is not None:
            waiting_for = next(s for s in version.signoffs if s.position == nxt.position)
            if rules.sign_refusal(recorded, nxt.position, who, procurement.organisation_id,
                                  state=version.state, stale=stale) is None \
                    and envelope_mode(version) == "local":
                my_turn = waiting_for
    send_problem = None
    if may("decisions.signoff_send", procurement, method="POST"):
        refusal = rules.send_refusal(lot_readiness(procurement), note.state if note else "draft")
        refusal = refusal or rules.narrative_refusal(note.narrative if note else {})
        refusal = refusal or rules.plan_refusal(planned_signoffs(procurement), dict(ROLES))
        send_problem = refusal.message if refusal else None
        db.session.rollback()
    form = sign_form or SignForm()
    if my_turn is not None:
        form.position.data = str(my_turn.position)
    return render_template(
        "decisions/signoff.html", p=procurement, note=note, version=version, stale=stale,
        changes=changes, my_turn=my_turn, waiting_for=waiting_for, mine=mine, form=form,
        send_form=SendForm(), send_problem=send_problem, error=error,
        docusign=version is not None and envelope_mode(version) == "docusign",
        labels=ROLES), status


@bp.app_template_global("signoff_summary")
def signoff_summary(procurement) -> dict:
    """For the note page's sign-off panel: the current version, staleness, who signs next."""
    note = find_note(procurement)
    version = note.current_version if note else None
    if version is None:
        return {"version": None, "stale": False, "changes": [], "signed": 0, "total": 0,
                "next": None}
    stale, changes = False, []
    if rules.checks_staleness(version.state, note.state):
        # one query while the data version is unchanged; the rebuilt data only when it moved
        stale, current = stale_and_current(version, note)
        changes = (what_changed(version, note, current) or ["details of the note"]
                   if stale else [])
    nxt = rules.next_signoff(recorded_signoffs(version))
    return {"version": version, "stale": stale, "changes": changes,
            "signed": sum(1 for s in version.signoffs if s.signed_at),
            "total": len(version.signoffs),
            "next": next((s for s in version.signoffs if nxt and s.position == nxt.position),
                         None)}


@bp.route("/procurements/<reference>/decision-note/sign-off")
def signoff_page(reference):
    return _page(procurement_for(reference))


@bp.route("/procurements/<reference>/decision-note/send", methods=["POST"])
def signoff_send(reference):
    procurement = procurement_for(reference)
    form = SendForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = send(procurement, actor=current_user.email, user=current_user)
    except SigningError as e:
        db.session.rollback()
        record_refusal(procurement, "send_refused", e, actor=current_user.email)
        db.session.commit()
        return _page(procurement, status=rules.http_status(e.reason), error=e.message)
    except EnvelopeError as e:  # DocuSign did not create it: nothing is kept
        db.session.rollback()
        record_send_failure(procurement, e, actor=current_user.email)
        db.session.commit()
        return _page(procurement, status=502, error=e.message)
    db.session.commit()
    flash(f"Decision {version.note.decision_number} version {version.version} sent for "
          f"signature (envelope {version.envelope_id})", "success")
    return redirect(url_for("decisions.signoff_page", reference=reference))


@bp.route("/procurements/<reference>/decision-note/new-version", methods=["POST"])
def signoff_new_version(reference):
    """A signed-off note back to drafting, to be changed, sent and signed again."""
    procurement = procurement_for(reference)
    if not SendForm().validate_on_submit():
        abort(400)
    try:
        signed = start_new_version(procurement, actor=current_user.email)
    except SigningError as e:
        db.session.rollback()
        record_refusal(procurement, "new_version_refused", e, actor=current_user.email)
        db.session.commit()
        return _page(procurement, status=rules.http_status(e.reason), error=e.message)
    db.session.commit()
    flash("A new version of the decision note is started: change it, then send it for "
          "signature." + (f" Version {signed.version} stays signed and published until the "
                          "new version is signed off." if signed is not None else ""), "success")
    return redirect(url_for("decisions.note_page", reference=reference))


@bp.route("/procurements/<reference>/decision-note/sign", methods=["POST"])
def signoff_sign(reference):
    procurement = procurement_for(reference)
    form = SignForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(procurement, status=400, sign_form=form)
    try:
        position = int(form.position.data)
    except (TypeError, ValueError):
        abort(400)
    comments = (form.comments.data or "").strip()
    try:
        so = sign_in_app(procurement, current_user, position, comments)
    except SigningError as e:
        db.session.rollback()
        record_refusal(procurement, "sign_refused", e, actor=current_user.email,
                       entity="sign_off", details={"position": position})
        db.session.commit()
        return _page(procurement, status=rules.http_status(e.reason), error=e.message)
    completed = so.version.state == "completed"
    db.session.commit()
    flash("You have signed the decision note"
          + (": sign-off is complete" if completed else ""), "success")
    return redirect(url_for("decisions.signoff_page", reference=reference))


@bp.route("/procurements/<reference>/decision-note/versions/<int:number>.pdf")
def signoff_version_pdf(reference, number):
    procurement = procurement_for(reference)
    note = find_note(procurement)
    version = next((v for v in (note.versions if note else []) if v.version == number), None)
    if version is None:
        abort(404)
    signed = request.args.get("signed") == "1" and version.completed_pdf
    pdf = version.completed_pdf if signed else version.pdf
    ident = (note.decision_number or procurement.reference).replace("/", "-")
    name = f"decision-note-{ident}-v{number}{'-signed' if signed else ''}.pdf"
    return pdf, 200, {"Content-Type": "application/pdf",
                      "Content-Disposition": f'attachment; filename="{name}"',
                      "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
