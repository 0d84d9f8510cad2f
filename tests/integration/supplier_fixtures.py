"""Supplier accounts' tests: the app's mail going to a real local SMTP server, no app context
held between requests (each request its own, as in production), and helpers to register."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask_mailman import Mail

from extensions import db
from tests.conftest import _empty_tables, csrf_token
from tests.smtp_server import SMTPServer

PASSWORD_NEW = "lantern orchard pebble"
GOOD = {
    "organisation_name": "Brightside Care Ltd", "identifier_scheme": "GB-COH",
    "identifier": "sc123456", "address": "1 High Street\nStafford\nST16 2AA",
    "contact_name": "Sam Patel", "contact_phone": "01632 960 001", "sme": "yes", "vcse": "no",
    "name": "Sam Patel", "email": "Sam@Brightside.example", "password": PASSWORD_NEW,
    "confirm_password": PASSWORD_NEW,
}


@pytest.fixture()
def smtp(_app):
    """The suite's app sends its mail to a real SMTP server for this test (Flask-Mailman's
    settings are read once, at init: they are swapped here and put back after)."""
    server = SMTPServer().start()
    saved = _app.extensions["mailman"], _app.config["MAIL_DEFAULT_SENDER"]
    _app.extensions["mailman"] = Mail.init_mail({**_app.config, **server.config}, _app.testing)
    _app.config["MAIL_DEFAULT_SENDER"] = server.config["MAIL_DEFAULT_SENDER"]
    try:
        yield server
    finally:
        _app.extensions["mailman"], _app.config["MAIL_DEFAULT_SENDER"] = saved
        server.stop()


@pytest.fixture()
def site(_app, smtp):
    yield _app
    with _app.app_context():
        _empty_tables()
        db.session.remove()


def register(client, **changes):
    token = csrf_token(client, "/register")
    return client.post("/register", data={**GOOD, **changes, "csrf_token": token})


def link_path(message) -> str:
    """The path of the one link in a message (the link itself names the public address)."""
    (url,) = re.findall(r"https?://\S+", SMTPServer.body(message))
    return urlsplit(url).path


def mail_to(smtp: SMTPServer, address: str, count: int = 1):
    messages = [m for m in smtp.wait_for(count) if m["To"] == address]
    assert messages, f"no mail to {address}: {[m['To'] for m in smtp.messages]}"
    return messages[-1]


def sign_in(client, email: str, password: str):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token})
