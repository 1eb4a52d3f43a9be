"""The guidebook's page of results is read from a sort index in the sort's own order, on
SQLite as on PostgreSQL, so that a page costs about the same however many rows match."""

import pytest
from django.db import connection
from django.http import QueryDict

from catalogue.filters import GuidebookFilter
from catalogue.models import Intervention


def page_ids(query: str, offset: int):
    """The query that finds a guidebook page's rows, as the view runs it."""
    filterset = GuidebookFilter(QueryDict(query), queryset=Intervention.objects.published())
    return filterset.qs.values_list("pk", flat=True)[offset : offset + 20]


def page_plan(query: str, offset: int = 0) -> str:
    """The plan of the query that finds a guidebook page's rows."""
    ids = page_ids(query, offset)
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


def reads_table_rows(query: str, offset: int) -> bool:
    """Whether finding a guidebook page reads rows from the table, not only the index."""
    sql, params = page_ids(query, offset).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
            return "Index Only Scan" not in "\n".join(row[0] for row in cursor.fetchall())
        # SQLite's program for the query: a Column instruction on a cursor opened on the
        # table itself (rather than on an index) reads a row.
        cursor.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = %s", [Intervention._meta.db_table]
        )
        (table_page,) = cursor.fetchone()
        cursor.execute("EXPLAIN " + sql, params)
        program = [(opcode, p1, p2) for _, opcode, p1, p2, *_ in cursor.fetchall()]
    on_table = {p1 for opcode, p1, p2 in program if opcode == "OpenRead" and p2 == table_page}
    return any(opcode == "Column" and p1 in on_table for opcode, p1, _ in program)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("", "intervention_name_idx"),
        ("sort=-evidence&min_evidence=3", "intervention_evidence_idx"),
        ("sort=cost&max_cost=3", "intervention_cost_idx"),
    ],
)
def test_a_deep_page_is_found_from_the_sort_index_alone(query, index, generated_guidebook):
    """Every guidebook query filters on the evidence rating (it leaves out programmes rated
    below 2), so each sort index carries the ratings: a deep page then skips its offset in
    the index without reading each skipped row from the table."""
    assert index in page_plan(query, offset=60)
    assert not reads_table_rows(query, offset=60)
