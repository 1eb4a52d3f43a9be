from django.core.management.base import BaseCommand

from portal.data_files import build_data_files


class Command(BaseCommand):
    help = (
        "Build the bulk downloads of /data/ for the content as it is now. The first "
        "request after a change starts a build in the background, serving the previous "
        "files meanwhile; run this after a deploy or a large import so that the files are "
        "current before anyone asks."
    )

    def handle(self, *args, **options):
        build = build_data_files()
        for built in build.files:
            self.stdout.write(f"{built.name}: {built.rows:,} rows, {built.size:,} bytes")
