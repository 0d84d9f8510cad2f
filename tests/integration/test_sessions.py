"""Revocable sessions, through HTTP: a session cookie copied before sign-out, a password
change, "sign out everywhere", deactivation or a role change no longer lets anyone in; idle
and absolute timeouts (the clock moved); the change-password page; sign-in and sign-out in
the audit.

No app context is held open between requests here (unlike the `app` fixture), so each
request loads its user afresh, as each request does in production.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

import clock
from accounts.models import Organisation, Setting, User, UserSession
from audit.models import AuditRecord
from extensions import db
from tests.conftest import PASSWORD, _empty_tables, _password_hash

OFFICER = "officer@example.org"
EVALUATOR = "evaluator@example.org"
NEW_PASSWORD = "plum tractor seaside lantern"
PROTECTED = "/procurements"  # any page that needs a signed-in officer


@pytest.fixture()
def site(_app):
    with _app.app_context():
        org = Organisation(name="Test Commissioner's Office", kind="buyer")
        db.session.add(org)
        for email, roles in ((OFFICER, "officer"), (EVALUATOR, "evaluator")):
            db.session.add(User(email=email, name=roles.title(), roles=roles, organisation=org,
                                password_hash=_password_hash()))
        db.session.commit()
        db.session.remove()
    yield _app
    with _app.app_context():
        _empty_tables()
        db.session.remove()


@pytest.fixture()
def moved_clock(monkeypatch):
    """clock.utcnow, moved by hand: `moved_clock.now += timedelta(...)`."""
    class Clock:
        now = datetime(2024, 5, 2, 9, 0)

    monkeypatch.setattr(clock, "utcnow", lambda: Clock.now)
    return Clock


def token_of(client, path: str) -> str:
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(app, email=OFFICER, password=PASSWORD, client=None):
    client = client or app.test_client()
    resp = client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token_of(client, "/login")})
    assert resp.status_code == 302, f"sign-in as {email} failed: {resp.status_code}"
    return client


def post(client, path, data=None, token_from="/account/password"):
    return client.post(path, data={**(data or {}), "csrf_token": token_of(client, token_from)})


def cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, value: str):
    """A stranger's browser holding a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def sent_to_sign_in(resp) -> bool:
    return resp.status_code == 302 and "/login" in resp.headers["Location"]


def with_db(app, fn):
    with app.app_context():
        try:
            result = fn()
            db.session.commit()
            return result
        finally:
            db.session.remove()


def audit(app, action=None):
    def rows():
        q = select(AuditRecord).where(AuditRecord.entity == "user").order_by(AuditRecord.seq)
        if action:
            q = q.where(AuditRecord.action == action)
        return [(r.actor, r.entity_id, r.action, r.before, r.after)
                for r in db.session.scalars(q)]
    return with_db(app, rows)


def set_user(app, email, **values):
    def change():
        user = db.session.scalar(select(User).where(User.email == email))
        for k, v in values.items():
            setattr(user, k, v)
    with_db(app, change)


# ---- a copied cookie after sign-out and friends ------------------------------------------

def test_a_cookie_copied_before_sign_out_is_refused_after_it(site):
    browser = sign_in(site)
    copied = cookie(browser)
    assert replay(site, copied).get(PROTECTED).status_code == 200  # the copy works, so far
    assert post(browser, "/logout", token_from=PROTECTED).status_code == 302
    assert sent_to_sign_in(browser.get(PROTECTED))
    assert sent_to_sign_in(replay(site, copied).get(PROTECTED))


def test_signing_out_ends_only_that_browser(site):
    laptop, phone = sign_in(site), sign_in(site)
    post(laptop, "/logout", token_from=PROTECTED)
    assert phone.get(PROTECTED).status_code == 200


def test_a_password_change_elsewhere_ends_every_other_session(site):
    laptop, phone = sign_in(site), sign_in(site)
    copied = cookie(laptop)
    other_person = sign_in(site, EVALUATOR)
    resp = post(phone, "/account/password", {"current_password": PASSWORD,
                                              "new_password": NEW_PASSWORD,
                                              "confirm_password": NEW_PASSWORD})
    assert resp.status_code == 302
    assert sent_to_sign_in(replay(site, copied).get(PROTECTED))
    assert sent_to_sign_in(laptop.get(PROTECTED))
    assert phone.get(PROTECTED).status_code == 200  # the browser that changed it goes on
    assert other_person.get("/evaluation/mine").status_code == 200  # nobody else's ends


def test_sign_out_everywhere_ends_every_session_this_one_too(site):
    laptop, phone = sign_in(site), sign_in(site)
    copied = cookie(laptop)
    resp = post(phone, "/account/sign-out-everywhere")
    assert sent_to_sign_in(resp)
    for client in (laptop, phone, replay(site, copied)):
        assert sent_to_sign_in(client.get(PROTECTED))
    page = phone.get("/login").get_data(as_text=True)
    assert "You have signed out everywhere" in page
    with site.app_context():
        assert db.session.scalar(select(UserSession).join(User).where(
            User.email == OFFICER)) is None
        db.session.remove()
    sign_in(site)  # and signing in again works


@pytest.mark.parametrize("change", [{"active": False}, {"roles": "officer,finance"},
                                    {"roles": "finance"}, {"password_hash": "x"}])
def test_deactivation_a_role_change_or_a_new_password_ends_sessions(site, change):
    browser = sign_in(site)
    copied = cookie(browser)
    other_person = sign_in(site, EVALUATOR)
    set_user(site, OFFICER, **change)
    assert sent_to_sign_in(browser.get(PROTECTED))
    assert sent_to_sign_in(replay(site, copied).get(PROTECTED))
    assert other_person.get("/evaluation/mine").status_code == 200


def test_a_change_to_the_name_does_not_sign_anyone_out(site):
    browser = sign_in(site)
    set_user(site, OFFICER, name="Renamed Officer")
    assert browser.get(PROTECTED).status_code == 200


def test_a_forged_or_old_style_cookie_is_not_a_session(site):
    """A cookie naming a user but no live session (as before this change) is signed out."""
    browser = sign_in(site)
    with site.app_context():
        db.session.execute(UserSession.__table__.delete())
        db.session.commit()
        db.session.remove()
    resp = browser.get(PROTECTED)
    assert sent_to_sign_in(resp)
    assert "You have been signed out" in browser.get(resp.headers["Location"]).get_data(
        as_text=True)


# ---- timeouts ------------------------------------------------------------------------------

def test_idle_for_30_minutes_signs_you_out_activity_keeps_you_in(site, moved_clock):
    browser = sign_in(site)
    for _ in range(3):  # a request every 29 minutes keeps the session going
        moved_clock.now += timedelta(minutes=29)
        assert browser.get(PROTECTED).status_code == 200
    copied = cookie(browser)
    moved_clock.now += timedelta(minutes=30)
    resp = browser.get(PROTECTED)
    assert sent_to_sign_in(resp)
    page = browser.get(resp.headers["Location"]).get_data(as_text=True)
    assert "you did nothing for 30 minutes" in page
    assert sent_to_sign_in(replay(site, copied).get(PROTECTED))


def test_the_idle_timeout_is_a_setting(site, moved_clock):
    with_db(site, lambda: db.session.add(Setting(key="session_idle_minutes", value="5")))
    browser = sign_in(site)
    moved_clock.now += timedelta(minutes=4)
    assert browser.get(PROTECTED).status_code == 200
    moved_clock.now += timedelta(minutes=5)
    assert sent_to_sign_in(browser.get(PROTECTED))


def test_twelve_hours_after_sign_in_you_are_signed_out_however_active(site, moved_clock):
    browser = sign_in(site)
    signed_in_at = moved_clock.now
    while moved_clock.now < signed_in_at + timedelta(hours=11, minutes=40):
        moved_clock.now += timedelta(minutes=25)
        assert browser.get(PROTECTED).status_code == 200
    moved_clock.now = signed_in_at + timedelta(hours=12)
    resp = browser.get(PROTECTED)
    assert sent_to_sign_in(resp)
    assert "you signed in more than 12 hours ago" in browser.get(
        resp.headers["Location"]).get_data(as_text=True)


def test_the_absolute_timeout_is_a_setting(site, moved_clock):
    with_db(site, lambda: db.session.add(Setting(key="session_absolute_hours", value="1")))
    browser = sign_in(site)
    for minutes in (20, 20, 19):
        moved_clock.now += timedelta(minutes=minutes)
        assert browser.get(PROTECTED).status_code == 200
    moved_clock.now += timedelta(minutes=1)
    assert sent_to_sign_in(browser.get(PROTECTED))


# ---- the change-password page --------------------------------------------------------------

def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post(client, "/account/password", {
        "current_password": current, "new_password": new,
        "confirm_password": new if confirm is None else confirm})


def password_works(app, password) -> bool:
    client = app.test_client()
    resp = client.post("/login", data={"email": OFFICER, "password": password,
                                       "csrf_token": token_of(client, "/login")})
    return resp.status_code == 302


def test_the_change_password_page_is_a_govuk_form_with_csrf(site):
    browser = sign_in(site)
    html = browser.get("/account/password").get_data(as_text=True)
    assert "Change your password" in html and 'name="csrf_token"' in html
    for name, autocomplete in (("current_password", "current-password"),
                               ("new_password", "new-password"),
                               ("confirm_password", "new-password")):
        assert re.search(rf'<input[^>]*autocomplete="{autocomplete}"[^>]*name="{name}"', html) \
            or re.search(rf'<input[^>]*name="{name}"[^>]*autocomplete="{autocomplete}"', html)
    assert "12 characters or more" in html and "Sign out everywhere" in html
    assert 'href="/account/password"' in browser.get(PROTECTED).get_data(as_text=True)


def test_changing_the_password(site):
    browser = sign_in(site)
    resp = change(browser)
    assert resp.status_code == 302
    assert "Your password has been changed" in browser.get(
        resp.headers["Location"]).get_data(as_text=True)
    assert not password_works(site, PASSWORD)
    assert password_works(site, NEW_PASSWORD)
    (actor, entity_id, action, before, after), = audit(site, "change password")
    assert (actor, entity_id, before) == (OFFICER, OFFICER, None)
    assert after == {"sessions_ended": 1}


@pytest.mark.parametrize("current,new,confirm,message", [
    ("wrong password here", NEW_PASSWORD, None, "Your current password is not right"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "The passwords do not match"),
    (PASSWORD, "too short", None, "Password must be 12 characters or more"),
    (PASSWORD, "qwerty123456", None, "one of the most common passwords"),
    (PASSWORD, "password12345678", None, "one of the most common passwords"),
    (PASSWORD, "officer@example.org", None, "must not be your email address or name"),
    (PASSWORD, PASSWORD, None, "must be different from your current password"),
    ("", NEW_PASSWORD, None, "Enter your current password"),
    (PASSWORD, "", "", "Enter a new password"),
])
def test_a_refused_password_change_says_why_and_changes_nothing(site, current, new, confirm,
                                                                message):
    browser = sign_in(site)
    copied = cookie(browser)
    resp = change(browser, current, new, confirm)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in html and "There is a problem" in html
    assert password_works(site, PASSWORD)
    assert replay(site, copied).get(PROTECTED).status_code == 200  # nothing ended
    assert audit(site, "change password") == []


def test_a_wrong_current_password_is_audited(site):
    browser = sign_in(site)
    change(browser, current="wrong password here")
    (actor, _, _, _, after), = audit(site, "change password refused")
    assert actor == OFFICER and after["reason"] == "wrong current password"
    assert "wrong password here" not in json.dumps(after)


def test_changing_the_password_needs_the_csrf_token(site):
    browser = sign_in(site)
    resp = browser.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert resp.status_code == 400
    assert browser.post("/account/sign-out-everywhere").status_code == 400
    assert password_works(site, PASSWORD) and browser.get(PROTECTED).status_code == 200


def test_signed_out_people_cannot_change_a_password(site):
    anonymous = site.test_client()
    assert sent_to_sign_in(anonymous.get("/account/password"))
    resp = anonymous.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD, "csrf_token": token_of(anonymous, "/login")})
    assert sent_to_sign_in(resp)
    assert password_works(site, PASSWORD)


# ---- sign-in, sign-out and failures in the audit -------------------------------------------

def test_signing_in_and_out_is_audited(site):
    browser = sign_in(site)
    post(browser, "/logout", token_from=PROTECTED)
    rows = audit(site)
    assert [(r[0], r[1], r[2]) for r in rows] == [(OFFICER, OFFICER, "sign in"),
                                                  (OFFICER, OFFICER, "sign out")]
    assert rows[0][4] == {"address": "127.0.0.1"}


@pytest.mark.parametrize("email,password,reason", [
    (OFFICER, "not the right password", "wrong password"),
    ("nobody@example.org", "not the right password", "no such account"),
])
def test_a_failed_sign_in_is_audited_with_the_email_tried_never_the_password(
        site, email, password, reason):
    client = site.test_client()
    client.post("/login", data={"email": email.upper(), "password": password,
                                "csrf_token": token_of(client, "/login")})
    (actor, entity_id, action, before, after), = audit(site)
    assert (actor, entity_id, action, before) == (email, email, "sign in failed", None)
    assert after == {"reason": reason, "address": "127.0.0.1"}
    assert password not in json.dumps(after)


def test_a_deactivated_account_with_the_right_password_is_refused_and_audited(site):
    set_user(site, OFFICER, active=False)
    client = site.test_client()
    resp = client.post("/login", data={"email": OFFICER, "password": PASSWORD,
                                       "csrf_token": token_of(client, "/login")})
    assert resp.status_code == 200
    assert "The email address or password is not right" in resp.get_data(as_text=True)
    (_, _, action, _, after), = audit(site)
    assert action == "sign in failed" and after["reason"] == "account not active"
