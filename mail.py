"""Sending mail: one function over Flask-Mailman, configured by the environment.

With `MAIL_SERVER` set, mail goes to that SMTP server (`MAIL_PORT`, `MAIL_USERNAME`,
`MAIL_PASSWORD`, `MAIL_USE_TLS`, `MAIL_DEFAULT_SENDER`). Without it (development), each
message is written to the application log instead, so a developer can follow an emailed link.
The tests run a real local SMTP server (aiosmtpd) and read what arrives.
"""
from __future__ import annotations

import os

from flask import current_app
from flask_mailman import EmailMessage, Mail
from flask_mailman.backends.base import BaseEmailBackend

mailer = Mail()


def settings() -> dict:
    server = os.environ.get("MAIL_SERVER", "")
    return {
        "MAIL_SERVER": server or "localhost",
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25") or 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "") in ("1", "true", "yes"),
        "MAIL_TIMEOUT": 10,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "tender@localhost"),
        # No server configured: the log backend below, never a silent loss.
        "MAIL_BACKEND": "smtp" if server else "mail.EmailBackend",
    }


class EmailBackend(BaseEmailBackend):
    """The development backend: each message written to the application log.

    (Flask-Mailman finds a backend named `module.EmailBackend`, hence the name.)"""

    def send_messages(self, messages) -> int:
        for message in messages:
            current_app.logger.warning("Mail (no MAIL_SERVER set, so written here):\n%s",
                                       message.message().as_string())
        return len(messages)


def send(to: list[str] | str, subject: str, body: str) -> None:
    """Send one plain-text message now (raises when the SMTP server refuses)."""
    recipients = [to] if isinstance(to, str) else list(to)
    EmailMessage(subject=subject, body=body, to=recipients,
                 from_email=current_app.config["MAIL_DEFAULT_SENDER"]).send()


def register(app) -> None:
    for key, value in settings().items():
        app.config.setdefault(key, value)
    mailer.init_app(app)
