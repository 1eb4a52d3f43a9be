from django.core.management.base import BaseCommand

from portal.data_files import build_data_files


class Command(BaseCommand):
    help = (
        "Build the bulk downloads of /data/ for the content as it is now. The first "
        "request after a change builds them too; this builds them ahead of it."
    )

    def handle(self, *args, **options):
        build = build_data_files()
        for built in build.files:
            self.stdout.write(f"{built.name}: {built.rows:,} rows, {built.size:,} bytes")
