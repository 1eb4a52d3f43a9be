from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.services import import_interventions
from core.cache import CacheUnavailable


class Command(BaseCommand):
    help = (
        "Create or update interventions by slug from a UTF-8 CSV file. A file with any bad "
        "row is rejected whole, with every error listed; nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="The CSV file, in the guidebook's export format."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, writing nothing."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish new interventions at once."
        )

    def handle(self, *args, file: Path, dry_run: bool, publish: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None

        def progress(done: int, total: int) -> None:
            if total >= 1000 and (done % 1000 == 0 or done == total):
                self.stderr.write(f"\rChecked {done:,} of {total:,} rows", ending="")
                if done == total:
                    self.stderr.write("")

        try:
            result = import_interventions(
                data=data, dry_run=dry_run, publish=publish, progress=progress
            )
        except CacheUnavailable as error:
            raise CommandError(error.message) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(
                f"{file.name} was not imported: {len(result.errors)} error"
                f"{'s' if len(result.errors) != 1 else ''}. Nothing was written."
            )
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(
            f"{verb} {len(result.created)}, "
            f"{'would update' if dry_run else 'updated'} {len(result.updated)}, "
            f"left {result.unchanged} unchanged."
        )
        if result.unpublished:
            self.stdout.write(
                f"{'Would leave' if dry_run else 'Left'} {len(result.unpublished)} new "
                "intervention(s) unpublished:"
            )
            for problem in result.unpublished:
                self.stdout.write(f"  {problem}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
