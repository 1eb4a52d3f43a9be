"""The API's intervention list gives the guidebook's records in the guidebook's order for
the same query, page by page through `next`; drafts are 404 to everyone; bad queries 400."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.catalogue.test_guidebook_filters import COMBINATIONS, ONE_PARAMETER, random_queries
from tests.support.guidebook import exported_slugs


def walk(client, query: str, page_size: int = 7) -> list[str]:
    """The slugs of every page of the API's list for query, following `next`."""
    url = f"/api/v1/interventions/?{query}&page_size={page_size}"
    slugs = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        slugs += [record["slug"] for record in body["results"]]
        url = body["next"]
    return slugs


@pytest.mark.parametrize("query", ONE_PARAMETER + COMBINATIONS + random_queries(24))
def test_the_list_is_the_guidebook_csv_for_the_same_query(shared_guidebook, visitor, query):
    assert walk(visitor, query) == exported_slugs(visitor, query)


def test_drafts_are_404_to_staff_too(intervention_factory, visitor, editor):
    draft = intervention_factory(published=False)
    for client in (visitor, editor):
        response = client.get(f"/api/v1/interventions/{draft.pk}/")
        assert response.status_code == 404
        assert "detail" in response.json()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("foo=1", "foo"),
        ("min_evidence=9", "min_evidence"),
        ("cost=cheap", "cost"),
        ("page_size=101", "page_size"),
        ("page_size=x", "page_size"),
        ("cursor=made-up", "cursor"),
        ("format=csv", "format"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_parameter(db, visitor, query, parameter):
    response = visitor.get(f"/api/v1/interventions/?{query}")
    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_the_list_makes_as_many_queries_for_2_as_for_50(shared_guidebook, visitor):
    # The ratings' definitions are read once, then kept in the data cache.
    visitor.get("/api/v1/interventions/?page_size=1")
    counts = []
    for size in (2, 50):
        with CaptureQueriesContext(connection) as captured:
            assert visitor.get(f"/api/v1/interventions/?page_size={size}").status_code == 200
        counts.append(len(captured))
    assert counts == [7, 7]


def test_a_record_answers_304_to_both_validators(intervention_factory, visitor):
    intervention = intervention_factory()
    url = f"/api/v1/interventions/{intervention.pk}/"
    first = visitor.get(url, HTTP_ORIGIN="https://council.example.org")
    assert first["Access-Control-Allow-Origin"] == "*"
    assert visitor.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert visitor.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
