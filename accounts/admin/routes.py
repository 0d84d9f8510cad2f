"""The administrator's pages: users, organisations and settings (never bids or scores).

Thin views on the accounts blueprint: a form checks its values with `accounts.admin.rules`
and the password policy, the view checks what needs the database (an email or a name
already taken), commits the change with its audit record, and redirects. Every route is
declared ADMIN in procurement.access.ROUTES, so the policy has refused everyone else before a
view runs. A change of roles, active flag or password ends the person's sessions
(accounts.models bumps their generation in the same commit).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

import clock
from accounts import bp, sessions
from accounts.admin import rules
from accounts.admin.forms import (ActionForm, EditUserForm, OrganisationForm,
                                  ResetPasswordForm, SettingForm, UserForm, choices)
from accounts.models import (APPROVER_ROLES, DEFAULT_SETTINGS, ROLES, Organisation, Setting,
                             SettingValue, User)
from audit.services import record
from extensions import db


def _done(message: str, target: str):
    flash(message, "success")
    return redirect(target, code=303)


def _organisation_choices(form) -> None:
    organisations = db.session.execute(select(Organisation).order_by(
        Organisation.name)).scalars().all()
    form.organisation_id.choices = choices([("", "Select an organisation")] + [
        (str(o.id), f"{o.name} ({rules.ORGANISATION_KINDS.get(o.kind, o.kind)})")
        for o in organisations])


def _person(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    return person


def _email_taken(email: str) -> bool:
    return db.session.execute(select(User.id).where(
        func.lower(User.email) == email.lower())).first() is not None


def _roles_text(roles) -> str:
    return ",".join(r for r in ROLES if r in set(roles))  # the table's order, no duplicates


def _summary(person: User) -> dict:
    return {"email": person.email, "name": person.name, "roles": person.roles,
            "active": person.active,
            "organisation": person.organisation.name if person.organisation else None}


# -- users ---------------------------------------------------------------------------------

@bp.route("/admin/users/new", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    _organisation_choices(form)
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if _email_taken(email):
            form.email.errors.append("A user with this email address already exists")
        else:
            person = User(email=email, name=form.name.data.strip(),
                          roles=_roles_text(form.roles.data),
                          organisation_id=int(form.organisation_id.data), active=True)
            person.set_password(form.password.data)
            db.session.add(person)
            db.session.flush()
            record("user", email, "create", after=_summary(person))
            db.session.commit()
            return _done(f"{email} can now sign in with the password you set. Give it to "
                         f"them in person or by phone, never by email.",
                         url_for("accounts.users"))
    return render_template("accounts/admin/user_new.html", form=form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    person = _person(user_id)
    form = EditUserForm(obj=None if request.method == "POST" else person)
    _organisation_choices(form)
    if request.method == "GET":
        form.roles.data = sorted(person.role_set)
        form.organisation_id.data = str(person.organisation_id or "")
    if form.validate_on_submit():
        problem = rules.self_change_problem(current_user.id, person.id, active=person.active,
                                            roles=form.roles.data or [])
        if problem:
            form.roles.errors.append(problem)
        else:
            before = _summary(person)
            person.name = form.name.data.strip()
            person.roles = _roles_text(form.roles.data)
            person.organisation_id = int(form.organisation_id.data)
            db.session.flush()
            after = _summary(person)
            if after != before:
                record("user", person.email, "change", before=before, after=after)
            if person.id == current_user.id and before["roles"] != after["roles"]:
                sessions.start(person)  # its own roles changed: this browser goes on
            db.session.commit()
            ended = " Their roles changed, so they have been signed out." \
                if before["roles"] != after["roles"] else ""
            return _done(f"The details of {person.email} have been saved.{ended}",
                         url_for("accounts.users"))
    return render_template("accounts/admin/user_edit.html", form=form, person=person,
                           action=ActionForm())


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    """Deactivate (signs them out everywhere, refuses their sign-in) or reactivate."""
    person = _person(user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    active = not person.active
    problem = rules.self_change_problem(current_user.id, person.id, active=active,
                                        roles=person.role_set)
    if problem:
        flash(problem, "error")
        return redirect(url_for("accounts.user_edit", user_id=person.id), code=303)
    person.active = active
    record("user", person.email, "reactivate" if active else "deactivate",
           before={"active": not active}, after={"active": active})
    db.session.commit()
    message = (f"{person.email} can sign in again." if active else
               f"{person.email} has been deactivated and signed out everywhere.")
    return _done(message, url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int):
    person = _person(user_id)
    form = ResetPasswordForm(person=person)
    if form.validate_on_submit():
        person.set_password(form.password.data)  # ends their sessions (accounts.models)
        record("user", person.email, "reset password")  # never the password or its hash
        db.session.commit()
        return _done(f"The password of {person.email} has been reset and they have been "
                     f"signed out everywhere. Give them the new password in person or by "
                     f"phone.", url_for("accounts.users"))
    return render_template("accounts/admin/user_password.html", form=form, person=person)


# -- organisations -------------------------------------------------------------------------

@bp.route("/admin/organisations")
def organisations():
    found = db.session.execute(select(Organisation).order_by(
        Organisation.kind, Organisation.name)).scalars().all()
    return render_template("accounts/admin/organisations.html", organisations=found,
                           KINDS=rules.ORGANISATION_KINDS)


def _org_summary(o: Organisation) -> dict:
    return {"name": o.name, "kind": o.kind, "decision_prefix": o.decision_prefix,
            "signoff_order": o.signoff_order}


def _name_taken(name: str, but: int | None) -> bool:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if but is not None:
        query = query.where(Organisation.id != but)
    return db.session.execute(query).first() is not None


@bp.route("/admin/organisations/new", methods=["GET", "POST"], endpoint="organisation_new")
@bp.route("/admin/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation_edit(organisation_id: int | None = None):
    organisation = None
    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            abort(404)
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _name_taken(name, organisation.id if organisation else None):
            form.name.errors.append("An organisation with this name already exists")
        else:
            before = _org_summary(organisation) if organisation else None
            if organisation is None:
                organisation = Organisation()
                db.session.add(organisation)
            organisation.name, organisation.kind = name, form.kind.data
            organisation.decision_prefix = form.decision_prefix.data or None
            organisation.signoff_order = form.signoff_order.data or None
            db.session.flush()
            after = _org_summary(organisation)
            if after != before:
                record("organisation", organisation.id, "change" if before else "create",
                       before=before, after=after)
            db.session.commit()
            return _done(f"{organisation.name} has been saved.",
                         url_for("accounts.organisations"))
    return render_template("accounts/admin/organisation.html", form=form,
                           organisation=organisation, APPROVERS=[(r, ROLES[r]) for r in APPROVER_ROLES])


# -- settings ------------------------------------------------------------------------------

def _history(key: str) -> list[SettingValue]:
    return db.session.execute(select(SettingValue).where(SettingValue.key == key).order_by(
        SettingValue.effective_from.desc(), SettingValue.id.desc())).scalars().all()


def _in_force(key: str, history: list[SettingValue], today) -> dict:
    """What applies today: the latest effective entry, else the older row, else the default."""
    entry = rules.in_force([(h.effective_from, h.id, h) for h in history], today)
    if entry is not None:
        return {"value": entry[2].value, "since": entry[2].effective_from, "entry": entry[2]}
    row = db.session.get(Setting, key)
    if row is not None:
        return {"value": row.value, "since": None, "entry": None}
    return {"value": DEFAULT_SETTINGS.get(key, ""), "since": None, "entry": None,
            "default": True}


@bp.route("/admin/settings")
def settings():
    today = clock.today()
    shown = []
    for spec in rules.SETTINGS.values():
        history = _history(spec.key)
        shown.append({"spec": spec, "now": _in_force(spec.key, history, today),
                      "future": [h for h in history if h.effective_from > today],
                      "history": history})
    return render_template("accounts/admin/settings.html", settings=shown, today=today)


@bp.route("/admin/settings/<key>", methods=["GET", "POST"])
def setting_edit(key: str):
    spec = rules.SETTINGS.get(key)
    if spec is None:
        abort(404)
    today = clock.today()
    history = _history(key)
    now = _in_force(key, history, today)
    form = SettingForm(key=key, today=today)
    if request.method == "GET":
        form.value.data = now["value"]
        form.from_day.data, form.from_month.data, form.from_year.data = (
            str(today.day), str(today.month), str(today.year))
    if form.validate_on_submit():
        entry = SettingValue(key=key, value=form.value.data, effective_from=form.effective,
                             changed_by=current_user.email, changed_at=clock.utcnow())
        db.session.add(entry)
        db.session.flush()
        record("setting", key, "set", before={"value": now["value"]},
               after={"value": entry.value, "effective_from": entry.effective_from.isoformat()})
        db.session.commit()
        when = "from today" if entry.effective_from == today else \
            f"from {entry.effective_from.day} {entry.effective_from:%B %Y}"
        return _done(f"{spec.label} is {entry.value} {when}.", url_for("accounts.settings"))
    return render_template("accounts/admin/setting.html", form=form, spec=spec, now=now,
                           history=history)
