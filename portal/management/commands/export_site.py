"""Write the whole catalogue to a directory: every record, its history and the editors
named in it as XML, and every document file any version of a record has held."""

import shutil
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from projects.models import Document

# What the catalogue is: the content, its history, the editors' accounts and groups the
# history names, and the admin's log of changes. Sessions and login attempts are not.
EXPORTED = ["auth.group", "auth.user", "admin.logentry", "ratings", "catalogue", "projects"]
# XML rather than JSON: Django's JSON cuts times to the millisecond; XML keeps them whole.
DATA_FILE = "catalogue.xml"
FILES_DIR = "files"


def document_names() -> list[str]:
    """The stored names of every document file, current or kept in the history."""
    names = set()
    for model in (Document, Document.history.model):
        names.update(name for name in model.objects.values_list("file", flat=True) if name)
    return sorted(names)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        if directory.exists() and any(directory.iterdir()):
            raise CommandError(f"{directory} is not empty: export to a new directory.")
        directory.mkdir(parents=True, exist_ok=True)
        call_command(
            "dumpdata",
            *EXPORTED,
            # Users, groups' permissions and content types by name; records keep their ids.
            natural_foreign=True,
            format="xml",
            indent=1,
            output=str(directory / DATA_FILE),
            verbosity=0,
        )
        names = document_names()
        missing = []
        for name in names:
            if not default_storage.exists(name):
                missing.append(name)
                continue
            target = directory / FILES_DIR / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name) as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy)
        for name in missing:
            self.stderr.write(f"Not found in storage, so not exported: {name}")
        self.stdout.write(
            f"Exported the catalogue to {directory}: {DATA_FILE} and "
            f"{len(names) - len(missing)} document files."
        )
