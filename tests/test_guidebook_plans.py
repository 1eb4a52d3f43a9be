"""The guidebook's page of results is read from a sort index in the sort's own order, on
SQLite as on PostgreSQL, so that a page costs about the same however many rows match."""

import pytest
from django.db import connection
from django.http import QueryDict

from catalogue.filters import GuidebookFilter
from catalogue.models import Intervention


def page_plan(query: str) -> str:
    """The plan of the query that finds a guidebook page's rows, as the view runs it."""
    filterset = GuidebookFilter(QueryDict(query), queryset=Intervention.objects.published())
    ids = filterset.qs.values_list("pk", flat=True)[:20]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # With a handful of rows reading and sorting the table is cheaper; forbid both
            # to see whether an index can give the order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        return ids.explain()


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("", "intervention_name_idx"),
        ("sort=-evidence", "intervention_evidence_idx"),
        ("sort=-evidence&min_evidence=3&outcome={outcome}", "intervention_evidence_idx"),
        ("sort=cost&max_cost=3&outcome={outcome}", "intervention_cost_idx"),
    ],
)
def test_a_page_is_read_from_its_sort_index_in_order(query, index, generated_guidebook):
    outcome = min(generated_guidebook[0].outcomes)
    plan = page_plan(query.format(outcome=outcome))
    assert index in plan, plan
    # Neither SQLite's "USE TEMP B-TREE FOR ORDER BY" nor PostgreSQL's "Sort" step.
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
