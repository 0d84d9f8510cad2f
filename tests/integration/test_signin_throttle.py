"""The sign-in throttle, through HTTP and on the production storage (`tender-db://`, the
database: SQLite here, PostgreSQL with TEST_DATABASE_URL): per account and per address,
a clear 429 saying when to try again, the right password refused until the window has
passed, concurrent attempts counted exactly, and the same work and answer for an account
that does not exist."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import pytest
from limits.storage import storage_from_string
from sqlalchemy import func, select

import clock
from accounts.models import Organisation, ThrottleCounter, User
from accounts.throttle_storage import DatabaseStorage
from audit.models import AuditRecord
from extensions import db, limiter
from tests.conftest import PASSWORD, _empty_tables, _password_hash

OFFICER = "officer@example.org"
WRONG = "not the right password"


@pytest.fixture()
def site(_app):
    """No app context held between requests (each request its own, as in production)."""
    with _app.app_context():
        org = Organisation(name="Test Commissioner's Office", kind="buyer")
        db.session.add(org)
        for email in (OFFICER, "finance@example.org"):
            db.session.add(User(email=email, name="Someone", roles=email.split("@")[0],
                                organisation=org, password_hash=_password_hash()))
        db.session.commit()
        db.session.remove()
    yield _app
    with _app.app_context():
        _empty_tables()
        db.session.remove()


@pytest.fixture()
def moved_clock(monkeypatch):
    class Clock:
        now = datetime(2024, 5, 2, 13, 0)  # 14:00 in London (BST)

    monkeypatch.setattr(clock, "utcnow", lambda: Clock.now)
    return Clock


def token_of(client) -> str:
    html = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def attempt(client, email=OFFICER, password=WRONG):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token_of(client)})


def audit_actions(app, action):
    with app.app_context():
        try:
            return db.session.scalars(select(AuditRecord.actor).where(
                AuditRecord.action == action).order_by(AuditRecord.seq)).all()
        finally:
            db.session.remove()


def test_the_suite_runs_the_throttle_on_the_production_storage(site):
    assert site.config["RATELIMIT_STORAGE_URI"] == "tender-db://"
    assert isinstance(limiter.storage, DatabaseStorage)


def test_five_failures_lock_the_account_even_against_the_right_password(site, moved_clock):
    client = site.test_client()
    for _ in range(5):
        resp = attempt(client)
        assert resp.status_code == 200
        assert "The email address or password is not right" in resp.get_data(as_text=True)
    resp = attempt(client)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 429
    assert "Too many attempts to sign in" in html and "to this account" in html
    assert "You can try again at 2:15pm (in 15 minutes)" in html
    assert resp.headers["Retry-After"] == "900"
    assert attempt(client, password=PASSWORD).status_code == 429  # the right one: refused
    moved_clock.now += timedelta(minutes=10)
    resp = attempt(site.test_client(), password=PASSWORD)  # a new browser, same account
    assert resp.status_code == 429
    assert "(in 5 minutes)" in resp.get_data(as_text=True)
    moved_clock.now += timedelta(minutes=5)  # the window has passed
    assert attempt(client, password=PASSWORD).status_code == 302


def test_other_accounts_are_not_locked_by_one_account_s_failures(site):
    client = site.test_client()
    for _ in range(6):
        attempt(client)
    assert attempt(client, "finance@example.org", PASSWORD).status_code == 302


def test_an_unknown_account_is_throttled_exactly_like_a_real_one(site):
    client = site.test_client()
    answers = [attempt(client, "nobody@example.org").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert "to this account" in attempt(client, "nobody@example.org").get_data(as_text=True)


def test_the_email_is_one_account_whatever_its_case(site):
    client = site.test_client()
    for email in ("Officer@Example.org", "officer@EXAMPLE.org", "OFFICER@EXAMPLE.ORG",
                  "officer@example.org", "officer@example.ORG"):
        assert attempt(client, email).status_code == 200
    assert attempt(client, OFFICER, PASSWORD).status_code == 429


def test_twenty_failures_from_one_address_pause_it_for_every_account(site):
    here, elsewhere = site.test_client(), site.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "127.0.0.2"
    for i in range(20):  # a different account each time: no account's own limit is reached
        assert attempt(here, f"person{i}@example.org").status_code == 200
    resp = attempt(here, OFFICER, PASSWORD)
    assert resp.status_code == 429
    assert "from your network" in resp.get_data(as_text=True)
    assert attempt(elsewhere, OFFICER, PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count(site):
    for _ in range(8):
        assert attempt(site.test_client(), password=PASSWORD).status_code == 302
    client = site.test_client()
    for _ in range(4):
        attempt(client)
    assert attempt(client, password=PASSWORD).status_code == 302  # 4 failures, then in
    assert attempt(site.test_client()).status_code == 200  # the 5th failure
    assert attempt(site.test_client(), password=PASSWORD).status_code == 429


def test_a_form_that_never_reached_the_password_does_not_count(site):
    client = site.test_client()
    for _ in range(8):
        resp = client.post("/login", data={"email": OFFICER, "password": "",
                                           "csrf_token": token_of(client)})
        assert resp.status_code == 200 and "Enter your password" in resp.get_data(as_text=True)
    assert attempt(client, password=PASSWORD).status_code == 302


def test_the_first_refusal_of_a_window_is_audited_once(site):
    client = site.test_client()
    for _ in range(9):
        attempt(client)
    assert audit_actions(site, "sign in failed") == [OFFICER] * 5
    assert audit_actions(site, "sign in throttled") == [OFFICER]


def test_wrong_current_passwords_on_the_change_password_page_share_the_allowance(site):
    client = site.test_client()
    assert attempt(client, password=PASSWORD).status_code == 302
    for _ in range(2):
        attempt(site.test_client())  # two failures at the sign-in page
    for _ in range(3):  # three on the change-password page
        html = client.get("/account/password").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        resp = client.post("/account/password", data={
            "current_password": WRONG, "new_password": "plum tractor seaside",
            "confirm_password": "plum tractor seaside", "csrf_token": token})
        assert resp.status_code == 200
    resp = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "plum tractor seaside",
        "confirm_password": "plum tractor seaside", "csrf_token": token})
    assert resp.status_code == 429
    assert attempt(site.test_client(), password=PASSWORD).status_code == 429


def test_concurrent_attempts_are_counted_exactly(site):
    """Attempts sent at once (as from several workers) cannot all slip under the limit."""
    clients = [site.test_client() for _ in range(10)]
    tokens = [token_of(c) for c in clients]
    barrier, answers = threading.Barrier(len(clients)), []

    def go(client, token):
        barrier.wait()
        answers.append(client.post("/login", data={"email": OFFICER, "password": WRONG,
                                                   "csrf_token": token}).status_code)

    threads = [threading.Thread(target=go, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(answers) == [200] * 5 + [429] * 5
    assert audit_actions(site, "sign in failed") == [OFFICER] * 5


# ---- the same work and the same answer for an unknown account --------------------------

def test_an_unknown_email_and_a_wrong_password_get_the_same_answer_after_the_same_work(
        site, monkeypatch):
    import accounts.signin

    checked = []
    real = accounts.signin.check_password_hash

    def spy(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(accounts.signin, "check_password_hash", spy)
    answers = []
    for email in (OFFICER, "nobody@example.org"):
        client = site.test_client()
        resp = attempt(client, email)
        body = resp.get_data(as_text=True).replace(email, "EMAIL")
        answers.append((resp.status_code, re.sub(r'value="[^"]{40,}"', "TOKEN", body),
                        sorted(k for k in resp.headers.keys() if k != "Content-Length")))
    assert answers[0] == answers[1]
    assert len(checked) == 2  # a hash checked for the unknown email too
    assert checked[0] == _password_hash()
    assert checked[1] != checked[0] and checked[1].split("$")[0] == checked[0].split("$")[0]


# ---- the storage itself ----------------------------------------------------------------

def test_tender_db_is_a_registered_limits_storage(site):
    assert isinstance(storage_from_string("tender-db://"), DatabaseStorage)


def test_the_database_storage_counts_windows(site, moved_clock):
    storage = DatabaseStorage()
    with site.app_context():
        assert storage.check()
        assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get("k") == 3 and storage.get("other") == 0
        assert storage.get_expiry("k") == pytest.approx(
            (moved_clock.now - datetime(1970, 1, 1)).total_seconds() + 60)
        assert storage.incr("k", 60, amount=-1) == 2  # an attempt given back
        moved_clock.now += timedelta(seconds=59)
        assert storage.incr("k", 60) == 3  # the same window
        moved_clock.now += timedelta(seconds=1)
        assert storage.get("k") == 0  # the window has passed
        assert storage.incr("k", 60) == 1  # a new one starts
        assert storage.incr("k", 60, amount=-5) == 0  # never below nothing
        storage.incr("j", 60)
        storage.clear("k")
        assert storage.get("k") == 0 and storage.get("j") == 1
        assert storage.reset() == 1
        assert db.session.scalar(select(func.count()).select_from(ThrottleCounter)) == 0
        db.session.remove()


def test_windows_long_past_are_forgotten(site, moved_clock):
    storage = DatabaseStorage()
    with site.app_context():
        for i in range(5):
            storage.incr(f"old{i}", 60)
        moved_clock.now += timedelta(hours=2)
        storage.incr("new", 60)
        assert db.session.scalars(select(ThrottleCounter.bucket)).all() == ["new"]
        db.session.remove()


def test_concurrent_hits_from_many_connections_are_all_counted(site):
    storage, results = DatabaseStorage(), []
    barrier = threading.Barrier(8)

    def worker():
        with site.app_context():
            barrier.wait()
            for _ in range(10):
                results.append(storage.incr("shared", 600))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results) == list(range(1, 81))  # no two hits saw the same count
    with site.app_context():
        assert storage.get("shared") == 80
        db.session.remove()


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(site):
    from app import create_app

    proxied = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI":
                          site.config["SQLALCHEMY_DATABASE_URI"], "TRUSTED_PROXIES": 1,
                          "SIGNIN_LIMIT_PER_ADDRESS": "2 per 15 minutes"})
    try:
        one, two = proxied.test_client(), proxied.test_client()
        one.environ_base["HTTP_X_FORWARDED_FOR"] = "127.0.0.5"
        two.environ_base["HTTP_X_FORWARDED_FOR"] = "127.0.0.6"
        assert [attempt(one, f"p{i}@example.org").status_code for i in range(3)] == [
            200, 200, 429]
        assert attempt(two, OFFICER, PASSWORD).status_code == 302
    finally:
        with proxied.app_context():
            db.session.remove()
            db.engine.dispose()
