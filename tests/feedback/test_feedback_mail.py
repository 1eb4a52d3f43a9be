"""Mail that never loses a report, through a real SMTP server on 127.0.0.1: the editors
told and the reader acknowledged once the report is stored; with the server down the
report is kept and confirmed all the same, and `send_feedback_mail` sends it once the
server is back, once only. The tests run outside a transaction, as the site does, so that
mail waits for the report to be committed as it does in production."""

import io

import pytest
from django.core.management import call_command

from feedback.models import ReaderReport
from tests.support.mail import EDITORS_ADDRESS, SmtpServer
from tests.support.pages import main

pytestmark = pytest.mark.django_db(transaction=True)

READER = "parent@example.org"


def send(client, **fields):
    data = {
        "page": "/projects/",
        "doing": "Reading about a trial.",
        "wrong": "The completion date says 2019; it finished in 2021.",
        "email": READER,
        "website": "",
        **fields,
    }
    response = client.post("/feedback/", data)
    assert response.status_code == 302
    return response


def send_feedback_mail() -> str:
    out = io.StringIO()
    call_command("send_feedback_mail", stdout=out)
    return out.getvalue().strip()


def test_the_editors_are_told_and_the_reader_acknowledged(client, smtp_server, settings):
    settings.SITE_URL = "https://portal.example"
    send(client)
    report = ReaderReport.objects.get()
    (to_editors,) = smtp_server.mailbox.to(EDITORS_ADDRESS)
    body = to_editors.get_content()
    assert to_editors["Subject"] == "Problem with a page: /projects/"
    assert to_editors["Reply-To"] == READER
    assert "Page: https://portal.example/projects/" in body
    assert "The completion date says 2019; it finished in 2021." in body
    assert f"https://portal.example/admin/feedback/readerreport/{report.pk}/change/" in body
    (to_reader,) = smtp_server.mailbox.to(READER)
    # The reader's own words are not sent back: the form cannot relay a message.
    assert "2019" not in to_reader.get_content()
    assert "We have your message about https://portal.example/projects/" in " ".join(
        to_reader.get_content().split()
    )
    report.refresh_from_db()
    assert report.editors_mailed_at and report.reader_mailed_at
    assert send_feedback_mail() == "0 reports mailed, 0 still to send."
    assert len(smtp_server.mailbox.messages) == 2


def test_without_an_address_the_reader_gets_nothing(client, smtp_server):
    send(client, email="")
    assert [message["To"] for message in smtp_server.mailbox.messages] == [EDITORS_ADDRESS]
    assert "no address for a reply" in smtp_server.mailbox.messages[0].get_content()


def test_with_the_mail_server_down_nothing_is_lost_and_it_goes_once_it_is_back(
    client, mail_settings
):
    # Nothing listens on the settings' port yet.
    response = send(client)
    assert main(client.get(response["Location"])).find("h1").text == (
        "Thank you: your report has been sent"
    )
    report = ReaderReport.objects.get()
    assert report.wrong == "The completion date says 2019; it finished in 2021."
    assert (report.editors_mailed_at, report.reader_mailed_at) == (None, None)
    assert report.mail_attempts == 1
    assert send_feedback_mail() == "0 reports mailed, 1 still to send."

    server = SmtpServer(mail_settings.EMAIL_PORT).start()
    try:
        assert send_feedback_mail() == "1 report mailed, 0 still to send."
        assert send_feedback_mail() == "0 reports mailed, 0 still to send."
    finally:
        server.stop()
    assert sorted(message["To"] for message in server.mailbox.messages) == [
        EDITORS_ADDRESS,
        READER,
    ]
    report.refresh_from_db()
    assert report.editors_mailed_at and report.reader_mailed_at


def test_a_readers_address_the_server_refuses_is_given_up_but_the_editors_are_told(
    client, smtp_server, mail_settings
):
    # The server is down for the reader's acknowledgement alone: its attempts run out.
    refused = "nobody@invalid.example"

    async def refuse(server, session, envelope, address, rcpt_options):
        if address == refused:
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.mailbox.handle_RCPT = refuse
    send(client, email=refused)
    for _ in range(10):
        send_feedback_mail()
    report = ReaderReport.objects.get()
    assert report.editors_mailed_at is not None
    assert report.reader_mailed_at is None
    assert report.mail_attempts == 5
    assert [message["To"] for message in smtp_server.mailbox.messages] == [EDITORS_ADDRESS]
    assert send_feedback_mail() == "0 reports mailed, 0 still to send."


def test_with_no_editors_address_set_only_the_reader_is_acknowledged(client, smtp_server, settings):
    settings.FEEDBACK_EMAIL = ""
    send(client)
    assert [message["To"] for message in smtp_server.mailbox.messages] == [READER]
    assert send_feedback_mail() == "0 reports mailed, 0 still to send."


def test_a_suggestion_and_evidence_reach_the_editors_with_what_they_said(
    client, smtp_server, intervention_factory
):
    intervention_factory(name="Family Nurse Partnership", slug="fnp")
    # A line break sent in the name cannot break the subject's header.
    suggestion = {"programme": "Roots of\r\nEmpathy", "provider": "Roots of Empathy UK"}
    client.post("/interventions/suggest/", {**suggestion, "email": "", "website": ""})
    client.post(
        "/interventions/fnp/evidence/",
        {"link": "10.1000/xyz123", "why": "A UK trial.", "email": "", "website": ""},
    )
    first, second = smtp_server.mailbox.to(EDITORS_ADDRESS)
    assert first["Subject"] == "Suggested programme: Roots of Empathy"
    assert "Provider: Roots of Empathy UK" in first.get_content()
    assert second["Subject"] == "New evidence: Family Nurse Partnership"
    assert "Intervention: Family Nurse Partnership" in second.get_content()
    assert "DOI or link: https://doi.org/10.1000/xyz123" in second.get_content()
