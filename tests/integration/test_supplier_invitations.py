"""A supplier's users invite more users of their own organisation, through HTTP, with the mail
read from a real SMTP server; and the guards: never into another organisation (whatever the
form says), never a second account for a registered address, only a supplier's users, and
the link good once, for its own purpose, within 48 hours."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import clock
from accounts.models import Organisation, User
from extensions import db
from tests.conftest import PASSWORD, _password_hash, csrf_token
from tests.integration.supplier_fixtures import (PASSWORD_NEW, link_path, mail_to, sign_in,
                                                 site, smtp)  # noqa: F401

INVITER = "bids@brightside.example"
INVITEE = "alex@brightside.example"


@pytest.fixture()
def people(site):
    """Two supplier organisations and a buyer, one active user each."""
    with site.app_context():
        mine = Organisation(name="Brightside Care Ltd", kind="supplier")
        other = Organisation(name="Other Supplier Ltd", kind="supplier")
        buyer = Organisation(name="Test Commissioner's Office", kind="buyer")
        for email, name, role, org in [(INVITER, "Jo Bids", "supplier", mine),
                                       ("bids@other.example", "Other", "supplier", other),
                                       ("officer@example.org", "Officer", "officer", buyer)]:
            db.session.add(User(email=email, name=name, roles=role, organisation=org,
                                password_hash=_password_hash()))
        db.session.commit()
        ids = {"mine": mine.id, "other": other.id, "buyer": buyer.id}
        db.session.remove()
    return ids


def signed_in(app, email=INVITER):
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def invite(client, name="Alex Green", email=INVITEE, **extra):
    token = csrf_token(client, "/supplier/users")
    return client.post("/supplier/users", data={"name": name, "email": email,
                                                "csrf_token": token, **extra})


def row(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        found = None if user is None else {
            "org": user.organisation_id, "roles": user.roles, "active": user.active,
            "pending": user.pending, "name": user.name, "confirmed": user.email_confirmed_at}
        db.session.remove()
        return found


def user_count(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count(User.id)))
        finally:
            db.session.remove()


def test_invite_accept_and_sign_in(site, smtp, people):
    client = signed_in(site)
    page = client.get("/supplier/users").get_data(as_text=True)
    assert "Brightside Care Ltd" in page and INVITER in page and 'name="csrf_token"' in page
    assert "bids@other.example" not in page and "officer@example.org" not in page
    resp = invite(client)
    assert resp.status_code == 303
    listed = client.get("/supplier/users").get_data(as_text=True)
    assert INVITEE in listed and "Invited" in listed and "we have sent them an invitation" in listed
    assert row(site, INVITEE) == {"org": people["mine"], "roles": "supplier", "active": False,
                                  "pending": True, "name": "Alex Green", "confirmed": None}
    message = mail_to(smtp, INVITEE)
    assert "Brightside Care Ltd" in message["Subject"]
    path = link_path(message)
    assert path.startswith("/invitation/")
    invitee = site.test_client()
    form = invitee.get(path)
    assert form.status_code == 200 and INVITEE in form.get_data(as_text=True)
    token = csrf_token(invitee, path)
    weak = invitee.post(path, data={"name": "Alex Green", "password": "password1234",
                                    "confirm_password": "password1234", "csrf_token": token})
    assert weak.status_code == 200 and "Password is too easy to guess" in weak.get_data(
        as_text=True)
    assert row(site, INVITEE)["pending"]
    done = invitee.post(path, data={"name": "Alex Green-Smith", "password": PASSWORD_NEW,
                                    "confirm_password": PASSWORD_NEW, "csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    accepted = row(site, INVITEE)
    assert accepted["active"] and not accepted["pending"] and accepted["confirmed"]
    assert accepted["name"] == "Alex Green-Smith" and accepted["org"] == people["mine"]
    fresh = site.test_client()
    assert sign_in(fresh, INVITEE, PASSWORD_NEW).headers["Location"].endswith("/supplier")
    assert "Brightside Care Ltd" in fresh.get("/supplier").get_data(as_text=True)
    used = site.test_client().get(path)
    assert used.status_code == 410 and "already been used" in used.get_data(as_text=True)


def test_an_invitation_is_always_into_the_inviters_own_organisation(site, smtp, people):
    client = signed_in(site)
    resp = invite(client, organisation_id=str(people["other"]),
                  organisation=str(people["other"]), roles="admin")
    assert resp.status_code == 303
    invited = row(site, INVITEE)
    assert invited["org"] == people["mine"] and invited["roles"] == "supplier"
    other = signed_in(site, "bids@other.example")
    assert INVITEE not in other.get("/supplier/users").get_data(as_text=True)


def test_an_address_registered_elsewhere_gets_no_second_account(site, smtp, people):
    before = user_count(site)
    resp = invite(signed_in(site), email="Bids@Other.example")
    assert resp.status_code == 303  # the same answer as for a new address
    assert user_count(site) == before
    assert row(site, "bids@other.example")["org"] == people["other"]  # not moved
    note = mail_to(smtp, "bids@other.example")
    assert note["Subject"] == "You already have an account in Tender"


def test_an_address_of_the_organisations_own_user_is_refused(site, smtp, people):
    resp = invite(signed_in(site), email=INVITER)
    assert resp.status_code == 200
    assert "is already a user of Brightside Care Ltd" in resp.get_data(as_text=True)
    assert smtp.messages == []


def test_inviting_again_sends_a_new_link_and_no_second_account(site, smtp, people):
    client = signed_in(site)
    invite(client)
    invite(client)
    assert user_count(site) == 4
    first, second = smtp.wait_for(2)
    invitee = site.test_client()
    assert invitee.get(link_path(second)).status_code == 200
    assert invitee.get(link_path(first)).status_code == 200  # unused: both name the same state


@pytest.mark.parametrize("data,message", [
    ({"name": "", "email": INVITEE}, "Enter the person&#39;s name"),
    ({"name": "Alex", "email": ""}, "Enter the person&#39;s email address"),
    ({"name": "Alex", "email": "alex"}, "Enter an email address in the correct format"),
])
def test_bad_invitations_are_refused(site, smtp, people, data, message):
    resp = invite(signed_in(site), **data)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert user_count(site) == 3 and smtp.messages == []


def test_without_its_csrf_token_nobody_is_invited(site, smtp, people):
    resp = signed_in(site).post("/supplier/users", data={"name": "Alex", "email": INVITEE})
    assert resp.status_code == 400 and user_count(site) == 3 and smtp.messages == []


@pytest.mark.parametrize("who,status", [("officer@example.org", 403), (None, 302)])
def test_only_a_suppliers_users_may_invite(site, smtp, people, who, status):
    client = signed_in(site, who) if who else site.test_client()
    assert client.get("/supplier/users").status_code == status
    token = csrf_token(client, "/login") if who is None else csrf_token(client, "/procurements")
    resp = client.post("/supplier/users", data={"name": "Alex", "email": INVITEE,
                                                "csrf_token": token})
    assert resp.status_code == status
    assert user_count(site) == 3 and smtp.messages == []


def test_an_expired_invitation_is_refused(site, smtp, people, monkeypatch):
    invite(signed_in(site))
    path = link_path(mail_to(smtp, INVITEE))
    later = clock.utcnow() + timedelta(hours=49)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    resp = site.test_client().get(path)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 410 and "This link has expired" in page
    assert "Ask a user of your organisation to invite you again" in page
    assert row(site, INVITEE)["pending"]


def test_an_invitation_does_not_confirm_a_registration(site, smtp, people):
    invite(signed_in(site))
    token = link_path(mail_to(smtp, INVITEE)).rsplit("/", 1)[1]
    assert site.test_client().get(f"/register/confirm/{token}").status_code == 404
    assert row(site, INVITEE)["pending"]


def test_a_forged_invitation_is_refused(site, smtp, people):
    client = site.test_client()
    resp = client.post("/invitation/forged.token.here", data={
        "name": "X", "password": PASSWORD_NEW, "confirm_password": PASSWORD_NEW,
        "csrf_token": csrf_token(client, "/login")})
    assert resp.status_code == 404 and "This link is not right" in resp.get_data(as_text=True)
    assert user_count(site) == 3


def test_invitations_are_throttled_by_sender(site, smtp, people, monkeypatch):
    monkeypatch.setitem(site.config, "INVITE_LIMIT_PER_ACCOUNT", "2 per hour")
    client = signed_in(site)
    assert invite(client, email="one@brightside.example").status_code == 303
    assert invite(client, email="two@brightside.example").status_code == 303
    third = invite(client, email="three@brightside.example")
    assert third.status_code == 429 and "Too many requests" in third.get_data(as_text=True)
    assert row(site, "three@brightside.example") is None and len(smtp.wait_for(2)) == 2
