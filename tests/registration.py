"""Registering a supplier, for the integration and the browser tests alike: the register
form's details by field name, the app's mail sent to a real SMTP server, and the path of the
link a message carries."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Flask
from flask_mailman import Mail

from tests.smtp_server import SMTPServer

PASSWORD = "lantern orchard pebble"
GOOD = {
    "organisation_name": "Brightside Care Ltd", "identifier_scheme": "GB-COH",
    "identifier": "sc123456", "address": "1 High Street\nStafford\nST16 2AA",
    "contact_name": "Sam Patel", "contact_phone": "01632 960 001", "sme": "yes", "vcse": "no",
    "name": "Sam Patel", "email": "Sam@Brightside.example", "password": PASSWORD,
    "confirm_password": PASSWORD,
}


def details(**changes: str) -> dict[str, str]:
    """A registration every check accepts (GOOD), with these fields changed."""
    return {**GOOD, **changes}


@contextmanager
def mail_to_smtp(app: Flask) -> Iterator[SMTPServer]:
    """The app's mail goes to a real SMTP server while this lasts (Flask-Mailman's settings
    are read once, at init: they are swapped here and put back after)."""
    server = SMTPServer().start()
    saved = app.extensions["mailman"], app.config["MAIL_DEFAULT_SENDER"]
    app.extensions["mailman"] = Mail.init_mail({**app.config, **server.config}, app.testing)
    app.config["MAIL_DEFAULT_SENDER"] = server.config["MAIL_DEFAULT_SENDER"]
    try:
        yield server
    finally:
        app.extensions["mailman"], app.config["MAIL_DEFAULT_SENDER"] = saved
        server.stop()


def link_path(message) -> str:
    """The path of the one link in a message (the link itself names the public address)."""
    (url,) = re.findall(r"https?://\S+", SMTPServer.body(message))
    return urlsplit(url).path
