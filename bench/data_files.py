"""Build every bulk file of /data/ for the current database, as `build_data_files` does,
and print how many rows each held and how long the build took; run under
/usr/bin/time -v for the peak memory."""

import os
import sys
import tempfile
import time
from pathlib import Path

import django

# Run as a script from bench/: the project is the folder above.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402

from portal.data_files import build_data_files  # noqa: E402

with tempfile.TemporaryDirectory(prefix="portal-data-files-") as root:
    # A directory of its own: the site's files, if any, are neither read nor replaced.
    settings.DATA_FILES_ROOT = root
    started = time.monotonic()
    build = build_data_files()
    seconds = time.monotonic() - started
    for built in build.files:
        print(f"{built.name}: {built.rows:,} rows, {built.size:,} bytes")
    print(f"built in {seconds:.1f}s")
