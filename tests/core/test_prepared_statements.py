"""A record's page query planned once a database connection on PostgreSQL (PREPARE, then
EXECUTE: core.folding.compiled_once), prepared again on a new connection, and never where
the connection goes through a pooler in transaction mode. The pooler itself is driven in
tests/deployment/test_pgbouncer.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

# Outside a test transaction, which a closed connection would end.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="statements are prepared on PostgreSQL only"
    ),
]


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Every request makes its page."""
    settings.PAGE_CACHE_SECONDS = 0


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def page_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_intervention_page_prepares_its_query_once_a_connection(intervention_factory, visitor):
    first = intervention_factory(name="Family Check-Up")
    second = intervention_factory(name="Incredible Years")
    connection.close()

    assert prepared_statements() == []
    made = page_queries(visitor, first.get_absolute_url())
    assert made[0].startswith("EXECUTE compiled_")
    name = made[0].split()[1].split("(")[0]
    assert made[0] == f"EXECUTE {name}('{first.slug}')"
    assert visitor.get(second.get_absolute_url()).context["intervention"] == second
    assert page_queries(visitor, second.get_absolute_url())[0] == f"EXECUTE {name}('{second.slug}')"
    # Prepared once, with the slug its one parameter.
    (statement,) = [text for text in prepared_statements() if f" {name} " in text]
    assert statement.count("$1") == 1


def test_a_new_connection_prepares_the_statement_again(project_factory, visitor):
    project = project_factory(title="Restart")
    visitor.get(project.get_absolute_url())
    connection.close()
    assert prepared_statements() == []

    made = page_queries(visitor, project.get_absolute_url())
    assert made[0].startswith("EXECUTE compiled_")
    assert len(prepared_statements()) == 1
    assert "<h1>Restart</h1>" in visitor.get(project.get_absolute_url()).content.decode()


def test_behind_a_pooler_in_transaction_mode_nothing_is_prepared(
    intervention_factory, visitor, monkeypatch
):
    intervention = intervention_factory(name="Family Check-Up")
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)

    made = page_queries(visitor, intervention.get_absolute_url())
    assert not [sql for sql in made if sql.startswith(("PREPARE", "EXECUTE"))]
    assert made[0].startswith('SELECT "catalogue_intervention"."id"')
    assert prepared_statements() == []
    assert visitor.get(intervention.get_absolute_url()).context["intervention"] == intervention
