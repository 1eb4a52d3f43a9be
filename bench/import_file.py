"""Write a CSV of 10,000 new interventions, in the guidebook's export format, to import."""

import csv
import os
import random
import sys
from pathlib import Path

import django

# Run as a script from bench/: the project is the folder above.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from catalogue.spreadsheet import COLUMNS  # noqa: E402

OUTCOMES = [
    "supporting-childrens-mental-health-and-wellbeing",
    "preventing-child-maltreatment",
    "enhancing-school-achievement-and-employment",
    "preventing-crime-violence-and-antisocial-behaviour",
]
generator = random.Random(7)
with open(sys.argv[1], "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    for number in range(10_000):
        row = {
            "name": f"Imported programme {number}",
            "slug": f"imported-programme-{number}",
            "summary": "A programme loaded from a spreadsheet.",
            "evidence_rating": generator.choice(["2", "2+", "3", "3+", "4", "4+", ""]),
            "mixed_findings": "false",
            "cost_rating": generator.choice(["1", "2", "3", "4", "5", "NA", ""]),
            "outcomes": ";".join(generator.sample(OUTCOMES, 2)),
            "provider": "Example provider",
            "website": "",
            "age_groups": "3-5;6-11",
            "setting": "home",
            "delivery_model": "group",
            "level_of_need": "universal",
            "country": "England",
        }
        writer.writerow([row[column] for column in COLUMNS])
