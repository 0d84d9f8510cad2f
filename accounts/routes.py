from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts import access  # noqa: F401  (registers the user loader)
from accounts import bp, sessions, signin, throttle
from accounts import invitations, registration  # noqa: F401  (supplier accounts' pages)
from accounts.admin import routes as admin_routes  # noqa: F401  (the administrator's pages)
from accounts.access import landing_endpoint
from accounts.forms import ChangePasswordForm, LoginForm
from accounts.models import Organisation, User
from accounts.passwords import MIN_LENGTH
from audit.services import record
from extensions import db

bp.register_error_handler(429, throttle.too_many)


@bp.route("/login", methods=["GET", "POST"])
@throttle.signin_per_account
@throttle.signin_per_address
def login():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    sessions.flash_ended()
    form = LoginForm()
    if not form.validate_on_submit():
        if request.method == "POST":
            throttle.give_back()  # no password was checked
        return render_template("accounts/login.html", form=form)
    email = form.email.data.strip().lower()
    user, reason = signin.authenticate(email, form.password.data)
    if user is None:  # the same answer, after the same work, whatever the reason
        signin.record_failure(email, reason)
        db.session.commit()
        form.password.errors.append(signin.WRONG)
        return render_template("accounts/login.html", form=form)
    throttle.give_back()
    sessions.start(user)
    signin.record_signed_in(user)
    db.session.commit()
    target = request.args.get("next", "")
    # only same-site paths, never an open redirect
    if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        target = url_for(landing_endpoint(user))
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout():
    email = current_user.email
    sessions.end_current()
    record("user", email, "sign out", actor=email)
    db.session.commit()
    flash("You have signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@throttle.password_per_account
@throttle.password_per_address
def change_password():
    """Change your own password; every other session of yours ends."""
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():  # the new password is refused before the current
        if request.method == "POST":  # one is checked: nothing was checked, nothing counts
            throttle.give_back()
        return _password_page(form)
    if not signin.password_matches(user, form.current_password.data):
        record("user", user.email, "change password refused",
               after={"reason": "wrong current password", "address": request.remote_addr})
        db.session.commit()
        form.current_password.errors.append("Your current password is not right")
        return _password_page(form)
    throttle.give_back()
    ended = sessions.end_everywhere(user)
    user.set_password(form.new_password.data)
    sessions.start(user)  # this browser goes on, in a new session
    record("user", user.email, "change password", after={"sessions_ended": ended})
    db.session.commit()
    flash("Your password has been changed. You have been signed out everywhere else.",
          "success")
    return redirect(url_for(landing_endpoint(user)))


def _password_page(form):
    return render_template("accounts/password.html", form=form, min_length=MIN_LENGTH)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere():
    """End every session of yours, this one too: on every browser and machine."""
    user = current_user._get_current_object()
    email = user.email
    ended = sessions.end_everywhere(user)
    sessions.end_current()
    record("user", email, "sign out everywhere", after={"sessions_ended": ended}, actor=email)
    db.session.commit()
    flash("You have signed out everywhere: on this and every other device.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/admin/users")
def users():
    """The administrator's start page: every organisation and user, with their roles."""
    organisations = db.session.execute(select(Organisation).order_by(
        Organisation.kind, Organisation.name)).scalars().all()
    people = db.session.execute(select(User).order_by(User.email)).scalars().all()
    return render_template("accounts/users.html", organisations=organisations, people=people)


@bp.route("/account")
def no_role():
    """A signed-in person with no role yet: nothing to work on until an administrator adds one."""
    return render_template("accounts/no_role.html")
