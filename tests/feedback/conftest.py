import pytest

from tests.support.mail import SmtpServer
from tests.support.servers import free_port

EDITORS_ADDRESS = "editors@whatworks.example"


@pytest.fixture
def mail_settings(settings):
    """Django's SMTP backend, as in production, pointed at a port of 127.0.0.1."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 5
    settings.FEEDBACK_EMAIL = EDITORS_ADDRESS
    return settings


@pytest.fixture
def smtp_server(mail_settings):
    """A real SMTP server listening where the settings send mail."""
    server = SmtpServer(mail_settings.EMAIL_PORT).start()
    yield server
    server.stop()
