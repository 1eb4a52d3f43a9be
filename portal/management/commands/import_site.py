"""Load a catalogue written by export_site into an empty site: every record, its
history and its document files. It refuses a site that already holds content, so that
nothing stored is overwritten, and loads all the records or none."""

from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalogue.models import Intervention
from core.cache import CacheUnavailable, announce_change
from projects.models import Organisation, Project

from .export_site import DATA_FILE, FILES_DIR


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        data = directory / DATA_FILE
        if not data.is_file():
            raise CommandError(f"{data} not found: is {directory} an export_site directory?")
        if any(model.objects.exists() for model in (Project, Intervention, Organisation)):
            raise CommandError(
                "This site already holds projects, interventions or organisations; "
                "import into an empty database (after migrate) so that nothing is overwritten."
            )
        files = sorted(path for path in (directory / FILES_DIR).rglob("*") if path.is_file())
        for path in files:
            name = path.relative_to(directory / FILES_DIR).as_posix()
            if default_storage.exists(name):
                continue
            with path.open("rb") as content:
                stored = default_storage.save(name, File(content))
            if stored != name:
                raise CommandError(f"{name} could not be stored under its own name.")
        try:
            with transaction.atomic():
                announce_change()
                call_command("loaddata", str(data), verbosity=0)
        except CacheUnavailable as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Imported the catalogue from {directory}: {Project.objects.count()} projects, "
            f"{Intervention.objects.count()} interventions, {len(files)} document files."
        )
