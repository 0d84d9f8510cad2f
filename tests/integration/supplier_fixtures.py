"""Supplier accounts' tests: the app's mail going to a real local SMTP server, no app context
held between requests (each request its own, as in production), and helpers to register."""
from __future__ import annotations

import pytest

from extensions import db
from tests.conftest import _empty_tables, csrf_token
from tests.registration import GOOD, PASSWORD, details, link_path, mail_to_smtp  # noqa: F401
from tests.smtp_server import SMTPServer

PASSWORD_NEW = PASSWORD


@pytest.fixture()
def smtp(_app):
    """The suite's app sends its mail to a real SMTP server for this test."""
    with mail_to_smtp(_app) as server:
        yield server


@pytest.fixture()
def site(_app, smtp):
    yield _app
    with _app.app_context():
        _empty_tables()
        db.session.remove()


def register(client, **changes):
    token = csrf_token(client, "/register")
    return client.post("/register", data={**details(**changes), "csrf_token": token})


def mail_to(smtp: SMTPServer, address: str, count: int = 1):
    messages = [m for m in smtp.wait_for(count) if m["To"] == address]
    assert messages, f"no mail to {address}: {[m['To'] for m in smtp.messages]}"
    return messages[-1]


def sign_in(client, email: str, password: str):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token})
