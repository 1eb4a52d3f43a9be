"""A real SMTP server on 127.0.0.1 for the tests of readers' mail (aiosmtpd), started and
stopped by the test, so that mail goes through Django's SMTP backend as in production."""

import email
import email.policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

# Where readers' messages are mailed in the tests (DJANGO_FEEDBACK_EMAIL).
EDITORS_ADDRESS = "editors@whatworks.example"


class Mailbox:
    """What the server received, each message parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address in message["To"]]


class SmtpServer:
    def __init__(self, port: int):
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
