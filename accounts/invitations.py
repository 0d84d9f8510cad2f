"""A supplier's users invite more users of their own organisation, by an emailed link.

The organisation is always the inviter's own (nothing in the form names one): the invitee is
written pending and inactive, with the role `supplier`, and the link (accounts.tokens: signed,
48 hours, one use) lets them set their name and password, which activates the account. An
address of the organisation's own active user is refused; an address registered elsewhere is
not told on the page (the same words as for a new one), no account is made, and its owner is
mailed instead.
"""
from __future__ import annotations

import secrets
from smtplib import SMTPException

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

import clock
import mail
from accounts import bp, signin, throttle, tokens
from accounts.models import User
from accounts.passwords import MIN_LENGTH
from accounts.registration import MAIL_FAILED, forget_stale, link_problem
from accounts.supplier_forms import AcceptInvitationForm, InviteForm
from audit.services import record
from extensions import db


def _organisation():
    org = current_user.organisation
    if org is None or org.kind != "supplier":
        abort(403)  # a supplier user with no supplier organisation has nobody to invite
    return org


def _invitation_mail(user: User, inviter: User) -> None:
    url = tokens.link("accounts.invitation", tokens.make(user, tokens.INVITE))
    mail.send(user.email, f"You are invited to use Tender for {user.organisation.name}", (
        f"Dear {user.name},\n\n{inviter.name} has invited you to use Tender, the procurement "
        f"service, as a user of {user.organisation.name}. To accept, open this link within "
        f"{tokens.hours()} hours and choose your password:\n\n{url}\n\n"
        "The link works once. If you were not expecting this, ignore this email.\n"))


def _elsewhere_mail(user: User, inviter: User) -> None:
    login = current_app.config["PUBLIC_URL"] + url_for("accounts.login")
    mail.send(user.email, "You already have an account in Tender", (
        f"{inviter.name} of {inviter.organisation.name} tried to invite this email address to "
        "Tender, but it already has an account, which has not changed. "
        f"Sign in at {login}\n"))


@bp.route("/supplier/users", methods=["GET", "POST"])
@throttle.invite_per_account
def supplier_users():
    """The organisation's users, and a form to invite another."""
    org = _organisation()
    form = InviteForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        forget_stale()
        existing = signin.find(email)
        if existing is not None and existing.organisation_id == org.id and not existing.pending:
            form.email.errors.append(f"{email} is already a user of {org.name}")
        else:
            try:
                _invite(org, email, form.name.data.strip(), existing)
            except (SMTPException, OSError) as err:
                current_app.logger.error("invitation mail not sent: %s", err)
                db.session.rollback()
                return render_template("errors/error.html", title="Sorry, there is a problem",
                                       message=MAIL_FAILED), 503
            db.session.commit()
            flash(f"If {email} is not already registered in Tender, we have sent them an "
                  f"invitation to join {org.name}. It works for {tokens.hours()} hours.",
                  "success")
            return redirect(url_for("accounts.supplier_users"), code=303)
    people = db.session.execute(select(User).where(User.organisation_id == org.id)
                                .order_by(User.name, User.email)).scalars().all()
    return render_template("accounts/supplier_users.html", form=form, org=org, people=people,
                           hours=tokens.hours())


def _invite(org, email: str, name: str, existing: User | None) -> None:
    inviter = current_user._get_current_object()
    if existing is not None and existing.organisation_id != org.id:
        record("user", email[:120], "invite refused",
               after={"reason": "email already registered", "organisation": org.name})
        _elsewhere_mail(existing, inviter)
        return
    user = existing  # invited before, not yet accepted: a new link
    if user is None:
        user = User(email=email, name=name, roles="supplier", organisation=org, active=False,
                    pending=True)
        user.set_password(secrets.token_urlsafe(32))  # nobody knows it: set on accepting
        db.session.add(user)
        db.session.flush()
    record("user", email, "invite", after={"name": name, "roles": "supplier",
                                           "organisation": org.name})
    _invitation_mail(user, inviter)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@throttle.links_per_address
def invitation(token):
    """The emailed link: the invitee sets its name and password, once."""
    user, problem = tokens.read(token, tokens.INVITE)
    if user is None or user.organisation is None or not user.organisation.active:
        return link_problem(problem or tokens.USED, tokens.INVITE)
    form = AcceptInvitationForm(person=user, data={"name": user.name})
    if not form.validate_on_submit():
        return render_template("accounts/invitation.html", form=form, person=user,
                               min_length=MIN_LENGTH)
    user.name = form.name.data.strip()
    user.set_password(form.password.data)
    user.active, user.pending, user.email_confirmed_at = True, False, clock.utcnow()
    record("user", user.email, "accept invitation",
           after={"name": user.name, "organisation": user.organisation.name}, actor=user.email)
    db.session.commit()
    flash("Your account is ready. Sign in with your email address and the password you chose.",
          "success")
    return redirect(url_for("accounts.login"), code=303)
