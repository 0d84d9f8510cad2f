"""A real SMTP server on a free local port (aiosmtpd), keeping what it receives, for tests
that read the mail the app sends."""
from __future__ import annotations

import email
import socket
import threading
import time
from email.message import Message

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self):
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    def __init__(self):
        self.handler = _Keep()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def config(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_BACKEND": "smtp",
                "MAIL_USE_TLS": False, "MAIL_DEFAULT_SENDER": "tender@example.test"}

    @property
    def messages(self) -> list[Message]:
        with self.handler.lock:
            return list(self.handler.messages)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        """The messages, once at least `count` have arrived (mail is sent synchronously, so
        this rarely waits)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.02)
        return self.messages

    @staticmethod
    def body(message: Message) -> str:
        if message.is_multipart():
            message = message.get_payload(0)
        return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
