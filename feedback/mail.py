"""The mail a reader's report sends: the editors told, and the reader, if they gave an
address, acknowledged. A report is stored before either is tried, and what did not go is
tried again by `send_feedback_mail` (run by cron), so a mail server that is down loses
nothing."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.addresses import absolute_url

from .models import READER_MAIL_ATTEMPTS, Kind, ReaderReport

logger = logging.getLogger(__name__)


def send_report_mail(report: ReaderReport) -> bool:
    """Send what report has not sent yet; whether all of it has now gone."""
    context = {
        "report": report,
        "page_url": absolute_url(report.page) if report.page else "",
        "inbox_url": absolute_url(reverse("admin:feedback_readerreport_change", args=[report.pk])),
    }
    failed = False
    if settings.FEEDBACK_EMAIL and report.editors_mailed_at is None:
        message = EmailMessage(
            subject=subject(report),
            body=render_to_string("feedback/mail/to_editors.txt", context),
            to=[settings.FEEDBACK_EMAIL],
            reply_to=[report.email] if report.email else None,
        )
        if deliver(message, report):
            report.editors_mailed_at = timezone.now()
        else:
            failed = True
    if (
        report.email
        and report.reader_mailed_at is None
        and report.mail_attempts < READER_MAIL_ATTEMPTS
    ):
        # The reader's own words are not repeated: the form must not become a way of
        # sending anyone a message of one's choosing.
        message = EmailMessage(
            subject="We have your message: What Works for Children and Families",
            body=render_to_string("feedback/mail/to_reader.txt", context),
            to=[report.email],
        )
        if deliver(message, report):
            report.reader_mailed_at = timezone.now()
        else:
            failed = True
    if failed:
        report.mail_attempts += 1
    report.save(update_fields=["editors_mailed_at", "reader_mailed_at", "mail_attempts"])
    return not failed


def subject(report: ReaderReport) -> str:
    """What the report is about, on one line (a header cannot hold a line break)."""
    if report.kind == Kind.SUGGESTION:
        about = report.programme
    elif report.kind == Kind.EVIDENCE:
        about = report.intervention.name if report.intervention else report.page
    else:
        about = report.page or "no page given"
    return " ".join(f"{report.get_kind_display()}: {about}".split())[:150]


def deliver(message: EmailMessage, report: ReaderReport) -> bool:
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning(
            "Mail about reader's report %s not sent, to be retried: %s", report.pk, error
        )
        return False
    return True


def send_due_mail() -> tuple[int, int]:
    """Try every report's mail that has not gone; how many went, and how many are left."""
    sent = left = 0
    for report in ReaderReport.objects.mail_due(editors=bool(settings.FEEDBACK_EMAIL)):
        if send_report_mail(report):
            sent += 1
        else:
            left += 1
    return sent, left
