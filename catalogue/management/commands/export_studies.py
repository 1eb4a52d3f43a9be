from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.models import Study
from catalogue.study_spreadsheet import export_lines


class Command(BaseCommand):
    help = (
        "Write every study and its findings as a CSV file, one row per finding, in the "
        "format import_studies reads; to standard output when no file is named."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?", help="Where to write the CSV file.")

    def handle(self, *args, file: Path | None, **options):
        lines = export_lines(Study.objects.all())
        if file is None:
            for chunk in lines:
                self.stdout.write(chunk, ending="")
            return
        try:
            with file.open("w", encoding="utf-8", newline="") as handle:
                handle.writelines(lines)
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.") from None
