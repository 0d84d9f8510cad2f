"""Registering a supplier through HTTP, with the mail read from a real SMTP server: the
emailed link activates the organisation and its user, once, within 48 hours by the server's
clock; a forged link, a used one and an expired one are refused with a clear message; a
duplicate email makes no second account (and the page tells nothing), a duplicate name is
refused; every bad input is refused with nothing written."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import clock
from accounts.models import Organisation, User
from audit.models import AuditRecord
from extensions import db
from tests.conftest import _password_hash
from tests.integration.supplier_fixtures import (GOOD, PASSWORD_NEW, link_path, mail_to,
                                                 register, sign_in, site, smtp)  # noqa: F401

EMAIL = "sam@brightside.example"


def count(app, model) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(model))
        finally:
            db.session.remove()


def user_row(app, email=EMAIL) -> dict | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        row = None if user is None else {
            "active": user.active, "pending": user.pending, "confirmed": user.email_confirmed_at,
            "roles": user.roles, "org": user.organisation.name, "kind": user.organisation.kind,
            "org_active": user.organisation.active, "identifier": user.organisation.identifier,
            "scheme": user.organisation.identifier_scheme, "sme": user.organisation.sme,
            "vcse": user.organisation.vcse, "phone": user.organisation.contact_phone,
            "address": user.organisation.address}
        db.session.remove()
        return row


@pytest.fixture()
def moved(monkeypatch):
    class Clock:
        now = clock.utcnow()

    monkeypatch.setattr(clock, "utcnow", lambda: Clock.now)
    return Clock


def test_register_confirm_by_the_emailed_link_and_sign_in(site, smtp):
    client = site.test_client()
    page = client.get("/register").get_data(as_text=True)
    assert 'name="csrf_token"' in page and "Register your organisation as a supplier" in page
    resp = register(client)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(
        "/register/check-your-email")
    sent = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Check your email" in sent and EMAIL in sent
    row = user_row(site)
    assert row["active"] is False and row["pending"] and row["confirmed"] is None
    assert row["kind"] == "supplier" and row["org_active"] is False and row["roles"] == "supplier"
    assert (row["scheme"], row["identifier"], row["sme"], row["vcse"], row["phone"]) == (
        "GB-COH", "SC123456", True, False, "01632 960 001")
    # nothing is active until the link is followed
    assert sign_in(site.test_client(), EMAIL, PASSWORD_NEW).status_code == 200
    message = mail_to(smtp, EMAIL)
    assert message["Subject"] == "Confirm your email address to finish registering"
    assert message["From"] == "tender@example.test"
    path = link_path(message)
    assert path.startswith("/register/confirm/")
    confirmed = client.get(path)
    assert confirmed.status_code == 200
    assert "Your email address is confirmed" in confirmed.get_data(as_text=True)
    row = user_row(site)
    assert row["active"] and not row["pending"] and row["confirmed"] is not None
    assert row["org_active"]
    signed_in = site.test_client()
    resp = sign_in(signed_in, EMAIL, PASSWORD_NEW)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/supplier")
    home = signed_in.get("/supplier").get_data(as_text=True)
    assert "Brightside Care Ltd" in home and 'href="/supplier/users"' in home
    with site.app_context():
        actions = db.session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)).all()
        db.session.remove()
    assert actions == ["register", "register", "sign in failed", "confirm email", "sign in"]


def test_a_used_link_is_refused(site, smtp):
    client = site.test_client()
    register(client)
    path = link_path(mail_to(smtp, EMAIL))
    assert client.get(path).status_code == 200
    again = client.get(path)
    assert again.status_code == 410
    assert "This link has already been used" in again.get_data(as_text=True)
    assert user_row(site)["active"]


def test_a_link_expires_after_48_hours_by_the_servers_clock(site, smtp, moved):
    client = site.test_client()
    register(client)
    path = link_path(mail_to(smtp, EMAIL))
    start = moved.now
    moved.now = start + timedelta(hours=48, minutes=1)
    late = client.get(path)
    assert late.status_code == 410
    assert "This link has expired" in late.get_data(as_text=True)
    assert "Register again to get a new link" in late.get_data(as_text=True)
    assert user_row(site)["pending"] and not user_row(site)["active"]
    moved.now = start + timedelta(hours=47, minutes=59)  # the same link, in time: it works
    assert client.get(path).status_code == 200 and user_row(site)["active"]


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the signature changed
    lambda t: "eyJ1IjoxLCJmIjoieCJ9" + t[t.index("."):],  # the payload changed
    lambda t: "not-a-token",
])
def test_a_forged_link_is_refused(site, smtp, tamper):
    client = site.test_client()
    register(client)
    token = link_path(mail_to(smtp, EMAIL)).rsplit("/", 1)[1]
    resp = client.get(f"/register/confirm/{tamper(token)}")
    assert resp.status_code == 404 and "This link is not right" in resp.get_data(as_text=True)
    assert user_row(site)["pending"] and not user_row(site)["active"]


def test_a_link_signed_with_another_key_is_refused(site, smtp):
    from itsdangerous import URLSafeTimedSerializer

    client = site.test_client()
    register(client)
    with site.app_context():
        user_id = db.session.scalar(select(User.id))
        db.session.remove()
    forged = URLSafeTimedSerializer("another key", salt="tender-account-link-register").dumps(
        {"u": user_id, "f": "x"})
    assert client.get(f"/register/confirm/{forged}").status_code == 404
    assert not user_row(site)["active"]


def test_a_registration_link_does_not_open_an_invitation(site, smtp):
    client = site.test_client()
    register(client)
    token = link_path(mail_to(smtp, EMAIL)).rsplit("/", 1)[1]
    assert client.get(f"/invitation/{token}").status_code == 404
    assert not user_row(site)["active"]


def test_a_registered_email_makes_no_second_account_and_the_page_tells_nothing(site, smtp):
    with site.app_context():
        org = Organisation(name="Existing Supplier Ltd", kind="supplier")
        db.session.add(User(email=EMAIL, name="Sam", roles="supplier", organisation=org,
                            password_hash=_password_hash()))
        db.session.commit()
        db.session.remove()
    users, orgs = count(site, User), count(site, Organisation)
    client = site.test_client()
    resp = register(client, organisation_name="A New Name Ltd")
    assert resp.status_code == 303  # the same answer as for a new address
    assert EMAIL in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert (count(site, User), count(site, Organisation)) == (users, orgs)
    note = mail_to(smtp, EMAIL)
    assert note["Subject"] == "You already have an account in Tender"
    assert "/login" in link_path(note)
    assert user_row(site)["org"] == "Existing Supplier Ltd"


def test_registering_again_while_pending_sends_a_new_link_and_no_second_account(site, smtp):
    client = site.test_client()
    register(client)
    register(client, organisation_name="Brightside Two Ltd")
    assert count(site, User) == 1 and count(site, Organisation) == 1
    messages = smtp.wait_for(2)
    assert len(messages) == 2 and all("/register/confirm/" in link_path(m) for m in messages)
    assert client.get(link_path(messages[1])).status_code == 200
    assert user_row(site)["org"] == "Brightside Care Ltd"


def test_an_organisation_name_already_registered_is_refused(site, smtp):
    with site.app_context():
        db.session.add(Organisation(name="Brightside Care Ltd", kind="supplier"))
        db.session.commit()
        db.session.remove()
    resp = register(site.test_client(), organisation_name="  brightside  CARE ltd ")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "An organisation of this name is already registered" in page
    assert count(site, User) == 0 and count(site, Organisation) == 1 and smtp.messages == []


def test_an_unconfirmed_registration_is_forgotten_once_its_link_expired(site, smtp, moved):
    client = site.test_client()
    register(client)
    old = link_path(mail_to(smtp, EMAIL))
    moved.now += timedelta(hours=49)
    resp = register(client)  # the same name and email, by the real owner perhaps
    assert resp.status_code == 303 and count(site, User) == 1 and count(site, Organisation) == 1
    assert client.get(old).status_code in (404, 410)  # the first registration is gone
    new = link_path(smtp.wait_for(2)[-1])
    assert client.get(new).status_code == 200 and user_row(site)["active"]


@pytest.mark.parametrize("changes,message", [
    ({"identifier": "1234"}, "Enter a real Companies House number"),
    ({"identifier": "ABC12345"}, "Enter a real Companies House number"),
    ({"identifier": "SC12345X"}, "Enter a real Companies House number"),
    ({"identifier": ""}, "Enter your organisation&#39;s Companies House number"),
    ({"identifier_scheme": ""}, "Select the kind of identifier your organisation has"),
    ({"identifier_scheme": "GB-XYZ"}, "Select the kind of identifier your organisation has"),
    ({"organisation_name": ""}, "Enter your organisation&#39;s name"),
    ({"address": ""}, "Enter your organisation&#39;s registered address"),
    ({"contact_phone": "call me"}, "Enter a telephone number"),
    ({"sme": ""}, "Select yes if your organisation is an SME"),
    ({"vcse": "maybe"}, "Select yes if your organisation is a VCSE"),
    ({"email": "not-an-email"}, "Enter an email address in the correct format"),
    ({"password": "password1234", "confirm_password": "password1234"},
     "Password is too easy to guess"),
    ({"password": "short", "confirm_password": "short"}, "Password must be 12 characters"),
    ({"password": "sam@brightside.example", "confirm_password": "sam@brightside.example"},
     "Password must not be your email address or name"),
    ({"confirm_password": "lantern orchard pebbles"}, "The passwords do not match"),
])
def test_bad_input_is_refused_with_nothing_written(site, smtp, changes, message):
    resp = register(site.test_client(), **changes)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in page
    assert "There is a problem" in page and "govuk-error-summary" in page
    assert count(site, User) == 0 and count(site, Organisation) == 0 and smtp.messages == []


def test_the_form_is_refused_without_its_csrf_token(site, smtp):
    resp = site.test_client().post("/register", data=GOOD)
    assert resp.status_code == 400
    assert count(site, User) == 0 and count(site, Organisation) == 0 and smtp.messages == []


def test_a_mail_server_that_fails_leaves_nothing_written(site, smtp):
    from flask_mailman import Mail

    from tests.smtp_server import _free_port

    # nothing listens there: the registration must not half-happen (the fixture puts back
    # the mail settings)
    site.extensions["mailman"] = Mail.init_mail({**site.config, **smtp.config,
                                                 "MAIL_PORT": _free_port()}, True)
    resp = register(site.test_client())
    assert resp.status_code == 503 and "nothing was saved" in resp.get_data(as_text=True)
    assert count(site, User) == 0 and count(site, Organisation) == 0


def test_registration_is_throttled_by_address(site, smtp, monkeypatch):
    monkeypatch.setitem(site.config, "REGISTER_LIMIT_PER_ADDRESS", "2 per hour")
    client = site.test_client()
    assert register(client, identifier="1").status_code == 200  # refused input counts
    assert register(client, identifier="2").status_code == 200
    third = register(client)
    assert third.status_code == 429 and "Retry-After" in third.headers
    assert "Too many requests" in third.get_data(as_text=True)
    assert count(site, User) == 0 and smtp.messages == []


def test_following_links_is_throttled_by_address(site, smtp, monkeypatch):
    monkeypatch.setitem(site.config, "ACCOUNT_LINK_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    client = site.test_client()
    for n in range(3):
        assert client.get(f"/register/confirm/guess-{n}").status_code == 404
    assert client.get("/register/confirm/guess-4").status_code == 429
    assert client.post("/invitation/guess-5").status_code in (400, 429)


def test_signed_in_people_are_sent_to_their_start_page(site, smtp):
    with site.app_context():
        org = Organisation(name="Existing Supplier Ltd", kind="supplier")
        db.session.add(User(email="bids@existing.example", name="Bids", roles="supplier",
                            organisation=org, password_hash=_password_hash()))
        db.session.commit()
        db.session.remove()
    from tests.conftest import PASSWORD

    client = site.test_client()
    sign_in(client, "bids@existing.example", PASSWORD)
    resp = client.get("/register")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/supplier")


def test_the_sign_in_page_links_to_registration(site):
    page = site.test_client().get("/login").get_data(as_text=True)
    assert 'href="/register"' in page and "Register your organisation as a supplier" in page
