"""A supplier registers its organisation and first user, and confirms by an emailed link.

Nothing is active until the link is followed: the organisation (kind "supplier") and its user
are written inactive and pending, and the link (accounts.tokens: signed, 48 hours, one use)
activates both. An organisation name already registered is refused on the form (the names of
bidders are public); an email address already registered is not told on the page: the page
says the same as for a new one, no account is made, and the address's owner is mailed
instead (a new link when its own registration is still pending). A registration whose link
was never followed is forgotten once the link has expired, so its name and email are free.
"""
from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

from flask import current_app, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import delete, func, select
from werkzeug.security import generate_password_hash

import clock
import mail
from accounts import bp, signin, throttle, tokens
from accounts.access import landing_endpoint
from accounts.models import Organisation, User
from accounts.passwords import MIN_LENGTH
from accounts.registration_rules import SCHEMES
from accounts.supplier_forms import RegistrationForm
from audit.services import record
from extensions import db

SENT_TO = "registered_email"  # in the session: the address the last link went to
MAIL_FAILED = ("Sorry, we could not send the email just now, so nothing was saved. "
               "Try again later.")
PROBLEMS = {
    tokens.FORGED: ("This link is not right",
                    "Check that you copied the whole link from the email."),
    tokens.EXPIRED: ("This link has expired",
                     "Links work for {hours} hours. {again}"),
    tokens.USED: ("This link has already been used",
                  "If you have confirmed your email address, sign in."),
}


def forget_stale() -> None:
    """Registrations and invitations whose links have expired unfollowed (the caller commits)."""
    cutoff = clock.utcnow() - timedelta(hours=tokens.hours())
    db.session.execute(delete(User).where(
        User.pending.is_(True), User.active.is_(False), User.created_at < cutoff))
    has_users = select(User.id).where(User.organisation_id == Organisation.id).exists()
    db.session.execute(delete(Organisation).where(
        Organisation.kind == "supplier", Organisation.active.is_(False), ~has_users))


def name_taken(name: str) -> bool:
    return db.session.execute(select(Organisation.id).where(
        func.lower(Organisation.name) == " ".join(name.split()).lower())).first() is not None


AGAIN = {tokens.REGISTER: "Register again to get a new link.",
         tokens.INVITE: "Ask a user of your organisation to invite you again."}


def link_problem(problem: str, purpose: str = tokens.REGISTER):
    title, message = PROBLEMS[problem]
    status = {tokens.FORGED: 404, tokens.EXPIRED: 410, tokens.USED: 410}[problem]
    return render_template("accounts/link_problem.html", title=title, message=message.format(
        hours=tokens.hours(), again=AGAIN[purpose])), status


def _confirmation_mail(user: User) -> None:
    url = tokens.link("accounts.register_confirm", tokens.make(user, tokens.REGISTER))
    mail.send(user.email, "Confirm your email address to finish registering", (
        f"Dear {user.name},\n\n"
        f"You asked to register {user.organisation.name} as a supplier in Tender. To finish, "
        f"confirm your email address by opening this link within {tokens.hours()} hours:\n\n"
        f"{url}\n\nThe link works once. If you did not ask to register, ignore this email: "
        "nothing is registered until the link is opened.\n"))


def _already_registered_mail(user: User) -> None:
    if user.pending and user.organisation is not None and not user.organisation.active:
        return _confirmation_mail(user)  # its own registration, still waiting: a new link
    login = current_app.config["PUBLIC_URL"] + url_for("accounts.login")
    mail.send(user.email, "You already have an account in Tender", (
        "Someone asked to register a supplier in Tender with this email address, which "
        f"already has an account. Sign in at {login}\n\nIf it was not you, ignore this email: "
        "nothing has changed. If you cannot sign in, ask your organisation's administrator.\n"))


@bp.route("/register", methods=["GET", "POST"])
@throttle.register_per_address
def register():
    """Register a supplier organisation and its first user (inactive until confirmed)."""
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    form = RegistrationForm()
    if not form.validate_on_submit():
        return _page(form)
    forget_stale()
    if name_taken(form.organisation_name.data):
        form.organisation_name.errors.append(
            "An organisation of this name is already registered. Ask one of its users to "
            "invite you")
        db.session.commit()  # what was forgotten stays forgotten
        return _page(form)
    email = form.email.data.strip().lower()
    existing = signin.find(email)
    try:
        if existing is not None:
            generate_password_hash(form.password.data)  # the same work as a new account's,
            # so the time taken does not tell either
            record("user", email[:120], "register refused",
                   after={"reason": "email already registered"}, actor=email)
            _already_registered_mail(existing)
        else:
            user = _create(form, email)
            _confirmation_mail(user)
    except (SMTPException, OSError) as err:  # no mail, nothing kept
        current_app.logger.error("registration mail not sent: %s", err)
        db.session.rollback()
        return render_template("errors/error.html", title="Sorry, there is a problem",
                               message=MAIL_FAILED), 503
    db.session.commit()
    session[SENT_TO] = email
    return redirect(url_for("accounts.register_sent"), code=303)


def _page(form):
    return render_template("accounts/register.html", form=form, min_length=MIN_LENGTH)


def _create(form: RegistrationForm, email: str) -> User:
    org = Organisation(
        name=" ".join(form.organisation_name.data.split()), kind="supplier", active=False,
        identifier_scheme=form.identifier_scheme.data, identifier=form.identifier.data,
        address=form.address.data.strip(), contact_name=form.contact_name.data.strip(),
        contact_phone=form.contact_phone.data, sme=form.sme.data == "yes",
        vcse=form.vcse.data == "yes")
    user = User(email=email, name=form.name.data.strip(), roles="supplier", organisation=org,
                active=False, pending=True)
    user.set_password(form.password.data)
    db.session.add_all([org, user])
    db.session.flush()  # the link names the user by its id
    record("organisation", org.name[:120], "register", after={
        "kind": "supplier", "identifier": f"{org.identifier_scheme} {org.identifier}",
        "sme": org.sme, "vcse": org.vcse}, actor=email)
    record("user", email, "register", after={"name": user.name, "roles": "supplier",
                                             "organisation": org.name}, actor=email)
    return user


@bp.route("/register/check-your-email")
def register_sent():
    return render_template("accounts/register_sent.html", email=session.get(SENT_TO),
                           hours=tokens.hours())


@bp.route("/register/confirm/<token>")
@throttle.links_per_address
def register_confirm(token):
    """The emailed link: activates the user and its organisation, once."""
    user, problem = tokens.read(token, tokens.REGISTER)
    if user is None or user.organisation is None or user.organisation.active:
        return link_problem(problem or tokens.USED)  # an invitation's user: not this link
    now = clock.utcnow()
    user.active, user.pending, user.email_confirmed_at = True, False, now
    user.organisation.active = True
    record("user", user.email, "confirm email", after={"organisation": user.organisation.name},
           actor=user.email)
    db.session.commit()
    return render_template("accounts/register_confirmed.html", user=user, schemes=SCHEMES)
