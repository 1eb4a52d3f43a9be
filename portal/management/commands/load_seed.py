"""Load the seed content (fixtures/seed.json) into a site that does not have it yet.

`loaddata seed` writes every seed record again, undoing what editors have changed since;
this loads it once, so that `make run` can be run again and again."""

import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from projects.models import Project

SEED = settings.BASE_DIR / "fixtures" / "seed.json"


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        slugs = [
            record["fields"]["slug"]
            for record in json.loads(SEED.read_text())
            if record["model"] == "projects.project"
        ]
        if Project.objects.filter(slug__in=slugs).exists():
            self.stdout.write("The seed content is loaded already; left as editors keep it.")
            return
        call_command("loaddata", "seed", verbosity=options["verbosity"])
