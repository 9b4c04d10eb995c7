"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests that send email over the network.

    def test_something(smtp_server, settings):
        settings.MAILERS = smtp_server.mailers()
        ...
        assert smtp_server.messages[0]["To"] == "someone@example.org"

pytest-django points every mailer at the memory backend; a test that wants the real
thing overrides MAILERS with the `settings` fixture, as above.
"""

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Every message any server received, for tests/privacy_guard.py (which reads and clears
# what arrived during each test).
RECEIVED: list[EmailMessage] = []


class _Collector:
    def __init__(self, messages: list[EmailMessage], server: "SMTPServer") -> None:
        self.messages = messages
        self.server = server
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.server.refusing:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
            RECEIVED.append(message)
        return "250 Message accepted for delivery"


class SMTPServer:
    """An SMTP server on a fixed port that can be stopped and started again (an outage),
    or that refuses every recipient while `refusing` is true (a mail server that answers
    550, as for a mailbox that does not exist)."""

    def __init__(self, port: int | None = None, refusing: bool = False) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.refusing = refusing
        self._controller: Controller | None = None

    def start(self) -> None:
        assert self._controller is None, "already running"
        # A Controller cannot be restarted (its event loop closes), so make a new one.
        self._controller = Controller(
            _Collector(self.messages, self), hostname=self.host, port=self.port, ready_timeout=5
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def mailers(self) -> dict[str, dict[str, Any]]:
        """A MAILERS setting that sends through this server."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": self.host, "port": self.port, "timeout": 5},
            }
        }

    @staticmethod
    def text(message: EmailMessage) -> str:
        """The plain-text body of a message."""
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, "the email has no plain-text part"
        return str(part.get_content())


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A running SMTP server collecting every message it receives in `.messages`."""
    server = SMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
