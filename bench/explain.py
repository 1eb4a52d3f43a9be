"""Run by `manage.py shell` on PostgreSQL: the plans of the filtered guidebook's queries,
to check that each is answered from an index rather than by reading the whole table."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from catalogue.models import ChildOutcome
from catalogue.views import GuidebookView

outcome = ChildOutcome.objects.order_by("position").first()
for query in (
    f"min_evidence=3&outcome={outcome.slug}&sort=-evidence",
    "page=400",
    "q=family+support",
):
    request = RequestFactory().get("/interventions/?" + query, HTTP_HOST="localhost")
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as queries:
        GuidebookView.as_view()(request).render()
    print(f"\n=== /interventions/?{query}")
    for captured in queries.captured_queries:
        sql = captured["sql"]
        if not sql.startswith("SELECT") or "catalogue_intervention" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql)
            plan = "\n    ".join(row[0] for row in cursor.fetchall())
        print(f"\n  {sql[:150]}…\n    {plan}")
