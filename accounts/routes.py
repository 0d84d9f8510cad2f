from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from accounts import access  # noqa: F401  (registers the user loader)
from accounts.access import landing_endpoint
from accounts import bp
from accounts.forms import LoginForm
from accounts.models import Organisation, User
from extensions import db


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.execute(select(User).where(
            func.lower(User.email) == form.email.data.strip().lower())).scalar_one_or_none()
        if user is None or not user.check_password(form.password.data) or not user.active:
            form.password.errors.append("The email address or password is not right")
        else:
            login_user(user)
            target = request.args.get("next", "")
            # only same-site paths, never an open redirect
            if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
                target = url_for(landing_endpoint(user))
            return redirect(target)
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You have signed out.", "info")
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
