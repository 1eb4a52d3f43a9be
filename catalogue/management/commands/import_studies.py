from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.services import import_studies
from core.cache import CacheUnavailable


class Command(BaseCommand):
    help = (
        "Create or update studies and their findings from a UTF-8 CSV file, one row per "
        "finding, by intervention slug and study number. A file with any bad row is rejected "
        "whole, with every error listed; nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file, in export_studies' format.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, writing nothing."
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            result = import_studies(data=data, dry_run=dry_run)
        except CacheUnavailable as error:
            raise CommandError(error.message) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(
                f"{file.name} was not imported: {len(result.errors)} error"
                f"{'s' if len(result.errors) != 1 else ''}. Nothing was written."
            )
        created = len(result.created)
        self.stdout.write(
            f"{'Would create' if dry_run else 'Created'} {created} stud"
            f"{'y' if created == 1 else 'ies'}, {'would update' if dry_run else 'updated'} "
            f"{len(result.updated)}, left {result.unchanged} unchanged."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
