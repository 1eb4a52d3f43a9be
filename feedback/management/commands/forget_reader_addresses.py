from django.conf import settings
from django.core.management.base import BaseCommand

from feedback.models import ReaderReport


class Command(BaseCommand):
    help = (
        "Remove readers' e-mail addresses from reports older than the retention period "
        "(DJANGO_READER_ADDRESS_RETENTION_DAYS): run by cron once a day."
    )

    def handle(self, *args, **options):
        days = settings.READER_ADDRESS_RETENTION_DAYS
        forgotten = ReaderReport.objects.with_address_kept_past(days).update(email="")
        self.stdout.write(
            f"{forgotten} address{'es' if forgotten != 1 else ''} removed from reports "
            f"older than {days} days."
        )
