"""Mail goes through a real SMTP server when one is configured, and to the log when not."""
import logging

import pytest

from app import create_app
from mail import send
from tests.smtp_server import SMTPServer


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def test_a_message_reaches_the_smtp_server(tmp_path, smtp):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db",
                      **smtp.config})
    with app.app_context():
        send("supplier@example.test", "Confirm your email", "Open this link: https://x/y")
    (message,) = smtp.wait_for(1)
    assert message["To"] == "supplier@example.test"
    assert message["Subject"] == "Confirm your email"
    assert "https://x/y" in SMTPServer.body(message)


def test_without_a_server_the_message_is_logged(tmp_path, caplog, monkeypatch):
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db"})
    with app.app_context(), caplog.at_level(logging.WARNING):
        send(["a@example.test"], "Receipt", "sha256:abc")
    assert "Receipt" in caplog.text and "sha256:abc" in caplog.text
