from django.core.management.base import BaseCommand

from feedback.mail import send_due_mail


class Command(BaseCommand):
    help = (
        "Send the mail of readers' reports that did not go when they were sent (the mail "
        "server was down): run by cron every few minutes."
    )

    def handle(self, *args, **options):
        sent, left = send_due_mail()
        self.stdout.write(f"{sent} report{'s' if sent != 1 else ''} mailed, {left} still to send.")
