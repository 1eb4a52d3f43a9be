"""Run by `manage.py shell`: sample records for the benchmark's pages, a filter giving
about 10,000 rows for the CSV export, the queries each page makes, and the median time to
make each page in this one process, with the caches the settings give (the benchmark runs
it with every cache off, and with the page cache off and the data cache warm). Prints JSON."""

import json
import time

from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.run import pages
from catalogue.filters import GuidebookFilter
from catalogue.models import ChildOutcome, Intervention
from projects.models import Project
from ratings.scales import CostRating, EvidenceRating

demo = Intervention.objects.published().filter(slug__startswith="demo-")
project = Project.objects.published().filter(slug__startswith="demo-").order_by("pk").first()
outcome = ChildOutcome.objects.order_by("position").first()


def rows(query: str) -> int:
    return GuidebookFilter(QueryDict(query), queryset=Intervention.objects.published()).qs.count()


candidates = (
    [""]
    + [f"cost={rating.code}" for rating in CostRating]
    + [f"min_evidence={level.code}" for level in EvidenceRating.levels()]
    + [f"outcome={o.slug}" for o in ChildOutcome.objects.all()]
)
csv_10k = min(candidates, key=lambda query: abs(rows(query) - 10_000))

sampled = demo.filter(study_count__lt=10).order_by("pk").first()
probe = {
    "project": project.slug,
    "intervention": sampled.slug,
    "intervention_id": sampled.pk,
    # seed_demo gives one intervention in a thousand ten studies.
    "ten_studies": demo.filter(study_count=10).order_by("pk").first().slug,
    "outcome": outcome.slug,
    "csv_10k": csv_10k,
}
# The benchmark's pages, but for the CSV export, which is measured on its own.
paths = {name: path for name, path in pages(probe).items() if not name.startswith("CSV")}
client = Client()
probe["queries"], probe["ms"] = {}, {}
for name, path in paths.items():
    # The first request also fills the data cache, where there is one.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST="localhost")
    if response.status_code == 200:
        probe["queries"][name] = len(queries.captured_queries)
        timings = []
        for _ in range(11):
            started = time.perf_counter()
            client.get(path, HTTP_HOST="localhost")
            timings.append(time.perf_counter() - started)
        probe["ms"][name] = round(sorted(timings)[5] * 1000, 1)
print(json.dumps(probe))
