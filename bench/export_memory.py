"""Stream the whole guidebook as CSV through the site, as a visitor's download would,
and print how many rows it held; run under /usr/bin/time -v for the peak memory."""

import os
import sys
from pathlib import Path

import django

# Run as a script from bench/: the project is the folder above.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.test import Client  # noqa: E402

response = Client().get(
    "/interventions/?format=csv&evidence=2&evidence=2%2B&evidence=3&evidence=3%2B"
    "&evidence=4&evidence=4%2B&evidence=nl2&evidence=ne",
    HTTP_HOST="localhost",
)
lines = 0
for chunk in response.streaming_content:
    lines += chunk.count(b"\n")
print(f"{lines - 1:,}")
