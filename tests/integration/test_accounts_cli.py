"""`accounts create-user`: the password policy, and the new user in the audit."""
import json

import pytest
from sqlalchemy import select

from accounts.models import User
from audit.models import AuditRecord
from extensions import db


def create(app, password, email="new.officer@example.org", name="New Officer"):
    return app.test_cli_runner().invoke(args=[
        "accounts", "create-user", email, name, "--role", "officer",
        "--organisation", "Test Office", "--password", password])


def users():
    db.session.expire_all()
    return db.session.scalars(select(User.email)).all()


@pytest.mark.parametrize("password,message", [
    ("short", "Password must be 12 characters or more"),
    ("qwerty123456", "one of the most common passwords"),
    ("new.officer@example.org", "must not be your email address or name"),
])
def test_a_password_against_the_policy_is_refused(app, password, message):
    result = create(app, password)
    assert result.exit_code == 1 and message in result.output
    assert users() == [] and db.session.scalar(select(AuditRecord)) is None


@pytest.mark.parametrize("password", ["tender-demo-2023", "correct horse battery staple"])
def test_the_demo_and_test_passwords_are_accepted(app, password):
    result = create(app, password)
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.check_password(password)


def test_creating_a_user_is_audited_without_the_password(app):
    assert create(app, "plum tractor seaside").exit_code == 0
    rec = db.session.scalar(select(AuditRecord))
    assert (rec.entity, rec.entity_id, rec.action, rec.actor) == (
        "user", "new.officer@example.org", "create", "system")
    assert rec.after == {"name": "New Officer", "roles": "officer",
                         "organisation": "Test Office"}
    user = db.session.scalar(select(User))
    text = json.dumps([rec.before, rec.after])
    assert "plum tractor" not in text and user.password_hash not in text


def test_a_new_user_can_sign_in(app, client):
    from tests.conftest import login

    assert create(app, "plum tractor seaside").exit_code == 0
    assert login(client, "new.officer@example.org", "plum tractor seaside").status_code == 302


@pytest.mark.parametrize("role,kind", [("supplier", "supplier"), ("officer", "buyer")])
def test_a_new_organisation_is_a_suppliers_for_the_supplier_role(app, role, kind):
    """The contract: the organisation is made when it does not exist, as a supplier's
    organisation when ROLE is `supplier`."""
    from accounts.models import Organisation

    result = app.test_cli_runner().invoke(args=[
        "accounts", "create-user", f"{role}@new.example.org", "Someone New", "--role", role,
        "--organisation", "New Organisation Ltd", "--password", "correct horse battery staple"])
    assert result.exit_code == 0, result.output
    org = db.session.scalar(select(Organisation).where(
        Organisation.name == "New Organisation Ltd"))
    assert org.kind == kind and org.active
    user = db.session.scalar(select(User))
    assert user.organisation == org and user.active and not user.pending
